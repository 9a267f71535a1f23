"""The incident feed socket, /ws/incidents/ (docs/adr/0009-live-push.md).

Server → client, JSON text frames:
  {"type": "ready", "scope": "province" | "units", "layer": "incidents", "data_version": n}
  {"type": "incident.created" | "incident.updated" | …, "id": …, …}   (incidents.realtime)
  {"type": "pong"}                                                    (answer to a ping)
Client → server: {"type": "ping"}; anything else is ignored.
Close codes: 4401 not signed in / session over / bad token, 4403 not allowed, 4404 unknown path.
"""
import asyncio
import json
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer

from access.principal import Principal
from incidents.realtime import (MESSAGE_TYPE, event_visible, incidents_data_version,
                                principal_groups)

from . import conf
from .auth import credentials_of, socket_principal
from .errors import SocketRefused, UnknownPath

RECENT_EVENTS = 256  # an event sent to two of a socket's groups reaches it twice: sent once


class IncidentFeedConsumer(AsyncJsonWebsocketConsumer):
    """Incident events of the caller's ground, for operators' maps and wall displays."""

    principal: Principal | None = None

    async def connect(self) -> None:
        """Authenticate once, join the ground's groups, accept; or accept and close with the
        refusal's code (a browser sees the code only after an accept)."""
        self.recent: deque[str] = deque(maxlen=RECENT_EVENTS)
        self.recent_ids: set[str] = set()
        self.recheck: asyncio.Task | None = None
        self.credentials = credentials_of(self.scope)
        offered = self.scope.get("subprotocols") or []
        self.subprotocol = conf.SUBPROTOCOL if conf.SUBPROTOCOL in offered else None
        try:
            principal = await database_sync_to_async(socket_principal)(self.credentials)
        except SocketRefused as refused:
            await self.accept(self.subprotocol)
            await self.close(code=refused.code, reason=refused.reason)
            return
        await self._join(principal)
        await self.accept(self.subprotocol)
        await self.send_json({"type": "ready",
                              "scope": "province" if principal.province_wide else "units",
                              "layer": "incidents",
                              "data_version": await database_sync_to_async(
                                  incidents_data_version)()})
        self.recheck = asyncio.ensure_future(self._recheck_forever())

    async def dispatch(self, message: dict) -> None:
        """Events go straight to their handler: Channels' own dispatch first closes stale
        database connections in its worker thread, for every message — a thread hop per event
        and socket that was most of the socket server's CPU with 200 sockets (bench/reports.py).
        The event handler does not touch the database; everything that does goes through
        database_sync_to_async, which cleans up itself."""
        if message.get("type") == MESSAGE_TYPE:
            await self.incident_event(message)
            return
        await super().dispatch(message)

    async def incident_event(self, message: dict) -> None:
        """An event from the channel layer (incidents.realtime.publish): forwarded when it is
        on the principal's ground and sectors."""
        event = message["event"]
        event_id = event["event_id"]
        if event_id in self.recent_ids:
            return
        if len(self.recent) == RECENT_EVENTS:
            self.recent_ids.discard(self.recent[0])
        self.recent.append(event_id)
        self.recent_ids.add(event_id)
        if self.principal is not None and event_visible(self.principal, event):
            await self.send(text_data=message.get("text") or self.encode_json(event))

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        """Answer pings (so a client can tell a dead connection); ignore everything else."""
        try:
            content = json.loads(text_data) if text_data else None
        except ValueError:
            return
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def disconnect(self, code) -> None:
        """Stop re-checking (the groups are left by the base class)."""
        if self.recheck is not None:
            self.recheck.cancel()

    async def _join(self, principal: Principal) -> None:
        """Be in exactly the principal's groups; adding again renews a membership's expiry."""
        groups = principal_groups(principal)
        for group in set(self.groups) - set(groups):
            await self.channel_layer.group_discard(group, self.channel_name)
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups, self.principal = groups, principal

    async def _recheck_forever(self) -> None:
        """Re-check the credentials now and then: close on logout, timeout or revocation, and
        follow a changed jurisdiction without a reconnect."""
        while True:
            await asyncio.sleep(conf.recheck_seconds())
            try:
                principal = await database_sync_to_async(socket_principal)(self.credentials)
            except SocketRefused as refused:
                self.principal = None
                await self.close(code=refused.code, reason=refused.reason)
                return
            await self._join(principal)


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Any other path under the socket server: accepted and closed with 4404."""

    async def connect(self) -> None:
        offered = self.scope.get("subprotocols") or []
        await self.accept(conf.SUBPROTOCOL if conf.SUBPROTOCOL in offered else None)
        await self.close(code=UnknownPath.code, reason=UnknownPath.reason)
