"""The WebSocket side of the ASGI application (ioc_gis/asgi.py): paths under /ws/, behind the
Origin check. Not to be confused with incidents/routing.py (which unit handles an incident)."""
from channels.routing import URLRouter
from django.urls import path, re_path

from .consumers import IncidentFeedConsumer, UnknownPathConsumer
from .origin import BrowserOriginValidator

websocket_urlpatterns = [
    path("ws/incidents/", IncidentFeedConsumer.as_asgi(), name="ws-incidents"),
    re_path(r"", UnknownPathConsumer.as_asgi()),
]


def websocket_application():
    """The ASGI application for `websocket` connections."""
    return BrowserOriginValidator(URLRouter(websocket_urlpatterns))
