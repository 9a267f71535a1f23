"""WSGI entry point: the HTTP server (granian, see docs/adr/0008-http-through-wsgi.md, 0010).

Tile requests of anonymous callers and API tokens are answered before Django's middleware
chain (tiles/gateway.py)."""
import gc
import os
import sys

from django.core.wsgi import get_wsgi_application

# How long a thread may keep the GIL while others wait for it (Python's default: 5 ms). Our
# request threads mostly wait for PostgreSQL and want the GIL back at once; a shorter slice
# keeps one busy thread from holding up the rest (IOC_GIL_SWITCH_MS; bench/reports.py).
sys.setswitchinterval(float(os.environ.get("IOC_GIL_SWITCH_MS", "5")) / 1000)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc_gis.settings.prod")
django_application = get_wsgi_application()

from tiles.gateway import TileGateway  # noqa: E402 (needs Django set up)

application = TileGateway(django_application)

# What is loaded by now lives as long as the process: keep the collector from scanning it
# again and again (full collections of a loaded Django process took ~50 ms, all threads halted).
gc.collect()
gc.freeze()
