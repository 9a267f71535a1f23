"""Servers of bench/tiles.py (uvicorn, tipg, nginx): started in their own process groups and
always stopped — on normal exit, on an exception, on Ctrl-C and on SIGTERM."""
import atexit
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"


def free_port() -> int:
    """A TCP port nobody listens on right now (on 127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Servers:
    """Every process we started; `stop_all` ends each by its own process group id."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []
        atexit.register(self.stop_all)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        self.stop_all()
        sys.exit(128 + signum)

    def start(self, name: str, argv: list[str], *, env: dict, cwd: Path,
              log: Path) -> subprocess.Popen:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        """SIGTERM the process group, SIGKILL it after 10 s."""
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.procs = [(n, p) for n, p in self.procs if p is not proc]

    def stop_all(self) -> None:
        for _, proc in list(reversed(self.procs)):
            self.stop(proc)


def wait_http(url: str, proc: subprocess.Popen, log: Path, *, headers: dict | None = None,
              timeout: float = 60.0) -> None:
    """Until `url` answers (any status below 500), or raise with the server's log tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}),
                                        timeout=5) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise RuntimeError(f"server behind {url} did not come up (exit code {proc.poll()}):\n{tail}")


def app_env(*, cache: str, extra: dict | None = None) -> dict:
    """Environment of our app as deployed: prod settings, plain HTTP on 127.0.0.1.

    prod.py forces DEBUG off and redirects to HTTPS unless SECURE_SSL_REDIRECT is off; the
    proxy that terminates TLS is absent here, so the redirect is switched off (env-driven)."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "ioc_gis.settings.prod",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TILES_CACHE": cache,
        "LOG_LEVEL": "WARNING",
    })
    env.update(extra or {})
    return env


def start_app(servers: Servers, *, name: str, env: dict, workers: int = 2,
              wsgi: bool = False) -> tuple[str, Path]:
    """The app as the Makefile serves it (gunicorn, gthread, 2 × 8 threads); the base URL.
    `wsgi`: the comparison row, the ASGI handler under uvicorn (httptools) as before ADR 0008."""
    port = free_port()
    log = VAR / "logs" / f"{name}.log"
    if wsgi:
        argv = [str(ROOT / ".venv" / "bin" / "uvicorn"), "ioc_gis.asgi:application",
                "--http", "httptools", "--lifespan", "off", "--no-access-log",
                "--workers", str(workers), "--host", "127.0.0.1", "--port", str(port)]
    else:
        argv = [str(ROOT / ".venv" / "bin" / "gunicorn"), "ioc_gis.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread",
                "--workers", str(workers), "--threads", "8", "--keep-alive", "30"]
    proc = servers.start(name, argv, env=env, cwd=ROOT, log=log)
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/tiles/basemap/0/0/0.pbf", proc, log)
    return base, log
