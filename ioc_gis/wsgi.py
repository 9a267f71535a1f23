"""WSGI entry point: the HTTP server (gunicorn, see docs/adr/0008-http-through-wsgi.md).

Cached public tiles are answered before Django (tiles/fastpath.py)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc_gis.settings.prod")
django_application = get_wsgi_application()

from tiles.fastpath import PublicTileFastPath  # noqa: E402 (needs Django set up)

application = PublicTileFastPath(django_application)
