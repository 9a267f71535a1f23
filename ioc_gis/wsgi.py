"""WSGI entry point: the HTTP server (granian, see docs/adr/0008-http-through-wsgi.md, 0010).

Tile requests of anonymous callers and API tokens are answered before Django's middleware
chain (tiles/gateway.py)."""
import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc_gis.settings.prod")
django_application = get_wsgi_application()

from tiles.gateway import TileGateway  # noqa: E402 (needs Django set up)

application = TileGateway(django_application)

# What is loaded by now lives as long as the process: keep the collector from scanning it
# again and again (full collections of a loaded Django process took ~50 ms, all threads halted).
gc.collect()
gc.freeze()
