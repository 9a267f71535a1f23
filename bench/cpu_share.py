"""CPU seconds used by each kind of process between two snapshots (Linux /proc), so a benchmark
can print where the machine's time went: app server, socket server, PostgreSQL, Redis, the
load generator and the benchmark's own clients."""
import os
from collections import Counter

TICKS = os.sysconf("SC_CLK_TCK")


def snapshot() -> dict[int, tuple[str, float]]:
    """pid -> (name, CPU seconds so far) of every process we may read."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                text = handle.read()
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read().split(b"\0")
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        found[int(entry)] = (_kind(name, argv), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def _kind(name: str, argv: list[bytes]) -> str:
    joined = b" ".join(argv).decode(errors="replace")
    if name.startswith("postgres") or joined.startswith("postgres"):
        return "postgresql"
    if "granian" in joined:
        return "granian (HTTP)"
    if "uvicorn" in joined:
        return "uvicorn (sockets)"
    if "redis-server" in joined:
        return "redis"
    if name == "wrk":
        return "wrk (load)"
    if "reports_listener" in joined:
        return "socket clients (bench)"
    return "other"


def used(before: dict, after: dict) -> Counter:
    """CPU seconds per kind between the snapshots (processes that ended in between are not
    counted; ones that started count from zero)."""
    totals: Counter = Counter()
    for pid, (kind, seconds) in after.items():
        start = before.get(pid, (kind, 0.0))[1]
        totals[kind] += max(0.0, seconds - start)
    return totals
