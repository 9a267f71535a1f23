"""{% load live %}{% live_socket_meta %}: tells live.js where the incident socket is.

    <meta name="ioc-live-socket" content="ws://127.0.0.1:8001/ws/incidents/">

Pages then call `iocLive.connect(null, onEvent)` (live/static/live/live.js)."""
from django import template
from django.http.request import split_domain_port
from django.utils.html import format_html

from .. import conf

register = template.Library()


def socket_url(request) -> str:
    """The socket URL for a page: IOC_LIVE_WS_URL; else the page's host on IOC_LIVE_WS_PORT
    (`make demo`); else the page's own origin (nginx sends /ws/ to the socket server)."""
    if conf.ws_url():
        return conf.ws_url()
    scheme = "wss" if request.is_secure() else "ws"
    host = request.get_host()
    if conf.ws_port():
        domain, _ = split_domain_port(host)
        host = f"{domain}:{conf.ws_port()}"
    return f"{scheme}://{host}{conf.SOCKET_PATH}"


@register.simple_tag(takes_context=True)
def live_socket_meta(context) -> str:
    """A <meta name="ioc-live-socket"> with the socket URL for this page's request."""
    return format_html('<meta name="ioc-live-socket" content="{}">',
                       socket_url(context["request"]))
