"""Helpers for socket tests: sessions and tokens of real users, communicators on the real ASGI
application (ioc_gis.asgi) and the in-memory channel layer of the test settings.

The tests run inside pytest-django's transaction. A test body runs its socket scenario with
`run(...)` (async_to_sync): the consumer's database calls (thread-sensitive) then come back to
the test's thread and connection, so they see the test's uncommitted users and incidents.
Channels closes "old" connections around each such call, which would end the test's
transaction: `keep_test_connection` turns that off for the test (as channels' own test
communicator does). `channels.testing` itself needs daphne, which we do not serve with, so the
communicator here is a small one on asgiref's."""
import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

ORIGIN = b"http://127.0.0.1:8000"
PERSONAL = ("Nguyễn Văn Riêng", "0912345678", "rieng@example.vn", "Số 12 ngõ Bí Mật",
            "Tiêu đề riêng tư", "Nội dung riêng tư")
EVENT_FIELDS = {"type", "event_id", "id", "status", "category", "sector", "severity", "lon",
                "lat", "commune_code", "assigned_unit_code", "overdue", "escalated", "at",
                "layer", "data_version"}


class WebsocketCommunicator(ApplicationCommunicator):
    """A WebSocket client of an ASGI application, in the test's event loop."""

    def __init__(self, application, path: str, headers=None, subprotocols=None):
        super().__init__(application, {
            "type": "websocket", "path": path, "raw_path": path.encode(), "query_string": b"",
            "headers": headers or [], "subprotocols": subprotocols or [],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8001)})

    async def connect(self, timeout: float = 1) -> tuple[bool, object]:
        """(True, subprotocol) when accepted; (False, code) when refused in the handshake."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept", response
        return True, response.get("subprotocol")

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data) -> None:
        await self.send_to(json.dumps(data))

    async def receive_from(self, timeout: float = 1) -> str:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return response["text"]

    async def receive_json_from(self, timeout: float = 1):
        return json.loads(await self.receive_from(timeout))

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


@pytest.fixture
def keep_test_connection(monkeypatch):
    """Channels' database_sync_to_async must not close the test's connection."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


@pytest.fixture
def fresh_layer():
    """A new in-memory channel layer per test (no groups left over from another test)."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def run(scenario, *args, **kwargs):
    """Run an async scenario from a (sync) test."""
    return async_to_sync(scenario)(*args, **kwargs)


def session_cookie(user, *, otp_device=None) -> str:
    """A Cookie header of a fresh session of `user` (passed second factor with `otp_device`)."""
    client = Client()
    client.force_login(user)
    if otp_device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = otp_device.persistent_id
        session.save()
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def api_token(user, scopes, *, units=()):
    """(token, key) of a fresh API token of `user`."""
    from access.services import api_token_create

    return api_token_create(name="Màn hình điều hành", user=user, scopes=scopes, units=units,
                            expires_at=timezone.now() + timedelta(days=1))


def communicator(*, cookie: str | None = None, token: str | None = None,
                 authorization: str | None = None, origin: bytes | None = ORIGIN,
                 path: str = "/ws/incidents/") -> WebsocketCommunicator:
    """A client of the real ASGI application: a browser (Origin, cookie) or a token client."""
    from ioc_gis.asgi import application

    headers = [(b"origin", origin)] if origin else []
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    if authorization:
        headers.append((b"authorization", authorization.encode()))
    subprotocols = ["ioc.live.v1"] + ([f"ioc.token.{token}"] if token else [])
    return WebsocketCommunicator(application, path, headers=headers, subprotocols=subprotocols)


async def open_feed(comm: WebsocketCommunicator) -> dict:
    """Connect; returns the `ready` message (fails if the socket is refused)."""
    accepted, subprotocol = await comm.connect()
    assert accepted and subprotocol == "ioc.live.v1"
    message = await comm.receive_json_from()
    assert message["type"] == "ready", message
    return message


async def close_code(comm: WebsocketCommunicator) -> int:
    """Connect a socket that is to be refused; returns its close code."""
    accepted, _ = await comm.connect()
    if not accepted:
        return 403  # refused during the handshake (HTTP 403), as for a foreign Origin
    closing = await comm.receive_output(timeout=1)
    assert closing["type"] == "websocket.close", closing
    return closing["code"]


async def events_of(comm: WebsocketCommunicator, *, quiet: float = 0.2) -> list[dict]:
    """Every event the socket has received until it stays quiet for `quiet` seconds."""
    events = []
    while not await comm.receive_nothing(timeout=quiet):
        events.append(await comm.receive_json_from())
    return events


def submit(capture, *, lon_lat, category="an-ninh-trat-tu", execute=True):
    """A citizen's report through the service, its on-commit callbacks captured (and run when
    `execute`): the test's stand-in for a commit. Returns (incident, callbacks)."""
    from access.principal import ANONYMOUS
    from incidents.services import ReportInput, incident_submit

    with capture(execute=execute) as callbacks:
        incident = incident_submit(principal=ANONYMOUS, report=ReportInput(
            category=category, lon=lon_lat[0], lat=lon_lat[1], title=PERSONAL[4],
            description=PERSONAL[5], address=PERSONAL[3], reporter_name=PERSONAL[0],
            reporter_phone=PERSONAL[1], reporter_email=PERSONAL[2]))
    return incident, callbacks


asubmit = database_sync_to_async(submit)
