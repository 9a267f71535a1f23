"""Pull connectors: queue a pull (the schedule, `manage.py pull_connector`, the API, the admin),
then — in the worker, as the first phase of the run — fetch the source into a stored upload.
From there a pull run is an upload run: the same reader, mapping, validation and one-transaction
write, so it is atomic, idempotent, shows progress and leaves a validation report.

- Schedule: a connector is due when it is active and `last_pulled_at + pull_interval` has
  passed (or it never ran). Queuing stamps `last_pulled_at`; the partial unique index
  `importrun_one_pull_in_flight` keeps a second pull of a connector from being queued while
  one is QUEUED or RUNNING, whoever asks (two beat ticks, beat and the local worker, a click).
- Conditional GET (single documents): the ETag / Last-Modified of the connector's last
  *succeeded* pull of the same URL, made after the connector was last saved, are sent; a 304
  is recorded as a succeeded run marked `source_not_modified` that read and wrote nothing. A
  failed run never advances them; saving the connector forces a full fetch.
- OGC API – Features: `next` links are followed (same origin only, no loops) up to
  `IOC_PULL_MAX_PAGES` pages, `IOC_IMPORT_MAX_ROWS` features and the upload size cap in all;
  a collection longer than that fails rather than importing part of it. The feature `id` is
  offered as the column `id` when the properties have none.
- Secrets: the header value is `<auth_scheme> <$secret_env>`, read from the environment at
  fetch time; the database holds only the variable's name (prefix IOC_PULL_SECRET_)."""
import json
import logging
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from access.principal import Principal

from . import conf, fetch
from .errors import (ConnectorInactive, ConnectorMisconfigured, ImportFileError, ImportForbidden,
                     NotAPullConnector, PullInProgress, SourceContentError)
from .models import (PULL_KINDS, PULL_TRIGGERS, Connector, ConnectorKind, ImportRun, RunPhase,
                     RunStatus, RunTrigger)
from .progress import ProgressReporter
from .uploads import upload_store

log = logging.getLogger(__name__)
GEOJSON_ACCEPT = "application/geo+json, application/json;q=0.9"
OGC_PAGE_TYPES = {"", "application/geo+json", "application/json"}


@dataclass(frozen=True)
class Format:
    """How one single-document kind is asked for and recognised."""

    accept: str
    types: frozenset[str]
    label: str
    file_name: str  # the name the upload sniffing sees (it decides CSV by the name)
    sniffed: str    # the driver sniffing must find
    driver: str     # the driver the run reads with


FORMATS = {
    ConnectorKind.HTTP_GEOJSON: Format(GEOJSON_ACCEPT, fetch.JSON_TYPES, "GeoJSON",
                                       "data.geojson", "GeoJSON", "GeoJSON"),
    ConnectorKind.HTTP_JSON: Format("application/json", fetch.JSON_TYPES, "JSON",
                                    "data.json", "GeoJSON", "JSON"),
    ConnectorKind.CSV_URL: Format("text/csv, text/plain;q=0.9", fetch.CSV_TYPES, "CSV",
                                  "data.csv", "CSV", "CSV"),
}


# ---- queueing ----------------------------------------------------------------------------

def pull_start(*, connector: Connector, principal: Principal | None,
               trigger: str = RunTrigger.MANUAL, user=None, token=None,
               now: datetime | None = None, dispatch: bool = True) -> ImportRun:
    """Queue a pull of the connector (fetched by the worker after the commit); the QUEUED run.

    `principal=None` acts as the system (the schedule, commands). Raises ImportForbidden,
    NotAPullConnector, ConnectorInactive, or PullInProgress when one is queued or running."""
    if principal is not None and not principal.can_write_layer(connector.layer):
        raise ImportForbidden(f"Không có quyền ghi vào lớp {connector.layer.slug}.")
    if not connector.is_pull:
        raise NotAPullConnector(f"Kết nối “{connector.name}” nhận tệp tải lên, không lấy dữ "
                                "liệu qua HTTP.")
    if not connector.is_active:
        raise ConnectorInactive(f"Kết nối “{connector.name}” đang tắt.")
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                connector=connector, trigger=trigger, source_url=connector.url,
                file_name=_display_name(connector.url), file_size=0, created_by=user,
                token=token)
    except IntegrityError as exc:
        if "importrun_one_pull_in_flight" not in str(exc):
            raise
        current = ImportRun.objects.filter(
            connector=connector, trigger__in=PULL_TRIGGERS,
            status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).values_list("pk", flat=True).first()
        raise PullInProgress(f"Kết nối “{connector.name}” đang có lượt lấy dữ liệu #{current} "
                             "chờ hoặc đang chạy.", details={"run": current}) from exc
    Connector.objects.filter(pk=connector.pk).update(last_pulled_at=now or timezone.now())
    if dispatch:
        from .tasks import run_dispatch

        transaction.on_commit(lambda: run_dispatch(run.pk))
    return run


def _display_name(url: str) -> str:
    parts = urlsplit(url)
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{parts.hostname or ''}/{tail}"[:255] if tail else (parts.hostname or url)[:255]


def connectors_due(*, now: datetime):
    """Active pull connectors whose interval has passed since their last pull (or never ran)."""
    return (Connector.objects.filter(is_active=True, kind__in=PULL_KINDS)
            .annotate(due_at=F("last_pulled_at") + F("pull_interval"))
            .filter(Q(last_pulled_at__isnull=True) | Q(due_at__lte=now)))


def pull_due(*, now: datetime | None = None, dispatch: bool = True) -> list[ImportRun]:
    """One tick of the schedule: queue a pull of every due connector; the runs queued.

    Connectors another tick is queuing right now are skipped (row locks), as are those with a
    pull in flight (they stay due and are taken on a later tick)."""
    now = now or timezone.now()
    started = []
    with transaction.atomic():
        due = (connectors_due(now=now).select_for_update(skip_locked=True, of=("self",))
               .select_related("layer").order_by(F("last_pulled_at").asc(nulls_first=True), "pk"))
        for connector in due:
            try:
                started.append(pull_start(connector=connector, principal=None,
                                          trigger=RunTrigger.SCHEDULE, now=now,
                                          dispatch=dispatch))
            except PullInProgress:
                continue
    return started


# ---- fetching (in the worker) --------------------------------------------------------------

def pull_fetch(*, run: ImportRun, connector: Connector, reporter: ProgressReporter) -> bool:
    """Fetch a pull run's source into a stored upload and point the run at it; False when the
    source answered 304 (the run is then recorded as succeeded and unchanged)."""
    if not connector.is_pull:
        raise NotAPullConnector(f"Kết nối “{connector.name}” không còn là kết nối lấy dữ liệu "
                                "qua HTTP.")
    reporter.start(RunPhase.FETCHING, 0)
    headers = request_headers(connector)
    if connector.kind == ConnectorKind.OGC_FEATURES:
        fetched, driver = ogc_fetch(url=run.source_url, headers=headers,
                                    timeout=connector.pull_timeout, reporter=reporter), "GeoJSON"
    else:
        form = FORMATS[ConnectorKind(connector.kind)]
        validators = _validators(run, connector)
        try:
            with fetch.client(timeout=connector.pull_timeout) as http:
                fetched = fetch.document_fetch(
                    http=http, url=run.source_url,
                    headers={**headers, "Accept": form.accept, **validators.headers},
                    accepted=form.types, label=form.label, file_name=form.file_name,
                    progress=_kib_progress(reporter))
        except fetch.NotModified:
            _not_modified(run, validators)
            return False
        driver = _driver_check(fetched.stored, form)
    ImportRun.objects.filter(pk=run.pk).update(
        stored_path=fetched.stored.relative_path, driver=driver, file_size=fetched.size,
        source_etag=fetched.etag, source_last_modified=fetched.last_modified)
    run.stored_path, run.driver, run.file_size = fetched.stored.relative_path, driver, fetched.size
    payloads_prune(connector=connector)
    return True


def request_headers(connector: Connector) -> dict[str, str]:
    """The connector's allow-listed headers, the secret read from the named variable now."""
    if not connector.auth_header:
        return {}
    secret = os.environ.get(connector.secret_env, "")
    if not secret:
        raise ConnectorMisconfigured(f"Biến môi trường {connector.secret_env} (khóa của kết nối "
                                     f"“{connector.name}”) chưa được đặt trên máy chủ.")
    value = f"{connector.auth_scheme} {secret}" if connector.auth_scheme else secret
    return {connector.auth_header: value.strip()}


@dataclass(frozen=True)
class Validators:
    etag: str = ""
    last_modified: str = ""

    @property
    def headers(self) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for what is known."""
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


def _validators(run: ImportRun, connector: Connector) -> Validators:
    last = (ImportRun.objects.filter(connector=connector, trigger__in=PULL_TRIGGERS,
                                     status=RunStatus.SUCCEEDED, source_url=run.source_url,
                                     created_at__gt=connector.updated_at)
            .exclude(pk=run.pk).order_by("-pk").first())
    if last is None:
        return Validators()
    return Validators(last.source_etag, last.source_last_modified)


def _not_modified(run: ImportRun, validators: Validators) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, phase=RunPhase.DONE, source_not_modified=True,
        source_etag=validators.etag, source_last_modified=validators.last_modified,
        rows_read=0, rows_inserted=0, rows_updated=0, rows_unchanged=0, rows_rejected=0,
        progress_done=0, progress_total=0, finished_at=timezone.now(),
        message="Nguồn không đổi từ lượt lấy trước (HTTP 304): không đọc, không ghi gì.")


def _kib_progress(reporter: ProgressReporter):
    started = []

    def progress(received: int, announced: int) -> None:
        if not started:
            started.append(True)
            reporter.start(RunPhase.FETCHING, math.ceil(announced / 1024))
        reporter.advance(math.ceil(received / 1024))

    return progress


def _driver_check(stored, form: Format) -> str:
    if stored.driver != form.sniffed:
        shutil.rmtree(stored.directory, ignore_errors=True)
        raise SourceContentError(f"Nguồn không trả về {form.label} (nhận được dữ liệu dạng "
                                 f"{stored.driver}); không ghi gì.")
    return form.driver


def payloads_prune(*, connector: Connector) -> None:
    """Keep the fetched files of the connector's latest `IOC_PULL_KEEP_PAYLOADS` pulls only
    (a schedule would otherwise fill the disk); older runs keep their rows and reports."""
    keep = conf.get("IOC_PULL_KEEP_PAYLOADS")
    old = (ImportRun.objects.filter(connector=connector, trigger__in=PULL_TRIGGERS)
           .exclude(stored_path="").order_by("-pk")[keep:])
    for pk, stored_path in list(old.values_list("pk", "stored_path")):
        directory = (conf.import_dir() / stored_path).parent
        if directory.parent == conf.import_dir():
            shutil.rmtree(directory, ignore_errors=True)
        ImportRun.objects.filter(pk=pk).update(stored_path="")


# ---- OGC API – Features ----------------------------------------------------------------------

def ogc_fetch(*, url: str, headers: dict[str, str], timeout: int,
              reporter: ProgressReporter) -> fetch.Fetched:
    """Every page of an items URL, joined into one stored GeoJSON FeatureCollection."""
    budget, max_rows = conf.get("IOC_IMPORT_MAX_UPLOAD_BYTES"), conf.get("IOC_IMPORT_MAX_ROWS")
    max_pages, origin = conf.get("IOC_PULL_MAX_PAGES"), _origin(url)
    next_url, seen, count, received = with_limit(url), set(), 0, 0
    headers = {**headers, "Accept": GEOJSON_ACCEPT}
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as joined, \
            fetch.client(timeout=timeout) as http:
        joined.write(b'{"type": "FeatureCollection", "features": [')
        while next_url:
            if len(seen) >= max_pages:
                raise SourceContentError(f"Collection có hơn {max_pages} trang: tăng limit "
                                         "trong URL hoặc IOC_PULL_MAX_PAGES; không ghi gì.")
            seen.add(next_url)
            page, size = fetch.json_fetch(http=http, url=next_url, headers=headers,
                                          budget=budget - received)
            received += size
            features = _page_features(page, len(seen))
            for feature in features:
                joined.write(b"," if count else b"")
                joined.write(json.dumps(_id_as_property(feature), ensure_ascii=False).encode())
                count += 1
            if count > max_rows:
                raise ImportFileError(f"Collection có hơn {max_rows:,} đối tượng, vượt giới hạn "
                                      "mỗi lượt; không ghi gì.")
            if len(seen) == 1:
                matched = page.get("numberMatched")
                reporter.start(RunPhase.FETCHING, min(matched, max_rows)
                               if isinstance(matched, int) and matched >= 0 else 0)
            reporter.advance(count)
            next_url = _next_link(page, next_url, origin)
            if next_url in seen:
                raise SourceContentError("Liên kết “next” của collection quay lại một trang đã "
                                         "đọc; không ghi gì.")
        joined.write(b"]}")
        joined.seek(0)
        stored = upload_store(source=joined, file_name="data.geojson", size=None)
    return fetch.Fetched(stored, received, "", "")


def with_limit(url: str) -> str:
    """The items URL with `limit=IOC_PULL_OGC_PAGE_LIMIT` when it names no limit."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "limit" for name, _ in query):
        return url
    query.append(("limit", str(conf.get("IOC_PULL_OGC_PAGE_LIMIT"))))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or {"http": 80, "https": 443}[parts.scheme]


def _page_features(page, number: int) -> list:
    if not isinstance(page, dict) or page.get("type") != "FeatureCollection" or not isinstance(
            page.get("features"), list):
        raise SourceContentError(f"Trang {number} của collection không phải một GeoJSON "
                                 "FeatureCollection (URL có phải trang …/items?); không ghi gì.")
    return page["features"]


def _id_as_property(feature):
    if isinstance(feature, dict) and "id" in feature and isinstance(
            feature.get("properties"), dict) and "id" not in feature["properties"]:
        feature = {**feature, "properties": {**feature["properties"], "id": feature["id"]}}
    return feature


def _next_link(page: dict, current: str, origin: tuple) -> str | None:
    links = page.get("links")
    for item in links if isinstance(links, list) else []:
        if (isinstance(item, dict) and item.get("rel") == "next"
                and isinstance(item.get("href"), str)
                and str(item.get("type", "")).split(";")[0].strip() in OGC_PAGE_TYPES):
            target = urljoin(current, item["href"])
            if urlsplit(target).scheme not in ("http", "https") or _origin(target) != origin:
                raise SourceContentError(f"Liên kết “next” trỏ ra ngoài máy chủ nguồn "
                                         f"({target[:120]}); không ghi gì.")
            return target
    return None
