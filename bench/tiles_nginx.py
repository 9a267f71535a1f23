"""nginx for bench/tiles.py: the documented layout (deploy/nginx/ioc-gis.conf, placeholders
filled in) inside an http {} block with Debian's defaults, plus a plain static-file server as
the baseline. Everything is written under var/bench/nginx; the system's nginx is not touched."""
import os
import re
import shutil
import subprocess
from pathlib import Path

from tiles_procs import ROOT, VAR, Servers, free_port, wait_http

TEMPLATE = ROOT / "deploy" / "nginx" / "ioc-gis.conf"
PLACEHOLDER = re.compile(r"\$\{(IOC_[A-Z_]+)\}")

MAIN_CONF = """{user}worker_processes 2;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    # as Debian's /etc/nginx/nginx.conf
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    gzip on;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;

    include {dir}/ioc-gis.conf;

    # Baseline: one plain file from a plain location, same connection settings.
    server {{
        listen 127.0.0.1:{plain_port};
        sendfile on;
        tcp_nopush off;
        tcp_nodelay on;
        keepalive_requests 10000;
        location /plain/ {{ root {dir}/www; }}
    }}
}}
"""


def render_layout(values: dict[str, str], *, nopush: bool = False) -> str:
    """deploy/nginx/ioc-gis.conf with its ${IOC_*} placeholders filled in (as envsubst would).
    `nopush`: drop the server's tcp_nopush override, so Debian's "tcp_nopush on" applies."""
    text = TEMPLATE.read_text()
    missing = sorted(set(PLACEHOLDER.findall(text)) - set(values))
    if missing:
        raise KeyError(f"no value for {', '.join(missing)} in {TEMPLATE}")
    text = PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
    if nopush:
        text = text.replace("    tcp_nopush off;\n", "", 1)
    return text


def start_nginx(servers: Servers, *, app: str, cache_dir: Path, plain_bytes: bytes,
                nopush: bool = False) -> tuple[str, str]:
    """nginx on two free ports: (layout base URL, baseline base URL)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is not installed (apt-get install -y nginx-light)")
    conf_dir = VAR / ("nginx-nopush" if nopush else "nginx")
    shutil.rmtree(conf_dir, ignore_errors=True)
    (conf_dir / "tmp").mkdir(parents=True)
    (conf_dir / "www" / "plain").mkdir(parents=True)
    (conf_dir / "www" / "plain" / "tile.bin").write_bytes(plain_bytes)
    port, plain_port = free_port(), free_port()
    (conf_dir / "ioc-gis.conf").write_text(render_layout({
        "IOC_LISTEN": f"127.0.0.1:{port}",
        "IOC_APP": app.removeprefix("http://"),
        "IOC_WS": "127.0.0.1:9",  # no socket server in the tile bench (nothing asks for /ws/)
        # The bench is one client address asking for thousands of tiles a second.
        "IOC_TILE_RATE": "100000r/s",
        "IOC_TILES_CACHE_DIR": str(cache_dir),
        "IOC_STATIC_ROOT": str(ROOT / "var" / "static"),
    }, nopush=nopush))
    user = "user www-data www-data;\n" if os.geteuid() == 0 else ""
    conf = conf_dir / "nginx.conf"
    conf.write_text(MAIN_CONF.format(user=user, dir=conf_dir, plain_port=plain_port))
    check = subprocess.run([binary, "-t", "-p", str(conf_dir), "-c", str(conf),
                            "-e", str(conf_dir / "error.log")], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
    log = conf_dir / "stdout.log"
    proc = servers.start("nginx", [binary, "-p", str(conf_dir), "-c", str(conf),
                                   "-e", str(conf_dir / "error.log")],
                         env=dict(os.environ), cwd=conf_dir, log=log)
    base, plain = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{plain_port}"
    wait_http(f"{plain}/plain/tile.bin", proc, log)
    return base, plain


# ---------- the nginx runs of bench/tiles.py ----------

def tile_file(cache_dir: Path, tile) -> Path:
    return cache_dir / tile.slug / str(tile.z) / str(tile.x) / str(tile.y) / "public.mvt.gz"


def _get(base: str, path: str, headers: dict) -> tuple[int, dict, bytes]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, \
                response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()
    except (urllib.error.URLError, ConnectionError) as exc:  # e.g. nginx dropped the connection
        return -1, {"error": repr(exc)}, b""


def layout_checks(base: str, app: str, cache_dir: Path, tiles, key: str) -> list[str]:
    """What the documented layout does, request by request (not timed)."""
    import gzip

    found = [t for t in tiles if t.is_plain_public and tile_file(cache_dir, t).exists()]
    full = [t for t in found if tile_file(cache_dir, t).stat().st_size > 0]
    empty = [t for t in found if tile_file(cache_dir, t).stat().st_size == 0]
    lines = []
    if full:
        t = full[0]
        body_file = tile_file(cache_dir, t).read_bytes()
        gz = {"Accept-Encoding": "gzip"}
        status, h, body = _get(base, t.path, gz)
        disk = "last-modified" in h  # the app sends no Last-Modified: a marker of the disk path
        lines.append(
            f"{t.path} gzip: {status}, from disk={disk}, same bytes as file={body == body_file}, "
            f"Content-Type={h.get('content-type')}, Content-Encoding={h.get('content-encoding')}, "
            f"Vary={h.get('vary')}, Cache-Control={h.get('cache-control')}, ETag={h.get('etag')}")
        status2, h2, body2 = _get(base, t.path, {})
        lines.append(f"  without Accept-Encoding: {status2}, from disk={'last-modified' in h2}, "
                     f"Content-Encoding="
                     f"{h2.get('content-encoding')}, body = gunzip(file): "
                     f"{body2 == gzip.decompress(body_file)}, ETag={h2.get('etag')}")
        status3, _, _ = _get(base, t.path, {**gz, "If-None-Match": h.get("etag", "")})
        lines.append(f"  If-None-Match its ETag: {status3}")
        for name, headers, suffix in (("Accept-Encoding: gzip;q=0", {"Accept-Encoding":
                                                                      "gzip;q=0"}, ""),
                                      ("?v=1", gz, "?v=1"),
                                      ("Authorization", {**gz, "Authorization": f"Token {key}"}, ""),
                                      ("session cookie", {**gz, "Cookie": "sessionid=x"}, "")):
            s, hh, b = _get(base, t.path + suffix, headers)
            same = b == body_file or _same_mvt(b, body_file) or b == gzip.decompress(body_file)
            lines.append(f"  with {name}: {s}, from disk={'last-modified' in hh}, "
                         f"Content-Encoding={hh.get('content-encoding')}, same tile={same}")
    if empty:
        t = empty[0]
        s_app, h_app, _ = _get(app, t.path, {"Accept-Encoding": "gzip"})
        s, h, b = _get(base, t.path, {"Accept-Encoding": "gzip"})
        s2, h2, b2 = _get(base, t.path, {})
        lines.append(
            f"empty tile {t.path}: app {s_app}; nginx (0-byte public.mvt.gz) gzip: {s}, "
            f"{len(b)} bytes, Content-Encoding={h.get('content-encoding')}, from disk="
            f"{'last-modified' in h}; without gzip: {s2}, {len(b2)} bytes, from disk="
            f"{'last-modified' in h2}{' ' + h2['error'] if 'error' in h2 else ''}")
    units = list((cache_dir / "admin-boundaries").glob("*/*/*/*.mvt.gz"))
    public_units = [p for p in units if p.name == "public.mvt.gz"]
    lines.append(f"admin-boundaries files in the cache: {len(units)}, named public.mvt.gz: "
                 f"{len(public_units)} (undated units tiles; the list asks ?date=, which goes to the app)")
    plain = [t for t in tiles if t.is_plain_public]
    lines.append(f"plain public tiles in the list: {len(plain)}; with a file: {len(found)} "
                 f"({len(empty)} empty, 0 bytes)")
    return lines


def _same_mvt(a: bytes, b: bytes) -> bool:
    import gzip

    try:
        return gzip.decompress(a) == gzip.decompress(b)
    except OSError:
        return False


def nginx_runs(bench, app_base: str, cache_dir: Path) -> None:
    """Public tiles from disk through the documented layout, one plain file, the full list."""
    from tiles_http import wrk

    disk = [t for t in bench.tiles if t.is_plain_public and tile_file(cache_dir, t).exists()]
    sizes = sorted(tile_file(cache_dir, t).stat().st_size for t in disk
                   if tile_file(cache_dir, t).stat().st_size > 0)
    plain_size = sizes[len(sizes) // 2] if sizes else 4096
    base, plain = start_nginx(bench.servers, app=app_base, cache_dir=cache_dir,
                              plain_bytes=os.urandom(plain_size))
    bench.report.nginx_checks = layout_checks(base, app_base, cache_dir, bench.tiles, bench.key)
    bench.report.plain_size = plain_size
    # Like with like: tiles with data (empty tiles are 0-byte files) against a plain file.
    disk_lines = [f"- {t.path}" for t in disk if tile_file(cache_dir, t).stat().st_size > 0]
    bench.load(base, "nginx: public tiles from disk (non-empty)", lines=disk_lines)
    bench.load(plain, f"nginx: plain file {plain_size} B", lines=["- /plain/tile.bin"])
    bench.load(base, "nginx: whole list (disk+app)")
    # The same layout with Debian's "sendfile on; tcp_nopush on" left in force.
    nginx_proc = [p for n, p in bench.servers.procs if n == "nginx"]
    for proc in nginx_proc:
        bench.servers.stop(proc)
    base2, _ = start_nginx(bench.servers, app=app_base, cache_dir=cache_dir,
                           plain_bytes=os.urandom(plain_size), nopush=True)
    conns = max(bench.args.conns)
    bench.report.add_wrk(wrk(base2, disk_lines, label="nginx: disk, tcp_nopush on (Debian)",
                             connections=conns, duration=bench.args.duration))
