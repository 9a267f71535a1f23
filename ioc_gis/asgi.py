"""ASGI entry point (uvicorn): the WebSocket server of the live push, /ws/ (docs/adr/0009).

HTTP is served by granian through ioc_gis/wsgi.py (docs/adr/0008, 0010); the
`http` side here is Django's ASGI handler, for probes and comparisons only."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc_gis.settings.prod")
django_asgi_app = get_asgi_application()  # sets Django up before the consumers are imported

from channels.routing import ProtocolTypeRouter  # noqa: E402

from live.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": websocket_application(),
})
