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


# How each server is started, as the Makefile (granian) and the comparison rows run them.
SERVERS = ("granian", "gunicorn", "uvicorn")


HTTP_THREADS = 5  # per worker process, as scripts/serve.sh runs the app (ADR 0010)


def server_argv(server: str, target: str, port: int, workers: int = 2) -> list[str]:
    """argv of `server` serving `target` on 127.0.0.1:port (2 processes × 8 threads)."""
    venv = ROOT / ".venv" / "bin"
    if server == "granian":  # the app's server (Makefile, docker-compose; ADR 0010)
        return [str(venv / "granian"), "--interface", "wsgi", target, "--host", "127.0.0.1",
                "--port", str(port), "--workers", str(workers), "--blocking-threads", str(HTTP_THREADS),
                "--blocking-threads-idle-timeout", "600", "--no-ws", "--log-level", "warning"]
    if server == "gunicorn":  # ADR 0008's server, kept as a comparison row
        return [str(venv / "gunicorn"), target, "--bind", f"127.0.0.1:{port}",
                "--worker-class", "gthread", "--workers", str(workers), "--threads", "8",
                "--keep-alive", "30"]
    if server == "uvicorn":  # Django's ASGI handler, as before ADR 0008
        return [str(venv / "uvicorn"), target.replace("wsgi", "asgi"), "--http", "httptools",
                "--lifespan", "off", "--no-access-log", "--workers", str(workers),
                "--host", "127.0.0.1", "--port", str(port)]
    raise ValueError(server)


def start_app(servers: Servers, *, name: str, env: dict, server: str = "granian",
              target: str = "ioc_gis.wsgi:application", probe: str = "/tiles/basemap/0/0/0.pbf",
              cwd: Path = ROOT) -> tuple[str, Path]:
    """The app (or another WSGI target) under `server`; the base URL and the log."""
    port = free_port()
    log = VAR / "logs" / f"{name}.log"
    proc = servers.start(name, server_argv(server, target, port), env=env, cwd=cwd, log=log)
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}{probe}", proc, log)
    return base, log
