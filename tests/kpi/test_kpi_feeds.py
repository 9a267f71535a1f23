"""KPI feeds: values pulled from a CSV at an http(s) URL served by a real local HTTP server,
stored with CONNECTOR provenance and the feed's run; unchanged sources (ETag → 304) write
nothing; bad rows, HTTP errors and unreachable hosts fail the run and write nothing; the
schedule pulls only due feeds; the database refuses non-http(s) URLs."""
import csv
import io
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ioc_gis.celery import app as celery_app
from kpi.feeds import feed_pull, feeds_pull_due
from kpi.models import KpiFeed, KpiRun, KpiValue

pytestmark = pytest.mark.django_db
HEADER = ("kpi", "unit", "period", "value", "note")
GOOD = [("tourist-arrivals", "38", "2025-07", "3300000", "ước tính"),
        ("tourist-arrivals", "382", "2025-07", "2400000", ""),
        ("grdp-growth", "38", "2025-Q3", "9,85", "")]


def table(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


class Source:
    """What the local server answers, and the requests it saw."""

    def __init__(self) -> None:
        self.status, self.body, self.etag = 200, table(GOOD), ""
        self.content_type = "text/csv; charset=utf-8"
        self.requests: list[dict[str, str]] = []


@pytest.fixture
def source():
    """A threading HTTP server on 127.0.0.1 at a random port; (Source, its base URL)."""
    state = Source()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 — http.server's name
            state.requests.append({k.lower(): v for k, v in self.headers.items()})
            if state.etag and self.headers.get("If-None-Match") == state.etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(state.status)
            self.send_header("Content-Type", state.content_type)
            self.send_header("Content-Length", str(len(state.body)))
            if state.etag:
                self.send_header("ETag", state.etag)
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def make_feed(url: str, **fields) -> KpiFeed:
    return KpiFeed.objects.create(**{"name": "Sở Du lịch — số liệu tháng",
                                     "owner_department": "Sở Văn hóa, Thể thao và Du lịch",
                                     "url": url, "pull_interval": timedelta(hours=1), **fields})


def test_a_pull_stores_the_values_with_connector_provenance_and_the_feed(source, units):
    state, base = source
    feed = make_feed(f"{base}/kpi/thang.csv")
    run = feed_pull(feed)
    assert (run.kind, run.outcome, run.feed_id, run.file_name) == (
        "CONNECTOR", "SUCCEEDED", feed.pk, "127.0.0.1/thang.csv")
    assert (run.rows_read, run.rows_inserted, run.rows_updated) == (3, 3, 0)
    values = KpiValue.objects.select_related("kpi").order_by("kpi__code", "unit_id")
    assert {(v.source, v.run_id) for v in values} == {("CONNECTOR", run.pk)}
    growth = values.get(kpi__code="grdp-growth", unit_id=units.province_id)
    assert growth.value == 9.85
    assert "text/csv" in state.requests[0]["accept"]
    feed.refresh_from_db()
    assert feed.last_pulled_at is not None and feed.source_etag == ""


def test_a_second_pull_of_the_same_table_changes_nothing(source):
    state, base = source
    feed = make_feed(f"{base}/thang.csv")
    first = feed_pull(feed)
    again = feed_pull(feed)
    assert (again.outcome, again.rows_inserted, again.rows_updated, again.rows_unchanged) == (
        "SUCCEEDED", 0, 0, 3)
    assert set(KpiValue.objects.values_list("run_id", flat=True)) == {first.pk}
    state.body = table([GOOD[0][:3] + ("3400000", "chính thức")] + GOOD[1:])
    third = feed_pull(feed)
    assert (third.rows_updated, third.rows_unchanged) == (1, 2)
    assert KpiValue.objects.get(run=third).value == 3_400_000


def test_an_etag_makes_the_next_pull_a_304_that_writes_nothing(source):
    state, base = source
    state.etag = '"v1"'
    feed = make_feed(f"{base}/thang.csv")
    first = feed_pull(feed)
    feed.refresh_from_db()
    assert feed.source_etag == '"v1"'
    second = feed_pull(feed)
    assert state.requests[1]["if-none-match"] == '"v1"'
    assert (second.outcome, second.rows_read, second.rows_inserted) == ("NOT_MODIFIED", 0, 0)
    assert "304" in second.message
    assert set(KpiValue.objects.values_list("run_id", flat=True)) == {first.pk}


def test_one_bad_row_fails_the_run_names_the_row_and_writes_nothing(source):
    state, base = source
    state.etag = '"v2"'
    state.body = table(GOOD + [("tourist-arrivals", "38", "2025-08", "nhiều", "")])
    feed = make_feed(f"{base}/thang.csv")
    run = feed_pull(feed)
    assert (run.outcome, run.rows_inserted) == ("FAILED", 0)
    assert "dòng 5" in run.message and "không phải số" in run.message
    assert KpiValue.objects.count() == 0
    feed.refresh_from_db()
    assert feed.source_etag == ""  # a failed pull does not advance the validators


def test_a_server_error_or_an_html_page_fails_the_run(source):
    state, base = source
    feed = make_feed(f"{base}/thang.csv")
    state.status = 500
    run = feed_pull(feed)
    assert run.outcome == "FAILED" and "HTTP 500" in run.message
    state.status, state.content_type, state.body = 200, "text/html", b"<html>login</html>"
    page = feed_pull(feed)
    assert page.outcome == "FAILED" and "HTML" in page.message
    assert KpiValue.objects.count() == 0


def test_an_unreachable_source_fails_the_run():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = feed_pull(make_feed(f"http://127.0.0.1:{port}/thang.csv"))
    assert run.outcome == "FAILED" and "Không kết nối được" in run.message
    assert (run.finished_at is not None, KpiValue.objects.count()) == (True, 0)


def test_the_secret_is_read_from_the_environment_and_sent_as_authorization(source,
                                                                           monkeypatch):
    state, base = source
    feed = make_feed(f"{base}/thang.csv", secret_env="IOC_PULL_SECRET_KPI_TEST")
    missing = feed_pull(feed)
    assert missing.outcome == "FAILED" and "IOC_PULL_SECRET_KPI_TEST" in missing.message
    assert state.requests == []
    monkeypatch.setenv("IOC_PULL_SECRET_KPI_TEST", "Bearer bi-mat")
    assert feed_pull(feed).outcome == "SUCCEEDED"
    assert state.requests[0]["authorization"] == "Bearer bi-mat"


def test_only_due_active_feeds_are_pulled_on_a_tick(source):
    state, base = source
    now = timezone.now()
    never = make_feed(f"{base}/a.csv")
    recent = make_feed(f"{base}/b.csv", last_pulled_at=now - timedelta(minutes=10))
    overdue = make_feed(f"{base}/c.csv", last_pulled_at=now - timedelta(hours=2))
    make_feed(f"{base}/d.csv", is_active=False)
    runs = feeds_pull_due(now=now)
    assert sorted(run.feed_id for run in runs) == sorted([never.pk, overdue.pk])
    assert len(state.requests) == 2
    recent.refresh_from_db()
    assert recent.last_pulled_at == now - timedelta(minutes=10)
    assert feeds_pull_due(now=now + timedelta(minutes=30)) == []  # all pulled within the hour
    assert [r.feed_id for r in feeds_pull_due(now=now + timedelta(minutes=51))] == [recent.pk]


def test_a_failing_feed_waits_for_its_interval_before_the_next_try():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    now = timezone.now()
    make_feed(f"http://127.0.0.1:{port}/x.csv")
    assert [run.outcome for run in feeds_pull_due(now=now)] == ["FAILED"]
    assert feeds_pull_due(now=now + timedelta(minutes=5)) == []


@pytest.mark.parametrize("url", ["ftp://example.org/kpi.csv", "file:///etc/passwd",
                                 "http://user:pass@example.org/kpi.csv", ""])
def test_the_database_refuses_urls_other_than_http_and_https(url):
    with pytest.raises(IntegrityError, match="kpifeed_url_http"), transaction.atomic():
        make_feed(url)


def test_the_database_refuses_secrets_outside_the_prefix_and_short_intervals():
    with pytest.raises(IntegrityError, match="kpifeed_secret_from_env"), transaction.atomic():
        make_feed("https://example.org/k.csv", secret_env="SECRET_KEY")
    with pytest.raises(IntegrityError, match="kpifeed_pull_interval_min"), transaction.atomic():
        make_feed("https://example.org/k.csv", pull_interval=timedelta(seconds=5))
    with pytest.raises(IntegrityError, match="kpirun_unsuccessful_wrote_nothing"), \
            transaction.atomic():
        KpiRun.objects.create(kind="CONNECTOR", started_at=timezone.now(), outcome="FAILED",
                              message="lỗi", rows_inserted=3)


def test_the_command_and_the_beat_task_pull_feeds(source, capsys):
    state, base = source
    feed = make_feed(f"{base}/thang.csv")
    call_command("kpi_feed_pull", "--id", str(feed.pk))
    assert "Thành công" in capsys.readouterr().out
    assert "kpi.feeds_pull_due" in celery_app.tasks
    state.body = table(GOOD[:1])
    KpiFeed.objects.filter(pk=feed.pk).update(last_pulled_at=None)
    outcomes = celery_app.tasks["kpi.feeds_pull_due"].apply().get()
    assert list(outcomes.values()) == ["SUCCEEDED"]
    state.status = 503
    with pytest.raises(CommandError, match="thất bại"):
        call_command("kpi_feed_pull", "--id", str(feed.pk))
    with pytest.raises(CommandError, match="Không có nguồn"):
        call_command("kpi_feed_pull", "--id", "999999")


def test_the_local_worker_s_tick_pulls_due_feeds(source):
    """Without Celery, `integration_worker --follow` (started by `make demo`) keeps the feeds'
    schedule too."""
    from integration.management.commands.integration_worker import kpi_feeds_tick

    state, base = source
    feed = make_feed(f"{base}/a.csv")
    kpi_feeds_tick()
    feed.refresh_from_db()
    assert feed.last_pulled_at is not None and len(state.requests) == 1
    assert feed.runs.count() == 1
