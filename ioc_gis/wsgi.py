"""WSGI entry point: the HTTP server (gunicorn, see docs/adr/0008-http-through-wsgi.md).

Tile requests of anonymous callers and API tokens are answered before Django's middleware
chain (tiles/gateway.py)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc_gis.settings.prod")
django_application = get_wsgi_application()

from tiles.gateway import TileGateway  # noqa: E402 (needs Django set up)

application = TileGateway(django_application)
