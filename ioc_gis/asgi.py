"""ASGI entry point (uvicorn). Channels routing joins here when live push lands."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc_gis.settings.prod")
application = get_asgi_application()
