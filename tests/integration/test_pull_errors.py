"""Pull connectors against a real HTTP server the test starts (threading http.server on
127.0.0.1, a random port): every way a source can fail — unreachable, slow, HTTP errors, too
large, HTML or a foreign type, invalid JSON, a records path that is not there, a connection
closed mid-stream, redirect loops and redirects to file:// — fails the run with a Vietnamese
message and writes nothing. `SourceServer` and `pull_connector` are shared by test_pull_*.py."""
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integration.models import Connector, ConnectorKind, ImportRun, RunStatus, RunTrigger
from integration.pull import pull_start
from integration.services import import_run_execute
from layers.models import Feature
from tests.integration.conftest import MAPPING, csv_bytes, geojson, rows

pytestmark = pytest.mark.django_db


class SourceServer:
    """A local HTTP source. `add(path, body, …)` serves bytes; `add(path, handler=f)` lets
    `f(request_handler)` answer itself. Requests are recorded as (path, headers)."""

    def __init__(self) -> None:
        self.routes: dict[str, dict] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 — http.server's name
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    return self._send(404, {"Content-Type": "text/plain"}, b"not found")
                if route.get("handler"):
                    return route["handler"](self)
                etag = route.get("etag")
                if etag and self.headers.get("If-None-Match") == etag:
                    return self._send(304, {"ETag": etag}, b"")
                headers = {"Content-Type": route["content_type"], **route["headers"]}
                if etag:
                    headers["ETag"] = etag
                return self._send(route["status"], headers, route["body"])

            def _send(self, status: int, headers: dict, body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that hung up on purpose (caps, timeouts)

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return self.base + path

    def add(self, path: str, body: bytes = b"", *, status: int = 200,
            content_type: str = "application/json", headers: dict | None = None,
            etag: str | None = None, handler=None) -> str:
        """Serve `body` at `path`; its absolute URL."""
        self.routes[path] = {"body": body, "status": status, "content_type": content_type,
                             "headers": headers or {}, "etag": etag, "handler": handler}
        return self.url(path)

    def stop(self) -> None:
        """Shut the server down."""
        self.httpd.shutdown()
        self.httpd.server_close()


def serving():
    """A started SourceServer, stopped after the test (`source = pytest.fixture(serving,
    name="source")` in each test_pull_* module)."""
    server = SourceServer()
    yield server
    server.stop()


source = pytest.fixture(serving, name="source")


def pull_connector(layer, url: str, kind: str = ConnectorKind.HTTP_GEOJSON,
                   **fields) -> Connector:
    """A pull connector onto `layer` (the stations mapping, hourly, 5 s timeout)."""
    defaults = {"name": f"Nguồn {kind}", "owner_department": "Sở Y tế", "field_mapping": MAPPING,
                "id_column": "ma", "pull_interval": timedelta(hours=1), "pull_timeout": 5}
    if kind == ConnectorKind.CSV_URL:
        defaults.update(lon_column="lon", lat_column="lat")
    return Connector.objects.create(layer=layer, kind=kind, url=url, **{**defaults, **fields})


def pull_now(connector: Connector, trigger: str = RunTrigger.MANUAL) -> ImportRun:
    """Queue a pull (no dispatch) and execute it in this process; the finished run."""
    return import_run_execute(run=pull_start(connector=connector, principal=None,
                                             trigger=trigger, dispatch=False))


def assert_failed_without_writing(run: ImportRun, layer, *words: str) -> None:
    """The run failed, said `words`, and no feature of the layer exists."""
    assert run.status == RunStatus.FAILED, run.message
    for word in words:
        assert word in run.message, run.message
    assert "không ghi" in run.message, run.message
    assert (run.rows_inserted, run.rows_updated) == (0, 0)
    assert not Feature.objects.filter(layer=layer).exists()


# ---- the source's failures -------------------------------------------------------------------

def test_an_unreachable_host_fails(layer):
    run = pull_now(pull_connector(layer, "http://127.0.0.1:1/tram.geojson"))
    assert_failed_without_writing(run, layer, "Không kết nối được", "127.0.0.1")


def test_a_source_slower_than_the_timeout_fails(layer, source):
    def slow(handler):
        time.sleep(6)
        handler._send(200, {"Content-Type": "application/geo+json"}, geojson(rows(2)))

    url = source.add("/cham.geojson", handler=slow)
    started = time.monotonic()
    run = pull_now(pull_connector(layer, url, pull_timeout=1))
    assert time.monotonic() - started < 5  # gave up at the timeout, not at the answer
    assert_failed_without_writing(run, layer, "không trả lời trong 1 giây")


def test_a_transfer_longer_than_the_cap_fails_even_if_every_read_is_quick(layer, source,
                                                                            settings):
    settings.IOC_PULL_MAX_SECONDS = 1

    def drip(handler):
        body = geojson(rows(5))
        handler.send_response(200)
        handler.send_header("Content-Type", "application/geo+json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for start in range(0, len(body), 64):
            handler.wfile.write(body[start:start + 64])
            handler.wfile.flush()
            time.sleep(0.15)

    url = source.add("/nho-giot.geojson", handler=drip)
    run = pull_now(pull_connector(layer, url, pull_timeout=5))
    assert_failed_without_writing(run, layer, "quá 1 giây")


@pytest.mark.parametrize("status, words", [
    (404, ["HTTP 404", "sai địa chỉ"]),
    (401, ["HTTP 401", "khóa xác thực"]),
    (500, ["HTTP 500", "lỗi phía máy chủ nguồn"]),
    (503, ["HTTP 503"]),
])
def test_http_errors_of_the_source_fail(layer, source, status, words):
    url = source.add("/loi.geojson", b'{"error": "x"}', status=status)
    run = pull_now(pull_connector(layer, url))
    assert_failed_without_writing(run, layer, *words)


def test_a_declared_oversized_body_fails_before_it_is_read(layer, source, settings):
    settings.IOC_IMPORT_MAX_UPLOAD_BYTES = 1000
    url = source.add("/lon.geojson", geojson(rows(50)), content_type="application/geo+json")
    run = pull_now(pull_connector(layer, url))
    assert_failed_without_writing(run, layer, "vượt giới hạn 1 kB")
    assert run.file_size == 0 and run.stored_path == ""  # nothing was kept


def test_an_undeclared_oversized_body_stops_at_the_cap(layer, source, settings):
    settings.IOC_IMPORT_MAX_UPLOAD_BYTES = 10_000
    outcome, done = [], threading.Event()

    def endless(handler):  # HTTP/1.0, no Content-Length: the body ends when the server closes
        handler.send_response(200)
        handler.send_header("Content-Type", "application/geo+json")
        handler.end_headers()
        try:
            for _ in range(1024):  # up to 64 MiB, more than the socket buffers hold
                handler.wfile.write(b" " * 65536)
            outcome.append("all sent")
        except (BrokenPipeError, ConnectionResetError):
            outcome.append("client hung up")
        done.set()

    url = source.add("/vo-tan.geojson", handler=endless)
    run = pull_now(pull_connector(layer, url))
    assert_failed_without_writing(run, layer, "vượt giới hạn 10 kB")
    assert done.wait(30) and outcome == ["client hung up"]  # it did not read everything


def test_an_html_page_is_refused(layer, source):
    url = source.add("/dang-nhap", b"<html><body>Login</body></html>",
                     content_type="text/html; charset=utf-8")
    run = pull_now(pull_connector(layer, url))
    assert_failed_without_writing(run, layer, "trang HTML")


def test_a_foreign_content_type_is_refused(layer, source):
    url = source.add("/anh.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    run = pull_now(pull_connector(layer, url))
    assert_failed_without_writing(run, layer, "image/png", "không phải GeoJSON")


def test_json_for_a_csv_connector_is_refused(layer, source):
    url = source.add("/tram.csv", geojson(rows(2)), content_type="text/plain")
    run = pull_now(pull_connector(layer, url, ConnectorKind.CSV_URL))
    assert_failed_without_writing(run, layer, "không trả về CSV")


def test_invalid_json_fails(layer, source):
    url = source.add("/api/tram", b'{"data": {"items": [{"ma": "A", "ten": }]}}')
    run = pull_now(pull_connector(layer, url, ConnectorKind.HTTP_JSON, records_path="data.items",
                                  lon_column="lon", lat_column="lat"))
    assert run.status == RunStatus.FAILED
    assert "JSON không hợp lệ" in run.message, run.message
    assert not Feature.objects.filter(layer=layer).exists()


def test_a_missing_records_path_fails_naming_what_is_there(layer, source):
    url = source.add("/api/tram", json.dumps({"data": {"rows": []}, "total": 0}).encode())
    run = pull_now(pull_connector(layer, url, ConnectorKind.HTTP_JSON, records_path="data.items",
                                  lon_column="lon", lat_column="lat"))
    assert run.status == RunStatus.FAILED
    assert "Không có “data.items”" in run.message and "rows" in run.message, run.message
    assert not Feature.objects.filter(layer=layer).exists()


def test_a_records_path_to_something_else_than_a_list_fails(layer, source):
    url = source.add("/api/tram", json.dumps({"data": {"items": {"ma": "A"}}}).encode())
    run = pull_now(pull_connector(layer, url, ConnectorKind.HTTP_JSON, records_path="data.items",
                                  lon_column="lon", lat_column="lat"))
    assert run.status == RunStatus.FAILED
    assert "không phải danh sách bản ghi" in run.message, run.message


def test_a_connection_closed_mid_stream_writes_nothing(layer, source):
    body = geojson(rows(40))

    def cut(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/geo+json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        handler.close_connection = True

    url = source.add("/ngat.geojson", handler=cut)
    run = pull_now(pull_connector(layer, url))
    assert_failed_without_writing(run, layer, "bị ngắt giữa chừng")


def test_a_redirect_loop_stops_at_the_cap(layer, source, settings):
    settings.IOC_PULL_MAX_REDIRECTS = 3
    url = source.add("/vong", status=302, headers={"Location": "/vong"})
    run = pull_now(pull_connector(layer, url))
    assert_failed_without_writing(run, layer, "chuyển hướng quá 3 lần")
    assert len(source.requests) == 4  # the first request and 3 redirects


def test_a_redirect_to_a_file_url_is_not_followed(layer, source, tmp_path):
    secret = tmp_path / "bi-mat.geojson"
    secret.write_bytes(geojson(rows(2)))
    url = source.add("/sang-tep", status=302, headers={"Location": f"file://{secret}"})
    run = pull_now(pull_connector(layer, url))
    assert_failed_without_writing(run, layer, "http:// hoặc https://")


def test_a_redirect_to_http_is_followed(layer, source):
    source.add("/moi.geojson", geojson(rows(2)), content_type="application/geo+json")
    url = source.add("/cu.geojson", status=301, headers={"Location": "/moi.geojson"})
    run = pull_now(pull_connector(layer, url))
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert Feature.objects.filter(layer=layer).count() == 2


# ---- secrets come from the environment -------------------------------------------------------

def test_the_secret_header_is_read_from_the_named_variable(layer, source, monkeypatch):
    monkeypatch.setenv("IOC_PULL_SECRET_SO_Y_TE", "khoa-123")

    def guarded(handler):
        if handler.headers.get("Authorization") != "Bearer khoa-123":
            return handler._send(401, {"Content-Type": "application/json"}, b"{}")
        return handler._send(200, {"Content-Type": "application/geo+json"}, geojson(rows(3)))

    url = source.add("/bao-ve.geojson", handler=guarded)
    connector = pull_connector(layer, url, auth_header="Authorization", auth_scheme="Bearer",
                               secret_env="IOC_PULL_SECRET_SO_Y_TE")
    run = pull_now(connector)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert Feature.objects.filter(layer=layer).count() == 3
    monkeypatch.setenv("IOC_PULL_SECRET_SO_Y_TE", "khoa-999")
    second = pull_now(connector)
    assert second.status == RunStatus.FAILED and "HTTP 401" in second.message
    assert "khoa-999" not in second.message and "khoa-123" not in second.message
    assert not Connector.objects.filter(secret_env__contains="khoa").exists()


def test_an_unset_secret_variable_fails_before_any_request(layer, source):
    url = source.add("/bao-ve.geojson", geojson(rows(1)))
    connector = pull_connector(layer, url, auth_header="X-API-Key",
                               secret_env="IOC_PULL_SECRET_CHUA_DAT")
    run = pull_now(connector)
    assert run.status == RunStatus.FAILED
    assert "IOC_PULL_SECRET_CHUA_DAT" in run.message and "chưa được đặt" in run.message
    assert source.requests == []


def test_csv_bytes_are_fine_for_a_csv_connector(layer, source):
    url = source.add("/tram.csv", csv_bytes(rows(3)), content_type="text/csv; charset=utf-8")
    run = pull_now(pull_connector(layer, url, ConnectorKind.CSV_URL))
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (run.driver, run.rows_inserted) == ("CSV", 3)
