"""Fetching a pull connector's source over HTTP with httpx.

- http:// and https:// only (httpx refuses other schemes, redirects included); at most
  `IOC_PULL_MAX_REDIRECTS` redirects; no proxy or credentials from the environment
  (`trust_env=False`), no cookies kept between pulls;
- the connector's timeout bounds the connection and every read, `IOC_PULL_MAX_SECONDS` the
  whole transfer (a server dripping one byte a second cannot hold a worker for ever);
- the body is streamed straight into a stored upload (`uploads.upload_store`), under the same
  size cap as an upload, counted after content decoding (a gzip bomb stops at the cap);
- HTML (a proxy's or a login page) and content types foreign to the format are refused;
- every failure is a named error with a Vietnamese message (integration/errors.py)."""
import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx

from . import conf
from .errors import (SourceContentError, SourceHttpError, SourceTimeout, SourceUnreachable,
                     UploadTooLarge)
from .uploads import COPY_CHUNK, StoredUpload, upload_store

USER_AGENT = "ioc-gis-integration/1.0 (Thanh Hoa IOC; pull connector)"
JSON_TYPES = frozenset({"application/json", "application/geo+json", "text/json", "text/plain",
                        "application/octet-stream"})
CSV_TYPES = frozenset({"text/csv", "application/csv", "text/comma-separated-values",
                       "text/plain", "application/vnd.ms-excel", "application/octet-stream"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
HINTS = {401: "thiếu hoặc sai khóa xác thực", 403: "nguồn từ chối quyền truy cập",
         404: "sai địa chỉ?", 410: "nguồn đã ngừng", 429: "gọi quá nhiều lần, nguồn giới hạn"}


class NotModified(Exception):  # noqa: N818 — a result, not a failure
    """The source answered 304 to a conditional GET: nothing changed since the last pull."""


@dataclass(frozen=True)
class Fetched:
    """A source document stored as an upload, with the validators the source sent."""

    stored: StoredUpload
    size: int
    etag: str
    last_modified: str


Progress = Callable[[int, int], None]  # (bytes so far, bytes announced or 0)


def client(*, timeout: float) -> httpx.Client:
    """An HTTP client for one pull (close it, or use it as a context manager)."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), follow_redirects=True,
        max_redirects=conf.get("IOC_PULL_MAX_REDIRECTS"), trust_env=False,
        headers={"User-Agent": USER_AGENT})


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url[:80]
    except httpx.InvalidURL:
        return url[:80]


@contextlib.contextmanager
def translated(url: str, timeout: float) -> Iterator[None]:
    """Turn httpx's transport failures into named errors that say what happened."""
    host = _host(url)
    try:
        yield
    except httpx.TimeoutException as exc:
        raise SourceTimeout(f"Nguồn {host} không trả lời trong {timeout:g} giây "
                            f"({type(exc).__name__}); không ghi gì.") from exc
    except httpx.TooManyRedirects as exc:
        raise SourceHttpError(f"Nguồn {host} chuyển hướng quá "
                              f"{conf.get('IOC_PULL_MAX_REDIRECTS')} lần; không ghi gì.") from exc
    except httpx.UnsupportedProtocol as exc:
        raise SourceUnreachable("Chỉ lấy dữ liệu qua http:// hoặc https:// (kể cả khi nguồn "
                                "chuyển hướng); không ghi gì.") from exc
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise SourceUnreachable(f"Kết nối tới {host} bị ngắt giữa chừng ({_first(exc)}); "
                                "không ghi gì.") from exc
    except httpx.DecodingError as exc:
        raise SourceContentError(f"Không giải nén được dữ liệu từ {host} ({_first(exc)}); "
                                 "không ghi gì.") from exc
    except httpx.ConnectError as exc:
        raise SourceUnreachable(f"Không kết nối được tới máy chủ nguồn {host} ({_first(exc)}); "
                                "không ghi gì.") from exc
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise SourceUnreachable(f"Lỗi khi lấy dữ liệu từ {host}: {_first(exc)}; "
                                "không ghi gì.") from exc


def _first(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def status_check(response: httpx.Response) -> None:
    """304 → NotModified; anything but 2xx → SourceHttpError."""
    code = response.status_code
    if code == 304:
        raise NotModified()
    if 200 <= code < 300:
        return
    hint = HINTS.get(code) or ("lỗi phía máy chủ nguồn" if code >= 500 else "")
    raise SourceHttpError(f"Nguồn {_host(str(response.url))} trả lời HTTP {code} "
                          f"{response.reason_phrase}{f' ({hint})' if hint else ''}; "
                          "không ghi gì.")


def content_type_check(response: httpx.Response, accepted: frozenset[str], label: str) -> None:
    """Refuse HTML and types foreign to the format (a missing type is left to sniffing)."""
    mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if not mime:
        return
    if mime in HTML_TYPES:
        raise SourceContentError(f"Nguồn trả về một trang HTML, không phải {label} (trang đăng "
                                 "nhập, trang lỗi hay cổng proxy?); không ghi gì.")
    if mime not in accepted and not (mime.endswith("+json") and "application/json" in accepted):
        raise SourceContentError(f"Nguồn trả về nội dung kiểu “{mime[:80]}”, không phải "
                                 f"{label}; không ghi gì.")


class _Body:
    """The response body as a file object for `upload_store`, with the transfer deadline and
    byte progress."""

    def __init__(self, response: httpx.Response, progress: Progress | None) -> None:
        self._chunks = response.iter_bytes()  # as they arrive: the deadline is checked often
        self._buffer = b""
        self._deadline = time.monotonic() + conf.get("IOC_PULL_MAX_SECONDS")
        self._announced = int(response.headers.get("content-length") or 0)
        self._progress = progress
        self.received = 0

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            if time.monotonic() > self._deadline:
                raise SourceTimeout(f"Tải nguồn quá {conf.get('IOC_PULL_MAX_SECONDS')} giây; "
                                    "không ghi gì.")
            chunk = next(self._chunks, b"")
            if not chunk:
                break
            self.received += len(chunk)
            self._buffer += chunk
            if self._progress:
                self._progress(self.received, self._announced)
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def _declared_size(response: httpx.Response) -> int | None:
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None


def document_fetch(*, http: httpx.Client, url: str, headers: dict[str, str],
                   accepted: frozenset[str], label: str, file_name: str,
                   progress: Progress | None = None) -> Fetched:
    """GET one document into a stored upload (sniffed like an upload named `file_name`).

    Raises NotModified on a 304 (send If-None-Match / If-Modified-Since in `headers`)."""
    with translated(url, http.timeout.read or 0), http.stream("GET", url,
                                                               headers=headers) as response:
        status_check(response)
        content_type_check(response, accepted, label)
        body, declared = _Body(response, progress), _declared_size(response)
        try:
            stored = upload_store(source=body, file_name=file_name, size=declared)
        except UploadTooLarge as exc:
            raise UploadTooLarge(_over(max(declared or 0, body.received))) from exc
        return Fetched(stored, body.received, response.headers.get("etag", "")[:500],
                       response.headers.get("last-modified", "")[:100])


def json_fetch(*, http: httpx.Client, url: str, headers: dict[str, str],
               budget: int) -> tuple[object, int]:
    """GET a JSON document of at most `budget` bytes; (the parsed document, its size)."""
    with translated(url, http.timeout.read or 0), http.stream("GET", url,
                                                               headers=headers) as response:
        status_check(response)
        content_type_check(response, JSON_TYPES, "JSON")
        declared = _declared_size(response)
        if declared is not None and declared > budget:
            raise UploadTooLarge(_over(declared))
        body, data = _Body(response, None), bytearray()
        while chunk := body.read(COPY_CHUNK):
            data += chunk
            if len(data) > budget:
                raise UploadTooLarge(_over(len(data)))
    return json_parse(bytes(data), _host(url)), len(data)


def _over(size: int) -> str:
    cap = conf.get("IOC_IMPORT_MAX_UPLOAD_BYTES")
    return (f"Dữ liệu từ nguồn ({_size(size)} trở lên) vượt giới hạn {_size(cap)} mỗi lượt; "
            "không ghi gì.")


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.0f} kB"


def json_parse(data: bytes, where: str) -> object:
    """A JSON document, or SourceContentError naming where it broke."""
    try:
        return json.loads(data)
    except RecursionError as exc:
        raise SourceContentError(f"JSON từ {where} lồng nhau quá sâu; không ghi gì.") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise SourceContentError(f"JSON từ {where} không hợp lệ ({_first(exc)}); "
                                 "không ghi gì.") from exc
