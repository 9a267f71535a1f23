"""Vector tiles: how close is our endpoint to the floor (its own SQL run directly), to tipg, and
how fast are cached tiles, through the app server and through nginx as documented (deploy/nginx/).

Prints figures; asserts nothing about time. In one run, over one seeded list of tiles across the
province (bench/tiles_list.py):
  (0) the HTTP floor: the same requests to a no-op WSGI app under the same server
  (a) the endpoint's statement run directly against PostGIS (psycopg2, one connection); the
      target's baseline. (a'') the same, prepared as the endpoint prepares it (tiles/prepared.py)
  (b) our endpoint uncached (TILES_CACHE=off)
  (c) our endpoint cached (TILES_CACHE=redis, then TILES_CACHE=file), warmed first
  (d) tipg on views of the same data (bench/tiles_tipg.py)
  nginx in front of the file-cached app: public tiles from disk vs one plain static file;
  (b') and (c') the app under gunicorn gthread (ADR 0008) and uvicorn (Django's ASGI handler).
Rates and percentiles under load come from wrk (bench/wrk/tiles.lua) at 2 and 16 connections.

Usage: DATABASE_URL=postgres://… .venv/bin/python bench/tiles.py [--duration 10] [--quick]
       (DATABASE_URL from the environment or .env, like the app; `make bench` runs this too)
Servers it starts (granian, gunicorn, uvicorn, tipg, nginx) are stopped on exit, error or Ctrl-C."""
import argparse
import os
import shutil
import subprocess
import sys
import time
import uuid

from _django import setup
from tiles_http import Pass, sequential, wrk
from tiles_list import tile_list, wrk_lines
from tiles_procs import ROOT, VAR, Servers, app_env, start_app
from tiles_report import Report

BENCH = ROOT / "bench"
COMPARED = {"gunicorn": "gunicorn gthread", "uvicorn": "uvicorn, ASGI handler"}

REDIS_URL = "redis://127.0.0.1:6379/3"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--quick", action="store_true",
                        help="200 tiles, 4 s per wrk run, seed to z10 only")
    parser.add_argument("--size", type=int, default=600, help="tiles in the list")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--connections", default="2,16", help="wrk connection counts")
    parser.add_argument("--seed-max-zoom", type=int, default=12,
                        help="manage.py tiles_seed --max-zoom for the nginx file cache")
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--skip", default="",
                        help="comma list of: redis,file,tipg,nginx,floor,gunicorn,uvicorn "
                             "(floor: a no-op WSGI app under the same server; gunicorn, uvicorn: "
                             "comparison runs of the app under ADR 0008's gunicorn gthread and "
                             "under Django's ASGI handler, instead of granian)")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="first wait up to SECONDS for the 1-minute load average < 0.5")
    args = parser.parse_args()
    if args.quick:
        args.size, args.duration, args.seed_max_zoom = 200, min(args.duration, 4.0), 10
    args.conns = [int(c) for c in args.connections.split(",")]
    args.skip = set(filter(None, args.skip.split(",")))
    return args


# ---------- setup in the database: statements, token ----------

def statement_for(tile):
    """What the endpoint runs for the tile as a province-wide caller: tile_sql for unfiltered
    tiles, the same builder with the parsed filters for ?date= (units)."""
    from django.http import QueryDict

    from access.principal import FeatureScope
    from tiles.filters import filters_parse
    from tiles.grid import TileAddress
    from tiles.queries import tile_statement
    from tiles.services import effective_filters, tile_sql
    from tiles.sources import registry

    source = registry.all()[tile.slug]
    if not source.min_zoom <= tile.z <= source.max_zoom:
        return None  # the endpoint answers 204 without a query
    if not tile.query:
        return tile_sql(slug=tile.slug, z=tile.z, x=tile.x, y=tile.y)
    filters = effective_filters(source, filters_parse(source, QueryDict(tile.query)))
    return tile_statement(source, TileAddress(tile.z, tile.x, tile.y), filters,
                          FeatureScope.EVERYTHING)


def token_create():
    """A province-wide user (group province_leader) and a layers:read token; (token, key)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from access.services import api_token_create

    user, created = get_user_model().objects.get_or_create(
        username="bench-province-leader", defaults={"is_active": True})
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name="province_leader"))
    return api_token_create(name=f"bench/tiles.py {uuid.uuid4().hex[:8]}", user=user,
                            scopes=["layers:read"],
                            expires_at=timezone.now() + timedelta(hours=6))


def db_connect():
    """One psycopg2 connection like the app's (same DATABASE_URL, jit off)."""
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg2.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"],
                            host=db["HOST"] or None, port=db["PORT"] or None,
                            options="-c jit=off")


TILE_TABLES = ("layers_feature", "layers_adminunit", "tiles_unitshape", "tiles_unitlabel",
               "tiles_basemapfeature", "tiles_pointcell", "tiles_pointcelltotal")


def planner_notes(conn) -> list[str]:
    """Tables the tile statements read that PostgreSQL has never analysed (no statistics: the
    planner guesses, e.g. nested loops over every unit), and whether autovacuum would."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s) AND reltuples < 0 "
                       "ORDER BY relname", [list(TILE_TABLES)])
        never = [row[0] for row in cursor.fetchall()]
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
    conn.rollback()
    return [f"tables never analysed: {', '.join(never) or 'none'}; autovacuum {autovacuum}"]


# (a') the same statements with this pause before each: a server's statements come between
# other work, and an idle gap alone slows the next statement (cold caches, wake-up).
PACED_PAUSE_S = 0.002


def direct_sql(conn, tiles, statements, pause: float = 0.0) -> tuple[Pass, list[int]]:
    """(a) every statement once, in list order: ms, raw MVT bytes."""
    result, sizes = Pass(), []
    with conn.cursor() as cursor:
        for tile, statement in zip(tiles, statements, strict=True):
            if statement is None:
                result.ms.append(0.0)
                sizes.append(0)
                continue
            sql, params = statement
            if pause:
                time.sleep(pause)
            start = time.perf_counter()
            cursor.execute(sql, params)
            row = cursor.fetchone()
            result.ms.append((time.perf_counter() - start) * 1000)
            sizes.append(len(row[0]) if row and row[0] is not None else 0)
    conn.rollback()
    return result, sizes


def direct_prepared(conn, tiles, statements) -> Pass:
    """(a'') the same statements as the endpoint sends them (tiles/prepared.py): PREPAREd once
    per text, then one EXECUTE per tile, warmed past PostgreSQL's five custom plans."""
    from ioc_gis.db.prepared import prepared_from_named

    done, result = set(), Pass()
    with conn.cursor() as cursor:
        for rounds in (6, 1):  # warm-up rounds, then the measured one
            result = Pass()
            for _ in range(rounds):
                for tile, statement in zip(tiles, statements, strict=True):
                    if statement is None:
                        result.ms.append(0.0)
                        continue
                    sql, params = statement
                    prepared, order = prepared_from_named(sql, "tile")
                    if prepared.name not in done:
                        cursor.execute(prepared.prepare_sql)
                        done.add(prepared.name)
                    values = [params[name] for name in order]
                    start = time.perf_counter()
                    cursor.execute(prepared.execute_sql, values)
                    cursor.fetchone()
                    result.ms.append((time.perf_counter() - start) * 1000)
    conn.rollback()
    return result


# ---------- the runs ----------

class Bench:
    def __init__(self, args, tiles, key: str, report: Report) -> None:
        self.args, self.tiles, self.key, self.report = args, tiles, key, report
        self.servers = Servers()
        self.paths = [t.path for t in tiles]
        self.auth = [t.private for t in tiles]
        self.lines = wrk_lines(tiles, lambda t: t.path)

    def seq(self, base: str, label: str, paths=None, auth=None) -> Pass:
        result = sequential(base, paths or self.paths, auth=auth or self.auth, token=self.key)
        self.report.add_pass(label, result)
        return result

    def load(self, base: str, label: str, lines=None) -> None:
        lines = lines or self.lines
        wrk(base, lines, label="warm-up", connections=max(self.args.conns),
            duration=min(2.0, self.args.duration), token=self.key)
        for conns in self.args.conns:
            self.report.add_wrk(wrk(base, lines, label=label, connections=conns,
                                    duration=self.args.duration, token=self.key))

    def app(self, label: str, cache: str, extra: dict | None = None,
            server: str = "granian") -> str:
        env = app_env(cache=cache, extra={"REDIS_URL": self.args.redis_url, **(extra or {})})
        base, _ = start_app(self.servers, name=label.replace(" ", "-"), env=env, server=server)
        return base

    def compared(self) -> list[str]:
        return [server for server in COMPARED if server not in self.args.skip]

    def floor(self, server: str = "granian") -> None:
        """(0) the same requests to a no-op WSGI app under the same server: the HTTP floor."""
        base, _ = start_app(self.servers, name=f"floor-{server}", env=dict(os.environ),
                            server=server, target="wsgi_floor:application", probe="/",
                            cwd=BENCH)
        label = "(0) HTTP floor: no-op WSGI app" + ("" if server == "granian" else f", {server}")
        self.report.floors[server] = self.seq(base, label)
        self.servers.stop_all()

    def uncached(self) -> None:
        if "floor" not in self.args.skip:
            self.floor()
        base = self.app("app uncached", "off")
        # Warm the server's connections first, as (a) is warmed: each new PostgreSQL session
        # fills its own PostGIS caches on first use, and the server holds one per thread.
        self.seq(base, "(b) first pass (warms the connections)")
        self.report.uncached = self.seq(base, "(b) app uncached")
        self.load(base, "(b) app uncached")
        self.servers.stop_all()
        for server in self.compared():
            if "floor" not in self.args.skip and server == "gunicorn":
                self.floor(server)
            label = f"(b') uncached, {COMPARED[server]}"
            base = self.app(f"app uncached {server}", "off", server=server)
            self.seq(base, f"(b') first pass, {server}")
            self.report.uncached_compared[server] = self.seq(base, label)
            self.load(base, label)
            self.servers.stop_all()

    def redis_cached(self) -> None:
        prefix = f"bench:{uuid.uuid4().hex[:10]}"
        try:
            base = self.app("app redis", "redis", {"TILES_CACHE_PREFIX": prefix})
            self.seq(base, "(c) redis, first fetch (renders)")
            self.report.cached = self.seq(base, "(c) app cached redis")
            self.load(base, "(c) app cached redis")
            self.servers.stop_all()
            for server in self.compared():
                label = f"(c') cached redis, {COMPARED[server]}"
                base = self.app(f"app redis {server}", "redis", {"TILES_CACHE_PREFIX": prefix},
                                server=server)
                self.seq(base, label)
                self.load(base, label)
                self.servers.stop_all()
        finally:
            redis_forget(self.args.redis_url, prefix)

    def file_cached(self, cache_dir) -> str:
        """Seed public reference tiles with tiles_seed, start the app, warm the list."""
        env = app_env(cache="file", extra={"TILES_CACHE_DIR": str(cache_dir),
                                           "REDIS_URL": self.args.redis_url})
        start = time.perf_counter()
        seed = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", "tiles_seed",
                               "--max-zoom", str(self.args.seed_max_zoom)],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        if seed.returncode != 0:
            raise RuntimeError(f"tiles_seed failed:\n{seed.stdout[-2000:]}{seed.stderr[-2000:]}")
        self.report.notes.append(
            f"tiles_seed --max-zoom {self.args.seed_max_zoom}: "
            f"{seed.stdout.strip().splitlines()[-1] if seed.stdout.strip() else '?'} "
            f"in {time.perf_counter() - start:.0f} s")
        base = self.app("app file", "file", {"TILES_CACHE_DIR": str(cache_dir)})
        self.seq(base, "(c) file, first fetch")
        self.seq(base, "(c) app cached file")
        if "file" not in self.args.skip:
            self.load(base, "(c) app cached file")
        return base

    def tipg(self, conn) -> None:
        from tiles_tipg import TIPG_VERSION, ensure_views, start_tipg, tipg_path

        ddl = ensure_views(conn, {t.slug for t in self.tiles})
        self.report.tipg_views = ddl
        base = start_tipg(self.servers, database_url=os.environ["DATABASE_URL"])
        label = f"(d) tipg {TIPG_VERSION}"
        paths = [tipg_path(t) for t in self.tiles]
        self.report.tipg = self.seq(base, label, paths=paths, auth=[False] * len(paths))
        self.load(base, label, lines=[f"- {p}" for p in paths])
        self.servers.stop_all()


def redis_forget(url: str, prefix: str) -> None:
    """Delete the keys this run wrote under its own prefix."""
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.delete(key)


def wait_quiet(seconds: float) -> None:
    """Other work on the machine skews every figure: wait for it to end, up to a limit."""
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] >= 0.5 and time.monotonic() < deadline:
        time.sleep(10)


def server_errors() -> list[str]:
    """What the app servers logged as errors during this run (their logs are rewritten each run)."""
    notes = []
    for log in sorted((VAR / "logs").glob("app-*.log")):
        text = log.read_text(errors="replace")
        errors = text.count("Internal Server Error")
        if errors:
            too_many = sum("too many clients already" in line
                       for line in text.splitlines()
                       if line.startswith("django.db.utils.OperationalError"))
            notes.append(f"{log.name}: {errors} 'Internal Server Error' logged, {too_many} of them "
                         f"PostgreSQL 'sorry, too many clients already'")
    return notes


def main() -> None:
    args = parse_args()
    wait_quiet(args.wait_quiet)
    setup()
    from tiles_nginx import nginx_runs

    for old_log in (VAR / "logs").glob("app-*.log"):
        old_log.unlink()
    tiles = tile_list(size=args.size, seed=args.seed)
    report = Report(args, tiles)
    report.load_start = os.getloadavg()
    token, key = token_create()
    conn = db_connect()
    bench = Bench(args, tiles, key, report)
    try:
        report.notes += planner_notes(conn)
        statements = [statement_for(t) for t in tiles]
        direct_sql(conn, tiles, statements)  # warm the database's caches
        report.direct, report.direct_bytes = direct_sql(conn, tiles, statements)
        report.paced, _ = direct_sql(conn, tiles, statements, pause=PACED_PAUSE_S)
        report.prepared = direct_prepared(conn, tiles, statements)
        bench.uncached()
        if "redis" not in args.skip:
            bench.redis_cached()
        cache_dir = VAR / "tiles-cache"
        shutil.rmtree(cache_dir, ignore_errors=True)
        if not {"file", "nginx"} <= args.skip:
            app_base = bench.file_cached(cache_dir)
            if "nginx" not in args.skip:
                nginx_runs(bench, app_base, cache_dir)
            bench.servers.stop_all()
        if "tipg" not in args.skip:
            bench.tipg(conn)
    finally:
        bench.servers.stop_all()
        conn.close()
        token.delete()
    report.load_end = os.getloadavg()
    report.notes += server_errors()
    report.print()


if __name__ == "__main__":
    sys.exit(main())
