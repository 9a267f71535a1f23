"""Live push across real processes, through Redis: two socket servers (uvicorn) and one HTTP
server (granian), as deployed (ADR 0009, 0010). A report created through the HTTP server reaches the
sockets of both uvicorn processes within a second, each scoped by its client's ground; so does
an escalation run by a separate management command; and live.js (under Node) reconnects after
its server restarts. Data the servers commit is deleted afterwards; Redis keys live under a
prefix of this run."""
import asyncio
import json
import queue
import shutil
import statistics
import subprocess
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from tests.access.conftest import INSIDE, OUTSIDE
from tests.live.servers import (LOGS, ROOT, Server, database_url, http_server, nginx,
                                nginx_binary, running, server_env, uvicorn)
from tests.live.sockets import session_cookie

# django_db: pytest-django creates the test database only for tests that ask for it. The
# tests' own transactions stay empty: what the servers must see is committed by the fixture.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]
ORIGIN = "http://127.0.0.1:8000"
LIVE_CLIENT = Path(__file__).with_name("live_client.js")


@dataclass
class Stack:
    ws1: Server
    ws2: Server
    http: Server
    env: dict
    cookie: str          # a wall display's session (province-wide)
    token: str           # the wall display's API token, narrowed to commune A
    created: list[str] = field(default_factory=list)

    def socket_url(self, server: Server) -> str:
        return f"ws://127.0.0.1:{server.port}/ws/incidents/"

    def report(self, lon_lat) -> str:
        """A citizen's report through the HTTP server; returns its public id."""
        return self.report_via(self.http.url, lon_lat)

    def report_via(self, base: str, lon_lat) -> str:
        body = json.dumps({"category": "an-ninh-trat-tu", "lon": lon_lat[0], "lat": lon_lat[1],
                           "title": "Tụ tập gây rối", "description": "Gây ồn ban đêm",
                           "reporter_phone": "0912345678"}).encode()
        request = urllib.request.Request(base + "/api/incidents/", data=body,
                                         method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            public_id = json.load(answer)["id"]
        self.created.append(public_id)
        return public_id


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, redis_url):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.gis.geos import Point
    from django.db import connection

    from layers import selectors
    from tests.access.conftest import TODAY
    from tests.live.sockets import api_token

    prefix = f"ioc-test-{uuid.uuid4().hex[:12]}"
    with django_db_blocker.unblock():
        wall = get_user_model().objects.create_user(f"live-{prefix}", password=None)
        wall.groups.add(Group.objects.get(name="wall_display"))
        commune_a = selectors.unit_containing(point=Point(*INSIDE, srid=4326), day=TODAY)
        _, token = api_token(wall, ["layers:read"], units=[commune_a])
        cookie = session_cookie(wall)
        env = server_env(database=database_url(connection.settings_dict), redis_url=redis_url,
                         prefix=prefix)
    stack = Stack(uvicorn("ws-1", env), uvicorn("ws-2", env), http_server("http", env), env,
                  cookie, token)
    try:
        with running(stack.ws1, stack.ws2, stack.http):
            yield stack
    finally:
        _clean(django_db_blocker, stack, wall, redis_url, prefix)


def _clean(django_db_blocker, stack: Stack, wall, redis_url: str, prefix: str) -> None:
    import redis
    from django.contrib.sessions.models import Session

    from incidents.models import Incident
    from layers.models import Feature

    with django_db_blocker.unblock():
        Feature.objects.filter(layer__slug="incidents", external_id__in=stack.created).delete()
        Incident.objects.filter(public_id__in=stack.created).delete()
        Session.objects.filter(session_key=stack.cookie.split("=", 1)[1]).delete()
        wall.delete()
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}*", count=1000):
        client.delete(key)


class Listener:
    """A websockets client that timestamps every event it receives."""

    def __init__(self, url: str, **connect_kwargs):
        self.url, self.kwargs = url, connect_kwargs
        self.events: dict[str, list[tuple[float, float, dict]]] = {}
        self.ready = asyncio.Event()

    async def run(self) -> None:
        from websockets.asyncio.client import connect

        async with connect(self.url, subprotocols=["ioc.live.v1"], **self.kwargs) as socket:
            async for raw in socket:
                message = json.loads(raw)
                if message["type"] == "ready":
                    self.ready.set()
                else:
                    self.events.setdefault(message["id"], []).append(
                        (time.perf_counter(), time.time(), message))

    async def first_event(self, event_id: str, *, deadline: float) -> float | None:
        """When the event with this event_id arrived (perf_counter), or None by the deadline."""
        while time.perf_counter() < deadline:
            for received in self.events.values():
                for arrived, _, message in received:
                    if message["event_id"] == event_id:
                        return arrived
            await asyncio.sleep(0.0005)
        return None

    async def first(self, public_id: str, *, deadline: float,
                    kind: str | None = None) -> tuple[float, float, dict] | None:
        """The first event about this incident (of this `kind`, if given) by the deadline."""
        while time.perf_counter() < deadline:
            for received in self.events.get(public_id, ()):
                if kind is None or received[2]["type"] == kind:
                    return received
            await asyncio.sleep(0.001)
        return None


def _summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"n": len(values), "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def test_reports_through_the_http_server_reach_both_socket_servers_within_a_second(stack):
    rounds = 20

    async def scenario():
        province = Listener(stack.socket_url(stack.ws1), origin=ORIGIN,
                            additional_headers={"Cookie": stack.cookie})
        bound = Listener(stack.socket_url(stack.ws2),
                         additional_headers={"Authorization": f"Token {stack.token}"})
        tasks = [asyncio.create_task(listener.run()) for listener in (province, bound)]
        await asyncio.wait_for(asyncio.gather(province.ready.wait(), bound.ready.wait()), 10)
        samples = []
        for i in range(rounds):
            inside = i % 2 == 0
            started = time.perf_counter()
            public_id = await asyncio.to_thread(stack.report, INSIDE if inside else OUTSIDE)
            answered = time.perf_counter()
            deadline = started + 1.0
            seen = await province.first(public_id, deadline=deadline)
            seen_bound = await bound.first(public_id, deadline=deadline) if inside else None
            samples.append((inside, public_id, started, answered, seen, seen_bound))
        await asyncio.sleep(0.3)  # anything late or out of scope would arrive by now
        for task in tasks:
            task.cancel()
        return samples, province, bound

    samples, province, bound = asyncio.run(scenario())
    assert all(seen is not None for *_, seen, _ in samples), "an event missed the 1 s budget"
    assert all(seen_bound is not None for inside, *_, seen_bound in samples if inside)
    assert set(bound.events) == {public_id for inside, public_id, *_ in samples if inside}
    assert all(len(received) == 1 for received in province.events.values())
    from_request = [seen[0] - started for _, _, started, _, seen, _ in samples]
    from_answer = [seen[0] - answered for _, _, _, answered, seen, _ in samples]
    from_event = [seen[1] - datetime.fromisoformat(seen[2]["at"]).timestamp()
                  for *_, seen, _ in samples]
    figures = {"request_start_to_socket": _summary(from_request),
               "response_to_socket": _summary(from_answer),
               "event_built_in_transaction_to_socket": _summary(from_event),
               "other_process_request_start_to_socket": _summary(
                   [sb[0] - started for inside, _, started, _, _, sb in samples if inside])}
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / "latency.json").write_text(json.dumps(figures, indent=2))
    print("live push latency:", json.dumps(figures))
    assert figures["request_start_to_socket"]["max_ms"] < 1000


def test_commit_to_socket_through_redis(stack, settings):
    """The path after commit alone: `publish` (as an on-commit callback calls it, here from this
    process's thread) → Redis → both socket servers → their clients."""
    from incidents import realtime
    from incidents.models import Incident

    settings.CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",  # as the servers
        "CONFIG": {"hosts": [stack.env["IOC_LIVE_REDIS_URL"]],
                   "prefix": stack.env["IOC_LIVE_CHANNEL_PREFIX"]}}}
    incident = Incident.objects.select_related("category").get(public_id=stack.report(INSIDE))
    # Built here, in the test's thread: ORM calls inside the coroutine would open a connection
    # of their own (Django's connections are per thread and per asyncio context).
    events = [realtime.incident_event(kind="incident.updated", incident=incident)
              for _ in range(50)]

    async def scenario():
        province = Listener(stack.socket_url(stack.ws1), origin=ORIGIN,
                            additional_headers={"Cookie": stack.cookie})
        bound = Listener(stack.socket_url(stack.ws2),
                         additional_headers={"Authorization": f"Token {stack.token}"})
        tasks = [asyncio.create_task(listener.run()) for listener in (province, bound)]
        await asyncio.wait_for(asyncio.gather(province.ready.wait(), bound.ready.wait()), 10)
        samples = []
        for event in events:
            started = time.perf_counter()
            await asyncio.to_thread(realtime.publish, event)
            published = time.perf_counter()
            deadline = started + 1.0
            seen = [await listener.first_event(event["event_id"], deadline=deadline)
                    for listener in (province, bound)]
            samples.append((started, published, seen))
        for task in tasks:
            task.cancel()
        return samples

    samples = asyncio.run(scenario())
    assert all(s is not None for *_, seen in samples for s in seen), "missed the 1 s budget"
    figures = {
        "publish_blocking": _summary([published - started for started, published, _ in samples]),
        "commit_to_socket_uvicorn_1": _summary([seen[0] - started for started, _, seen in samples]),
        "commit_to_socket_uvicorn_2": _summary([seen[1] - started for started, _, seen in samples]),
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / "latency-commit.json").write_text(json.dumps(figures, indent=2))
    print("commit to socket:", json.dumps(figures))
    assert figures["commit_to_socket_uvicorn_1"]["max_ms"] < 1000


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")
def test_through_nginx_as_documented_the_socket_shares_the_pages_origin(stack):
    """deploy/nginx/ioc-gis.conf: /ws/ goes to uvicorn with the Upgrade headers, the rest to
    the HTTP server; close codes pass through."""
    proxy = nginx("nginx", app=stack.http, ws=stack.ws1)

    async def scenario():
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        url = f"ws://127.0.0.1:{proxy.port}/ws/incidents/"
        try:
            async with connect(url, origin=proxy.url, subprotocols=["ioc.live.v1"]) as anonymous:
                await anonymous.recv()
        except ConnectionClosed as closed:
            refused = closed.rcvd.code
        listener = Listener(url, origin=proxy.url, additional_headers={"Cookie": stack.cookie})
        task = asyncio.create_task(listener.run())
        await asyncio.wait_for(listener.ready.wait(), 10)
        public_id = await asyncio.to_thread(stack.report_via, proxy.url, OUTSIDE)
        seen = await listener.first(public_id, deadline=time.perf_counter() + 1.0)
        task.cancel()
        return refused, seen

    with running(proxy):
        refused, seen = asyncio.run(scenario())
    assert refused == 4401
    assert seen is not None and seen[2]["type"] == "incident.created"


def test_an_escalation_run_by_a_command_reaches_the_sockets(stack):
    public_id = stack.report(INSIDE)
    code = ("from datetime import timedelta; from django.utils import timezone; "
            "from incidents.models import Incident; "
            "from incidents.services import incidents_escalate_overdue as escalate; "
            f"Incident.objects.filter(public_id='{public_id}')"
            ".update(due_at=timezone.now() - timedelta(minutes=5)); print(escalate())")

    async def scenario():
        listener = Listener(stack.socket_url(stack.ws2),
                            additional_headers={"Authorization": f"Token {stack.token}"})
        task = asyncio.create_task(listener.run())
        await asyncio.wait_for(listener.ready.wait(), 10)
        command = await asyncio.create_subprocess_exec(
            str(ROOT / ".venv" / "bin" / "python"), "manage.py", "shell", "--no-imports", "-c",
            code,
            cwd=ROOT, env=stack.env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(command.communicate(), 120)
        # (The report's own "created" event may still arrive after the socket connected.)
        seen = await listener.first(public_id, deadline=time.perf_counter() + 1.0,
                                    kind="incident.updated")
        task.cancel()
        return out.decode(), err.decode(), seen

    out, err, seen = asyncio.run(scenario())
    assert out.strip() == "1", err
    assert seen is not None
    assert seen[2]["escalated"] is True and seen[2]["assigned_unit_code"] == "38"


class NodeClient:
    """live.js under Node (its built-in WebSocket), printing one JSON line per callback."""

    def __init__(self, url: str, token: str):
        self.proc = subprocess.Popen(
            ["node", "--experimental-websocket", str(LIVE_CLIENT), url, token],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def expect(self, predicate, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            seen.append(line)
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if predicate(message):
                return message
        raise AssertionError(f"not seen within {timeout} s; got {seen}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


def _node_has_websocket() -> bool:
    if not shutil.which("node"):
        return False
    probe = subprocess.run(["node", "--experimental-websocket", "-e",
                            "process.exit(typeof WebSocket === 'function' ? 0 : 1)"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.skipif(not _node_has_websocket(), reason="Node.js with a WebSocket (20.10+) needed")
def test_live_js_reconnects_after_its_server_restarts_and_stops_when_refused(stack):
    url = stack.socket_url(stack.ws1)
    client = NodeClient(url, stack.token)
    refused = NodeClient(url, "AbCdEfGh.wrong-secret")
    try:
        client.expect(lambda m: m.get("state") == "open" and not m["detail"]["reconnected"])
        first = stack.report(INSIDE)
        client.expect(lambda m: m.get("event", {}).get("id") == first, timeout=2)
        stack.ws1.stop()
        client.expect(lambda m: m.get("state") == "closed")
        stack.ws1.start().wait_ready()
        client.expect(lambda m: m.get("state") == "open" and m["detail"]["reconnected"])
        second = stack.report(INSIDE)
        client.expect(lambda m: m.get("event", {}).get("id") == second, timeout=2)
        message = refused.expect(lambda m: m.get("state") in ("refused", "closed"))
        assert message == {"state": "refused", "detail": {
            "code": 4401, "reason": "Khóa API không hợp lệ."}}
        assert refused.proc.wait(timeout=5) == 0  # gave up: no retries
    finally:
        client.stop()
        refused.stop()
