"""Real server processes for the live-push tests: uvicorn (the socket server) and granian (HTTP),
on free ports, against the test database and a Redis channel layer with a prefix of their own.
Each runs in its own process group and is always stopped (SIGTERM, then SIGKILL)."""
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
LOGS = ROOT / "var" / "test-artifacts" / "live"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """The URL of the (test) database a Django connection uses."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def server_env(*, database: str, redis_url: str, prefix: str) -> dict:
    """The environment of a server process: dev settings without debug, the test database, the
    shared channel layer under `prefix`, no tile cache (the demo's files stay untouched)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_CURRENT_TEST")}
    env.update({"DJANGO_SETTINGS_MODULE": "ioc_gis.settings.dev", "DEBUG": "0",
                "DATABASE_URL": database, "IOC_LIVE_REDIS_URL": redis_url,
                "IOC_LIVE_CHANNEL_PREFIX": prefix, "TILES_CACHE": "off",
                "IOC_THROTTLE_ANON_BURST": "10000/min"})
    return env


class Server:
    """One server process; `start()` again after `stop()` restarts it on the same port."""

    def __init__(self, name: str, argv: list[str], env: dict, port: int):
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        LOGS.mkdir(parents=True, exist_ok=True)
        with open(LOGS / f"{self.name}.log", "ab") as log:
            self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}); see "
                                   f"{LOGS / (self.name + '.log')}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout} s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def uvicorn(name: str, env: dict) -> Server:
    port = free_port()
    return Server(name, [str(BIN / "uvicorn"), "ioc_gis.asgi:application", "--host", "127.0.0.1",
                         "--port", str(port), "--lifespan", "off", "--ws", "websockets",
                         "--ws-per-message-deflate", "false", "--no-access-log"], env, port)


def http_server(name: str, env: dict) -> Server:
    """The HTTP server as deployed (granian, WSGI; ADR 0010), one process of 4 threads."""
    port = free_port()
    return Server(name, [str(BIN / "granian"), "--interface", "wsgi", "ioc_gis.wsgi:application",
                         "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                         "--blocking-threads", "4", "--no-ws"], env, port)


@contextmanager
def running(*servers: Server):
    """Start every server, wait until each answers /healthz, stop them all afterwards."""
    with ExitStack() as stack:
        for server in servers:
            stack.callback(server.stop)
            server.start()
        for server in servers:
            server.wait_ready()
        yield servers


NGINX_MAIN = """{user}worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    include {dir}/ioc-gis.conf;
}}
"""


def nginx_binary() -> str | None:
    import shutil

    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if Path(found).exists() else None


def nginx(name: str, *, app: Server, ws: Server) -> Server:
    """nginx with the documented layout (deploy/nginx/ioc-gis.conf, placeholders filled as
    envsubst would) in front of `app` and `ws`, written under var/test-artifacts/live/."""
    import re

    directory = LOGS / name
    (directory / "tmp").mkdir(parents=True, exist_ok=True)
    os.chmod(directory / "tmp", 0o777)
    port = free_port()
    values = {"IOC_LISTEN": f"127.0.0.1:{port}", "IOC_APP": f"127.0.0.1:{app.port}",
              "IOC_WS": f"127.0.0.1:{ws.port}", "IOC_TILE_RATE": "1000r/s",
              "IOC_TILES_CACHE_DIR": str(directory / "tiles"),
              "IOC_STATIC_ROOT": str(ROOT / "var" / "static")}
    layout = (ROOT / "deploy" / "nginx" / "ioc-gis.conf").read_text()
    layout = re.sub(r"\$\{(IOC_[A-Z_]+)\}", lambda m: values[m.group(1)], layout)
    (directory / "ioc-gis.conf").write_text(layout)
    user = "user www-data www-data;\n" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(NGINX_MAIN.format(user=user, dir=directory))
    return Server(name, [nginx_binary(), "-p", str(directory), "-c",
                         str(directory / "nginx.conf"), "-e", str(directory / "error.log")],
                  dict(os.environ), port)


def own_connection(blocker, function, *args, **kwargs):
    """function(*args, **kwargs) in a thread of its own, on a database connection of its own that
    is closed afterwards: what the module's fixture writes is committed at once, and reads see
    what the servers committed, outside the test's transaction."""
    outcome = {}

    def run() -> None:
        from django.db import connections

        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error
        finally:
            connections.close_all()

    with blocker.unblock():
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def deployed_pair(name: str, workdir: Path, *, database: str, redis_url: str, prefix: str,
                  settings: str = "") -> tuple[Server, Server, dict]:
    """(http, ws, env): granian and uvicorn as deployed — dev settings without debug (manifest
    static files, whitenoise) in a settings module of this run, written to `workdir` with a
    STATIC_ROOT of its own and any `settings` lines — on the test database, Redis under
    `prefix`, the socket on a port of its own. Not started: `collect_static(env)` first, then
    `running(ws, http)`."""
    module = f"ioc_{name}_settings"
    (workdir / f"{module}.py").write_text(
        "from ioc_gis.settings.dev import *  # noqa: F401,F403\n"
        f"STATIC_ROOT = {str(workdir / 'static')!r}\n" + settings)
    env = server_env(database=database, redis_url=redis_url, prefix=prefix)
    env.update(DJANGO_SETTINGS_MODULE=module,
               PYTHONPATH=os.pathsep.join(p for p in (str(workdir), env.get("PYTHONPATH")) if p))
    ws = uvicorn(f"{name}-ws", env)
    http = http_server(f"{name}-http", {**env, "IOC_LIVE_WS_PORT": str(ws.port)})
    return http, ws, env


def collect_static(env: dict) -> None:
    """collectstatic into the STATIC_ROOT of `env`'s settings."""
    import sys

    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True, timeout=900)
