"""`make bench`: every benchmark, one after the other (figures only, nothing asserted).

  bench/srid_tiles.py  storage SRID: transform at request time vs the stored 3857 copy
  bench/tiles.py       tile endpoint vs direct SQL, tipg, caches and nginx (the long one)
  bench/reports.py     citizens' reports: POSTs/s at 16 clients, commit-to-socket latency

Arguments are passed to bench/tiles.py (e.g. `make bench BENCH_ARGS=--quick`); --quick also
shortens srid_tiles.py. DATABASE_URL comes from the environment or .env, like the app's."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    args = sys.argv[1:]
    runs = [
        [sys.executable, str(HERE / "srid_tiles.py")] + (["--repeat", "5"] if "--quick" in args
                                                          else []),
        [sys.executable, str(HERE / "tiles.py"), *args],
        [sys.executable, str(HERE / "reports.py")] + (["--duration", "5"] if "--quick" in args
                                                       else []),
    ]
    failed = 0
    for argv in runs:
        print(f"\n##### {Path(argv[1]).name} {' '.join(argv[2:])}", flush=True)
        failed |= subprocess.run(argv, cwd=HERE.parent).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
