"""Citizens' reports: how many can we accept per second, and how fast does each reach the
operators' sockets? Prints figures; asserts nothing about time.

In one run, on a fresh database of its own (`<DATABASE_URL's name>_reports`: migrated, Thanh Hóa
demo loaded), with the app as deployed (granian for HTTP, uvicorn for /ws/, Redis between them;
docs/adr/0009, 0010) and `--sockets` WebSocket clients connected (`--province-sockets` of them
province-wide, the rest bound to one commune each, like operator consoles):
  1. paced: `--paced` reports, one client, `--rate` per second — each event's latency from its
     time in the committing transaction to each socket that receives it (p50/p95/max);
  2. load: wrk with `--clients` connections POSTing reports (JSON, no photos) for `--duration`
     seconds — req/s, p50/p99 — and the same latencies under that load.
Targets (issue 5, 2-core machine): >= 300 report POSTs/s with p99 < 200 ms at 16 clients;
push p95 <= 500 ms with 200 sockets.

Anonymous rate limits (60/min per address) are lifted for the run: every client here is one
address. Usage: .venv/bin/python bench/reports.py [--duration 15] [--sockets 200]"""
import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from _django import ROOT, fresh_database, setup
from tiles_http import pct
from tiles_procs import HTTP_THREADS, VAR, Servers, free_port, wait_http

HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk" / "reports.lua"

def redis_url(db: int) -> str:
    """The live-push Redis of this checkout (IOC_LIVE_REDIS_URL, as `make broker` records it;
    else the local one) with database `db`: the run keeps its keys apart."""
    from urllib.parse import urlsplit, urlunsplit

    from django.conf import settings

    base = urlsplit(settings.IOC_LIVE_REDIS_URL or "redis://127.0.0.1:6379/0")
    return urlunsplit(base._replace(path=f"/{db}"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of wrk load")
    parser.add_argument("--clients", type=int, default=16, help="wrk connections")
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--province-sockets", type=int, default=20)
    parser.add_argument("--paced", type=int, default=100, help="reports in the paced phase")
    parser.add_argument("--rate", type=float, default=10.0, help="paced reports per second")
    parser.add_argument("--http-workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--http-threads", type=int, default=HTTP_THREADS,
                        help="granian blocking threads per worker")
    return parser.parse_args()


def clients_create(args) -> tuple[list[tuple[str, str]], list[tuple[float, float]], list[str]]:
    """Socket tokens (label, key), report points inside communes, citizen categories."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.gis.db.models.functions import PointOnSurface
    from django.utils import timezone

    from access.services import api_token_create
    from incidents.models import Category
    from layers.models import AdminLevel, AdminUnit
    from layers.selectors import valid_on

    user = get_user_model().objects.create_user("bench-reports-wall", password=None)
    user.groups.add(Group.objects.get(name="province_leader"))
    communes = list(AdminUnit.objects.filter(valid_on(timezone.localdate()),
                                             level=AdminLevel.COMMUNE)
                    .annotate(inside=PointOnSurface("geom")).order_by("code"))
    expires = timezone.now() + timedelta(hours=2)
    tokens = []
    for i in range(args.sockets):
        bound = i >= args.province_sockets
        unit = communes[i % len(communes)] if bound else None
        _, key = api_token_create(name=f"bench/reports.py {i}", user=user, scopes=["layers:read"],
                                  expires_at=expires, units=[unit] if unit else [])
        tokens.append((f"unit:{unit.code}" if unit else "province", key))
    points = [(c.inside.x, c.inside.y) for c in communes]
    categories = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
    return tokens, points, categories


# ---------- servers and clients ----------

def servers_start(servers: Servers, url: str, args) -> tuple[str, str, dict]:
    """granian (HTTP) and uvicorn (/ws/) on the run's database, sharing Redis."""
    run = uuid.uuid4().hex[:8]
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="ioc_gis.settings.prod",
               SECURE_SSL_REDIRECT="0", ALLOWED_HOSTS="127.0.0.1,localhost",
               LOG_LEVEL="WARNING", REDIS_URL=redis_url(3), TILES_CACHE="redis",
               TILES_CACHE_PREFIX=f"bench-reports-{run}", IOC_LIVE_REDIS_URL=redis_url(4),
               IOC_LIVE_CHANNEL_PREFIX=f"bench-reports-{run}",
               IOC_THROTTLE_ANON_BURST="off",
               IOC_THROTTLE_ANON_SUSTAINED="off")
    venv = ROOT / ".venv" / "bin"
    http_port, ws_port = free_port(), free_port()
    http_log, ws_log = VAR / "logs" / "reports-http.log", VAR / "logs" / "reports-ws.log"
    http = servers.start("http", [
        str(venv / "granian"), "--interface", "wsgi", "ioc_gis.wsgi:application", "--host",
        "127.0.0.1", "--port", str(http_port), "--workers", str(args.http_workers),
        "--blocking-threads", str(args.http_threads),
        "--blocking-threads-idle-timeout", "600", "--no-ws", "--log-level", "warning"],
        env=env, cwd=ROOT, log=http_log)
    ws = servers.start("ws", [
        str(venv / "uvicorn"), "ioc_gis.asgi:application", "--host", "127.0.0.1", "--port",
        str(ws_port), "--lifespan", "off", "--ws", "websockets", "--ws-per-message-deflate",
        "false", "--no-access-log"],
        env=env, cwd=ROOT, log=ws_log)
    wait_http(f"http://127.0.0.1:{http_port}/healthz", http, http_log)
    wait_http(f"http://127.0.0.1:{ws_port}/healthz", ws, ws_log)
    return f"http://127.0.0.1:{http_port}", f"ws://127.0.0.1:{ws_port}/ws/incidents/", env


def listener_start(ws_url: str, tokens) -> tuple[subprocess.Popen, Path]:
    tokens_file, out_file = VAR / "reports-tokens.txt", VAR / "reports-events.json"
    tokens_file.write_text("".join(f"{label} {key}\n" for label, key in tokens))
    out_file.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, str(HERE / "reports_listener.py"), ws_url,
                             str(tokens_file), str(out_file)], stdout=subprocess.PIPE,
                            text=True, start_new_session=True)
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        raise RuntimeError(f"sockets did not connect: {line!r}")
    return proc, out_file


def paced(base: str, args, points, categories) -> tuple[list[str], list[float]]:
    """`args.paced` reports at `args.rate` per second; (ids, POST ms)."""
    import random

    rng = random.Random(7)
    conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=30)
    ids, ms = [], []
    start = time.monotonic()
    for i in range(args.paced):
        time.sleep(max(0.0, start + i / args.rate - time.monotonic()))
        lon, lat = rng.choice(points)
        body = json.dumps({"category": rng.choice(categories), "lon": lon, "lat": lat,
                           "title": f"Phản ánh đo trễ {i}", "description": "bench/reports.py"})
        t0 = time.perf_counter()
        conn.request("POST", "/api/incidents/", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        ms.append((time.perf_counter() - t0) * 1000)
        if response.status != 201:
            raise RuntimeError(f"paced report refused: {response.status} {data[:300]!r}")
        ids.append(json.loads(data)["id"])
    return ids, ms


def load(base: str, args, points, categories) -> dict:
    import cpu_share

    before = cpu_share.snapshot()
    points_file, categories_file = VAR / "reports-points.txt", VAR / "reports-categories.txt"
    points_file.write_text("".join(f"{lon:.6f} {lat:.6f}\n" for lon, lat in points))
    categories_file.write_text("\n".join(categories) + "\n")
    env = dict(os.environ, IOC_BENCH_POINTS=str(points_file),
               IOC_BENCH_CATEGORIES=str(categories_file))
    run = subprocess.run(["wrk", "-t2", f"-c{args.clients}", f"-d{args.duration:g}s",
                          "--timeout", "30s", "-s", str(LUA), base], env=env,
                         capture_output=True, text=True, check=False)
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed:\n{run.stdout}\n{run.stderr}")
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["cpu"] = cpu_share.used(before, cpu_share.snapshot())
    return result


# ---------- report ----------

def latencies(records, ids: set[str] | None) -> list[float]:
    return [(now - at) * 1000 for _, public_id, kind, at, now in records
            if kind == "incident.created" and (ids is None or public_id in ids)]


def expected_deliveries(ids, tokens) -> int:
    """Sockets that should receive each created incident: province-wide ones, and bound ones
    whose commune is the incident's."""
    from incidents.models import Incident

    province = sum(label == "province" for label, _ in tokens)
    bound: dict[str, int] = {}
    for label, _ in tokens:
        if label.startswith("unit:"):
            bound[label[5:]] = bound.get(label[5:], 0) + 1
    communes = Incident.objects.filter(public_id__in=ids).values_list("commune_code", flat=True)
    return sum(province + bound.get(code, 0) for code in communes)


def print_report(args, paced_ms, paced_ids, wrk_result, events, tokens, load_start) -> None:
    from incidents.models import Incident

    records = events["records"]
    paced_lat = latencies(records, set(paced_ids))
    load_ids = list(Incident.objects.filter(created_at__gte=load_start)
                    .values_list("public_id", flat=True))
    load_lat = latencies(records, set(load_ids))
    rps = wrk_result["requests"] / wrk_result["duration_s"]
    print(f"\n=== Citizens' reports benchmark: {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())} ===")
    print(f"sockets: {events['sockets']} connected ({args.province_sockets} province-wide, "
          f"{args.sockets - args.province_sockets} bound to one commune each), "
          f"{events['failed']} dropped")
    print("\n-- 1. paced: one client, "
          f"{args.paced} reports at {args.rate:g}/s --")
    print(f"POST ms: p50 {pct(paced_ms, 50):.1f}, p99 {pct(paced_ms, 99):.1f}")
    print(f"event (in the committing transaction) -> socket, {len(paced_lat)} deliveries of "
          f"{expected_deliveries(paced_ids, tokens)} expected: p50 {pct(paced_lat, 50):.1f} ms, "
          f"p95 {pct(paced_lat, 95):.1f} ms, max {max(paced_lat, default=float('nan')):.1f} ms")
    print(f"\n-- 2. load: wrk -t2 -c{args.clients}, {args.duration:g} s --")
    print(f"report POSTs: {wrk_result['requests']:,} in {wrk_result['duration_s']:.1f} s = "
          f"{rps:,.0f}/s; p50 {wrk_result['p50']:.1f} ms, p90 {wrk_result['p90']:.1f} ms, "
          f"p99 {wrk_result['p99']:.1f} ms, max {wrk_result['max']:.1f} ms; "
          f"non-2xx {wrk_result['non_2xx_3xx']}, socket errors {wrk_result['errors']}")
    print(f"stored: {len(load_ids):,} incidents")
    cpu = wrk_result["cpu"]
    per_report = 1000 / max(1, wrk_result["requests"])
    print("CPU during the load, ms per report: " + ", ".join(
        f"{kind} {seconds * per_report:.2f}" for kind, seconds in cpu.most_common()
        if seconds > 0.05) + f"; total {sum(cpu.values()) * per_report:.2f} "
        f"(the machine has {os.cpu_count() * wrk_result['duration_s'] * per_report:.2f})")
    print(f"event -> socket under that load, {len(load_lat):,} deliveries of "
          f"{expected_deliveries(load_ids, tokens):,} expected: p50 {pct(load_lat, 50):.1f} ms, "
          f"p95 {pct(load_lat, 95):.1f} ms, max {max(load_lat, default=float('nan')):.1f} ms")
    p95 = pct(paced_lat, 95)
    print("\n-- targets --")
    print(f">= 300 report POSTs/s with p99 < 200 ms at {args.clients} clients: {rps:,.0f}/s, "
          f"p99 {wrk_result['p99']:.1f} ms  "
          f"[{'ok' if rps >= 300 and wrk_result['p99'] < 200 else 'MISSED'}]")
    print(f"push p95 <= 500 ms with {events['sockets']} sockets (paced): {p95:.1f} ms  "
          f"[{'ok' if p95 <= 500 else 'MISSED'}]")


def main() -> int:
    args = parse_args()
    setup()
    from django.utils import timezone

    print("preparing a fresh database", flush=True)
    _, url = fresh_database("reports")
    tokens, points, categories = clients_create(args)
    servers = Servers()
    listener = None
    try:
        base, ws_url, _ = servers_start(servers, url, args)
        print(f"servers up: {base} and {ws_url}; connecting {len(tokens)} sockets", flush=True)
        listener, out_file = listener_start(ws_url, tokens)
        print(f"paced phase: {args.paced} reports", flush=True)
        paced_ids, paced_ms = paced(base, args, points, categories)
        time.sleep(2)
        load_start = timezone.now()
        print(f"load phase: wrk -c{args.clients} for {args.duration:g} s", flush=True)
        wrk_result = load(base, args, points, categories)
        time.sleep(3)  # deliveries still in flight
        listener.send_signal(signal.SIGTERM)
        listener.wait(timeout=60)
        events = json.loads(out_file.read_text())
        print_report(args, paced_ms, paced_ids, wrk_result, events, tokens, load_start)
    finally:
        if listener and listener.poll() is None:
            listener.kill()
        servers.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
