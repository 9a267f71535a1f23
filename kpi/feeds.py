"""KPI feeds: connectors that pull a CSV/XLSX table of values from an http(s) URL on a schedule.

A pull is the file import (kpi/imports.py) fed by the network instead of an upload:
- the download is integration's safe fetcher (integration/fetch.py: timeouts, size cap while
  streaming, redirect cap, no HTML pages), as a conditional GET with the ETag / Last-Modified
  of the feed's last successful pull — a 304 is recorded as a NOT_MODIFIED run that wrote
  nothing;
- the body goes through the same validation and one-transaction upsert as a file import, as
  the system (province-wide) with provenance CONNECTOR and the feed on the run: one bad row and
  nothing is written;
- every failure (network, HTTP status, content, bad rows) is a FAILED run with the Vietnamese
  message that says why; nothing is written and the validators are not advanced.
Schedule: a feed is due when active and `last_pulled_at + pull_interval` has passed (or it
never ran); every attempt stamps `last_pulled_at`, so a failing source is retried on its
interval, not on every tick. Beat runs `kpi.feeds_pull_due` every 5 minutes."""
import os
import shutil
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from access.principal import Principal
from integration import conf as integration_conf
from integration import fetch
from ioc_gis.errors import DomainError

from . import conf
from .errors import FeedMisconfigured, ImportRejected
from .imports import kpi_values_import
from .models import KpiFeed, KpiRun, ProvenanceKind, RunOutcome

# A feed is configured by an administrator: it writes like `manage.py kpi_import` without --user.
SYSTEM = Principal(perms=frozenset({"layers.add_feature", "layers.change_feature",
                                    "layers.view_feature"}), province_wide=True)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPT = f"text/csv, {XLSX_TYPE};q=0.9, text/plain;q=0.8"
TYPES = fetch.CSV_TYPES | {XLSX_TYPE, "application/zip"}
NOT_MODIFIED = "Nguồn không đổi từ lượt lấy trước (HTTP 304): không đọc, không ghi gì."
MAX_ROWS_IN_MESSAGE = 20


def feeds_due(*, now: datetime):
    """Active feeds whose interval has passed since their last pull (or that never ran)."""
    return (KpiFeed.objects.filter(is_active=True)
            .annotate(due_at=F("last_pulled_at") + F("pull_interval"))
            .filter(Q(last_pulled_at__isnull=True) | Q(due_at__lte=now)))


def feeds_pull_due(*, now: datetime | None = None) -> list[KpiRun]:
    """One tick of the schedule: pull every due feed; the runs recorded.

    Each feed is claimed (row lock, skip locked, re-checked due, stamped) before its pull, so
    two ticks at once never pull the same feed twice."""
    now = now or timezone.now()
    runs = []
    for pk in list(feeds_due(now=now).order_by(F("last_pulled_at").asc(nulls_first=True), "pk")
                   .values_list("pk", flat=True)):
        with transaction.atomic():
            feed = (feeds_due(now=now).select_for_update(skip_locked=True, of=("self",))
                    .filter(pk=pk).first())
            if feed is None:
                continue  # another tick has it
            KpiFeed.objects.filter(pk=pk).update(last_pulled_at=now)
        runs.append(feed_pull(feed, now=now))
    return runs


def feed_pull(feed: KpiFeed, now: datetime | None = None) -> KpiRun:
    """Pull one feed now (whether due or not, active or not); its run, whatever the outcome."""
    now = now or timezone.now()
    KpiFeed.objects.filter(pk=feed.pk).update(last_pulled_at=now)
    feed.last_pulled_at = now
    started, label = timezone.now(), display_name(feed.url)
    try:
        fetched = _fetch(feed)
    except fetch.NotModified:
        return _unsuccessful(feed, started, label, RunOutcome.NOT_MODIFIED, NOT_MODIFIED)
    except DomainError as exc:
        return _unsuccessful(feed, started, label, RunOutcome.FAILED, failure_message(exc))
    try:
        report = kpi_values_import(principal=SYSTEM, file_name=label, feed=feed,
                                   path=integration_conf.import_dir() / fetched.stored.relative_path,
                                   kind=ProvenanceKind.CONNECTOR)
    except DomainError as exc:
        return _unsuccessful(feed, started, label, RunOutcome.FAILED, failure_message(exc))
    finally:
        shutil.rmtree(fetched.stored.directory, ignore_errors=True)
    feed.source_etag, feed.source_last_modified = fetched.etag, fetched.last_modified
    KpiFeed.objects.filter(pk=feed.pk).update(source_etag=fetched.etag,
                                              source_last_modified=fetched.last_modified)
    run, counts = report.run, report.counts
    run.message = (f"{report.rows:,} dòng — thêm {counts.inserted:,}, cập nhật "
                   f"{counts.updated:,}, không đổi {counts.unchanged:,}.")
    run.save(update_fields=["message"])
    return run


def _fetch(feed: KpiFeed) -> fetch.Fetched:
    headers = {"Accept": ACCEPT, **request_headers(feed)}
    if feed.source_etag:
        headers["If-None-Match"] = feed.source_etag
    if feed.source_last_modified:
        headers["If-Modified-Since"] = feed.source_last_modified
    with fetch.client(timeout=conf.get("IOC_KPI_FEED_TIMEOUT")) as http:
        return fetch.document_fetch(http=http, url=feed.url, headers=headers, accepted=TYPES,
                                    label="bảng CSV/XLSX", file_name="kpi-feed.csv")


def request_headers(feed: KpiFeed) -> dict[str, str]:
    """`Authorization` from the variable the feed names, read now (never stored)."""
    if not feed.secret_env:
        return {}
    secret = os.environ.get(feed.secret_env, "").strip()
    if not secret:
        raise FeedMisconfigured(f"Biến môi trường {feed.secret_env} (khóa của nguồn “{feed.name}”)"
                                " chưa được đặt trên máy chủ; không ghi gì.")
    return {"Authorization": secret}


def failure_message(exc: DomainError) -> str:
    """The error's message; for rejected rows, each row number with its reasons."""
    if not isinstance(exc, ImportRejected):
        return exc.message
    rows = exc.details["rows"]
    listed = "; ".join(f"dòng {row['row']}: {', '.join(row['errors'])}"
                       for row in rows[:MAX_ROWS_IN_MESSAGE])
    more = f"; … và {len(rows) - MAX_ROWS_IN_MESSAGE:,} dòng khác" \
        if len(rows) > MAX_ROWS_IN_MESSAGE else ""
    return f"{exc.message} {listed}{more}."


def _unsuccessful(feed: KpiFeed, started: datetime, label: str, outcome: str,
                  message: str) -> KpiRun:
    return KpiRun.objects.create(kind=ProvenanceKind.CONNECTOR, feed=feed, file_name=label,
                                 started_at=started, finished_at=timezone.now(),
                                 outcome=outcome, message=message)


def display_name(url: str) -> str:
    """host/last-path-segment: what a run shows as its file."""
    parts = urlsplit(url)
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{parts.hostname or ''}/{tail}"[:255] if tail else (parts.hostname or url)[:255]
