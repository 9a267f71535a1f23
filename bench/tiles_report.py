"""The printed report of bench/tiles.py: tables, ratios against the targets, 40 ms steps."""
import os
from collections import Counter, defaultdict

from tiles_http import Pass, WrkResult, pct

TARGETS = """targets: uncached p50 / direct p50 <= 1.2; uncached req/s / tipg req/s >= 2 (2 and 16
connections); cached >= 1000 req/s with p99 < 50 ms at 16 connections; nginx disk tiles /
plain file >= 0.5"""


def _fmt(value: float, digits: int = 1) -> str:
    return "—" if value != value else f"{value:,.{digits}f}"  # NaN -> dash


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


class Report:
    def __init__(self, args, tiles) -> None:
        self.args, self.tiles = args, tiles
        self.passes: dict[str, Pass] = {}
        self.wrk: list[WrkResult] = []
        self.direct: Pass | None = None
        self.paced: Pass | None = None  # (a') direct SQL with a 2 ms pause before each
        self.prepared: Pass | None = None  # (a'') direct SQL prepared as the endpoint does
        self.direct_bytes: list[int] = []
        self.uncached = self.cached = self.tipg = None
        self.uncached_compared: dict[str, Pass] = {}   # server -> (b') pass
        self.floors: dict[str, Pass] = {}              # server -> (0) pass
        self.tipg_views: list[str] = []
        self.nginx_checks: list[str] = []
        self.plain_size = 0
        self.notes: list[str] = []
        self.load_start = self.load_end = (float("nan"),) * 3

    def add_pass(self, label: str, result: Pass) -> None:
        self.passes[label] = result
        print(f"  {label}: {len(result.ms)} requests, p50 {result.p50:.1f} ms", flush=True)

    def add_wrk(self, result: WrkResult) -> None:
        self.wrk.append(result)
        print(f"  wrk {result.label} c{result.connections}: {result.rps:,.0f} req/s, "
              f"p99 {result.p99:.1f} ms", flush=True)

    def _wrk(self, prefix: str, conns: int) -> WrkResult | None:
        return next((w for w in self.wrk if w.label.startswith(prefix)
                     and w.connections == conns), None)

    # ---------- sections ----------

    def header(self) -> None:
        by_layer = Counter(t.slug + (f"?{t.query}" if t.query else "") for t in self.tiles)
        by_zoom = Counter(t.z for t in self.tiles)
        print(f"\n=== Vector tiles benchmark: {len(self.tiles)} tiles (seed {self.args.seed}), "
              f"wrk {self.args.duration:g} s per run, threads 2 ===")
        print("app: granian --interface wsgi --workers 2 --blocking-threads 8 (as `make demo`), "
              "DJANGO_SETTINGS_MODULE=ioc_gis.settings.prod (DEBUG off), SECURE_SSL_REDIRECT=0")
        print(f"machine: {os.cpu_count()} CPUs; load average at start "
              f"{' '.join(f'{v:.2f}' for v in self.load_start)}, at end "
              f"{' '.join(f'{v:.2f}' for v in self.load_end)} (other work skews every figure)")
        print("layers: " + ", ".join(f"{k} {v}" for k, v in by_layer.most_common()))
        print("zooms:  " + ", ".join(f"z{z} {by_zoom[z]}" for z in sorted(by_zoom)))

    def per_zoom(self) -> None:
        print("\n-- (a) direct SQL per zoom (ms; raw MVT bytes) --")
        print(f"{'z':>3} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8} {'max bytes':>10}")
        rows = defaultdict(list)
        for tile, ms, size in zip(self.tiles, self.direct.ms, self.direct_bytes, strict=True):
            rows[tile.z].append((ms, size))
        for z in sorted(rows):
            ms = [m for m, _ in rows[z]]
            print(f"{z:>3} {len(ms):>4} {_fmt(pct(ms, 50), 2):>8} {_fmt(pct(ms, 95), 2):>8} "
                  f"{_fmt(max(ms), 2):>8} {max(s for _, s in rows[z]):>10,}")

    def per_layer(self) -> None:
        columns = [("HTTP floor", self.floors.get("granian")), ("direct SQL", self.direct),
                   ("uncached", self.uncached),
                   *((f"unc. {server}", p) for server, p in self.uncached_compared.items()),
                   ("cached redis", self.cached), ("tipg", self.tipg)]
        columns = [(name, p) for name, p in columns if p is not None]
        print("\n-- p50 ms per layer, one client, same tiles --")
        print(f"{'layer':<36}{'n':>4}{'empty':>6}" + "".join(f"{name:>14}" for name, _ in columns))
        groups = defaultdict(list)
        for i, tile in enumerate(self.tiles):
            groups[tile.slug + (f"?{tile.query}" if tile.query else "")].append(i)
        for name, idx in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            cells = "".join(f"{_fmt(pct([p.ms[i] for i in idx], 50), 2):>14}" for _, p in columns)
            empty = sum(self.direct_bytes[i] == 0 for i in idx)
            print(f"{name:<36}{len(idx):>4}{empty:>6}{cells}")

    def sequential_table(self) -> None:
        print("\n-- one client, sequential, keep-alive (ms) --")
        print(f"{'run':<36}{'n':>5}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'req/s':>8}"
              f"{'30-38ms':>8}{'38-46ms':>8}  statuses")
        rows = [("(a) direct SQL (psycopg2)", self.direct)]
        if self.paced:
            rows.append(("(a') direct SQL, 2 ms pause before each", self.paced))
        if self.prepared:
            rows.append(("(a'') direct SQL, prepared", self.prepared))
        rows += list(self.passes.items())
        for label, p in rows:
            mean = sum(p.ms) / len(p.ms)
            near = p.near_40ms()
            statuses = " ".join(f"{k}:{v}" for k, v in p.statuses().items()) or "—"
            print(f"{label:<36}{len(p.ms):>5}{_fmt(p.p50, 2):>8}{_fmt(p.p95, 2):>8}"
                  f"{_fmt(pct(p.ms, 99), 2):>8}{_fmt(max(p.ms), 1):>8}{1000 / mean:>8,.0f}"
                  f"{near[0]:>8}{near[1]:>8}  {statuses}")

    def wrk_table(self) -> None:
        print("\n-- wrk -t2 (ms; req/s) --")
        print(f"{'run':<40}{'conns':>5}{'req/s':>9}{'p50':>8}{'p90':>8}{'p99':>8}{'p99.9':>8}"
              f"{'max':>8}{'30-38':>7}{'38-46':>7}{'>=400':>7}{'err':>5}")
        for w in self.wrk:
            print(f"{w.label:<40}{w.connections:>5}{w.rps:>9,.0f}{w.p50:>8.2f}{w.p90:>8.2f}"
                  f"{w.p99:>8.2f}{w.p999:>8.2f}{w.max:>8.1f}{w.n_30_38:>7}{w.n_38_46:>7}"
                  f"{w.non_2xx_3xx:>7}{w.errors:>5}")

    def ratios(self) -> None:
        print("\n-- ratios --")
        print(TARGETS)
        if self.direct and self.uncached:
            r = self.uncached.p50 / self.direct.p50
            print(f"uncached p50 / direct SQL p50 (one client): {self.uncached.p50:.2f} / "
                  f"{self.direct.p50:.2f} = {r:.2f}  [{_mark(r <= 1.2)}]")
            for server, p in (("granian", self.uncached), *self.uncached_compared.items()):
                extra = [u - d for u, d in zip(p.ms, self.direct.ms, strict=True)]
                floor = self.floors.get(server)
                print(f"  {server}: p50 {p.p50:.2f} ms; per tile, endpoint minus direct SQL: "
                      f"median {pct(extra, 50):.2f} ms, p90 {pct(extra, 90):.2f} ms"
                      + (f"; HTTP floor (no-op app, same server and client) p50 {floor.p50:.2f} ms"
                         if floor else ""))
            floor = self.floors.get("granian")
            if floor:
                print(f"  above the HTTP floor: (uncached p50 - floor p50) / direct p50 = "
                      f"{(self.uncached.p50 - floor.p50) / self.direct.p50:.2f}")
            if self.prepared:
                print(f"  the same statements prepared, as the endpoint sends them: p50 "
                      f"{self.prepared.p50:.2f} ms; uncached p50 / that = "
                      f"{self.uncached.p50 / self.prepared.p50:.2f} (diagnostic, not the target)")
            if self.paced:
                print(f"  direct SQL with a 2 ms pause before each statement: p50 "
                      f"{self.paced.p50:.2f} ms ({self.paced.p50 / self.direct.p50:.2f}× the "
                      f"back-to-back p50); uncached p50 / that = "
                      f"{self.uncached.p50 / self.paced.p50:.2f} (diagnostic, not the target)")
        for conns in self.args.conns:
            tipg = self._wrk("(d)", conns)
            for prefix, name in (("(b) app", "uncached"),
                                 *((f"(b') uncached, {s}", f"uncached {s}")
                                   for s in ("gunicorn", "uvicorn"))):
                ours = self._wrk(prefix, conns)
                if ours and tipg:
                    r = ours.rps / tipg.rps
                    print(f"{name} / tipg req/s at {conns:>2} connections: {ours.rps:,.0f} / "
                          f"{tipg.rps:,.0f} = {r:.2f}  [{_mark(r >= 2)}]")
        top = max(self.args.conns)
        for prefix in ("(c) app cached redis", "(c) app cached file",
                       "(c') cached redis, gunicorn", "(c') cached redis, uvicorn"):
            w = self._wrk(prefix, top)
            if w:
                print(f"{prefix} at {top} connections: {w.rps:,.0f} req/s, p99 {w.p99:.1f} ms  "
                      f"[{_mark(w.rps >= 1000 and w.p99 < 50)}]")
        for conns in self.args.conns:
            disk, plain = self._wrk("nginx: public", conns), self._wrk("nginx: plain", conns)
            if disk and plain:
                r = disk.rps / plain.rps
                print(f"nginx disk tiles / plain {self.plain_size} B file at {conns:>2} "
                      f"connections: {disk.rps:,.0f} / {plain.rps:,.0f} = {r:.2f}  "
                      f"[{_mark(r >= 0.5)}]")

    def steps(self) -> None:
        print("\n-- 40 ms steps (a pile-up at 38–46 ms well above 30–38 ms) --")
        flagged = [f"wrk {w.label} c{w.connections} ({w.n_38_46} of {w.requests:,} requests)"
                   for w in self.wrk if w.step_40ms()]
        for label, p in self.passes.items():
            below, at = p.near_40ms()
            fast = pct(p.ms, 90) < 20
            if fast and at >= 3 and at > 3 * max(below, 1):
                flagged.append(f"{label} ({at} of {len(p.ms)} requests)")
        print("\n".join(flagged) if flagged else "none seen")

    def largest(self) -> None:
        print("\n-- largest tiles --")
        if self.direct_bytes:
            i = max(range(len(self.tiles)), key=lambda k: self.direct_bytes[k])
            print(f"raw MVT (direct SQL): {self.direct_bytes[i]:,} B  {self.tiles[i].path}")
        for label in ("(b) app uncached", "(d) tipg"):
            p = next((v for k, v in self.passes.items() if k.startswith(label)), None)
            if p:
                i = max(range(len(p.size)), key=lambda k: p.size[k])
                enc = p.headers[i].get("content-encoding", "identity")
                print(f"{label} body ({enc}): {p.size[i]:,} B  {self.tiles[i].path}")

    def print(self) -> None:
        self.header()
        if self.direct:
            self.per_zoom()
            self.per_layer()
            self.sequential_table()
        self.wrk_table()
        self.ratios()
        self.steps()
        self.largest()
        if self.nginx_checks:
            print("\n-- nginx layout (deploy/nginx/ioc-gis.conf) --")
            print("\n".join(self.nginx_checks))
        if self.tipg_views:
            print("\n-- tipg views (schema bench) --")
            print(";\n".join(self.tipg_views) + ";")
        if self.notes:
            print("\n-- notes --")
            print("\n".join(self.notes))
