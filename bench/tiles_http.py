"""Clients of bench/tiles.py: one sequential keep-alive client (per-tile latency, statuses,
sizes) and wrk with bench/wrk/tiles.lua (rates and latency percentiles under load)."""
import http.client
import json
import os
import socket
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tiles_procs import VAR

LUA = Path(__file__).resolve().parent / "wrk" / "tiles.lua"


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Pass:
    """One sequential pass over the list: per request ms, status and body bytes."""
    ms: list[float] = field(default_factory=list)
    status: list[int] = field(default_factory=list)
    size: list[int] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return pct(self.ms, 50)

    @property
    def p95(self) -> float:
        return pct(self.ms, 95)

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for code in self.status:
            counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items()))

    def near_40ms(self) -> tuple[int, int]:
        """(requests in [30, 38) ms, requests in [38, 46) ms)."""
        return (sum(30 <= v < 38 for v in self.ms), sum(38 <= v < 46 for v in self.ms))


def sequential(base: str, paths: list[str], *, auth: list[bool], token: str = "",
               gzip: bool = True) -> Pass:
    """GET every path once, in order, over one kept-alive connection."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    result = Pass()
    for path, private in zip(paths, auth, strict=True):
        headers = {"Accept-Encoding": "gzip"} if gzip else {}
        if private:
            headers["Authorization"] = f"Token {token}"
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        result.ms.append((time.perf_counter() - start) * 1000)
        result.status.append(response.status)
        result.size.append(len(body))
        result.headers.append({k.lower(): v for k, v in response.getheaders()})
        if response.will_close:
            conn.close()
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.close()
    return result


@dataclass
class WrkResult:
    label: str
    connections: int
    rps: float
    p50: float
    p90: float
    p99: float
    p999: float
    max: float
    errors: int
    non_2xx_3xx: int
    n_30_38: int
    n_38_46: int
    requests: int

    def step_40ms(self) -> bool:
        """A pile-up at 38–46 ms well above its neighbourhood: the delayed-ACK signature."""
        return (self.n_38_46 >= max(5, 0.002 * self.requests)
                and self.n_38_46 > 3 * max(self.n_30_38, 1))


def wrk(base: str, lines: list[str], *, label: str, connections: int, duration: float,
        token: str = "", threads: int = 2) -> WrkResult:
    """wrk -t threads -c connections for `duration` seconds over the URL lines."""
    VAR.mkdir(parents=True, exist_ok=True)
    url_file = VAR / f"wrk-{label.replace(' ', '_').replace('/', '_')}.urls"
    url_file.write_text("\n".join(lines) + "\n")
    env = dict(os.environ, IOC_BENCH_URLS=str(url_file), IOC_BENCH_TOKEN=token,
               IOC_BENCH_THREADS=str(threads))
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s",
            "--timeout", "30s", "-s", str(LUA), base]
    run = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    errors = data["errors"]
    return WrkResult(
        label=label, connections=connections, rps=data["requests"] / data["duration_s"],
        p50=data["p50"], p90=data["p90"], p99=data["p99"], p999=data["p99.9"], max=data["max"],
        errors=errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        non_2xx_3xx=errors["status"], n_30_38=data["n_30_38ms"], n_38_46=data["n_38_46ms"],
        requests=data["requests"])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
