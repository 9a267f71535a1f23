"""Writes of the sources app: check every source, keep the result, and raise to the owner
department what needs them — a stale or failing source, or low quality — closing the alerts
whose condition has cleared. A layer fed by an active connector is not alerted for staleness
itself: the connector's alert says it once."""
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from alerts.models import AlertKind, Severity
from alerts.services import alert_raise, alerts_sweep

from . import conf
from .health import Health, all_health, connector_health, layer_health
from .models import Liveness, SourceKind, SourceStatus

ALERT_KINDS = [AlertKind.SOURCE_STALE, AlertKind.SOURCE_FAILING, AlertKind.QUALITY_LOW]
SUBJECT_PREFIXES = ("connector:", "stream:", "layer:")


def _interval_text(interval: timedelta) -> str:
    """Whole days from two days on, else whole hours (at least one)."""
    hours = interval.total_seconds() / 3600
    return f"{round(hours / 24)} ngày" if hours >= 48 else f"{max(1, round(hours))} giờ"


def _alerts_for(health: Health, now: datetime, fed: set[int]) -> list[dict]:
    """The alerts one source's health calls for (kind, severity, title, detail)."""
    alerts = []
    link = f"/data/?source={health.subject}"
    base = {"subject": health.subject, "owner_department": health.owner_department,
            "sector": health.sector, "link": link}
    figures = {"liveness": health.liveness, "completeness": health.completeness,
               "validity": health.validity,
               "last_success_at": health.last_success_at and health.last_success_at.isoformat(),
               "expected_hours": health.expected_interval
               and health.expected_interval.total_seconds() / 3600}
    skip_stale = health.kind == SourceKind.LAYER and health.layer_id in fed
    if health.liveness == Liveness.STALE and not skip_stale:
        age = health.age(now)
        critical = age > health.expected_interval * conf.get("IOC_SOURCES_CRITICAL_INTERVALS")
        alerts.append({**base, "kind": AlertKind.SOURCE_STALE, "evidence": figures,
                       "severity": Severity.CRITICAL if critical else Severity.WARNING,
                       "title": f"{health.name}: chưa cập nhật {_interval_text(age)}",
                       "detail": f"Chu kỳ dự kiến {_interval_text(health.expected_interval)}; "
                                 f"lần cập nhật thành công gần nhất "
                                 f"{timezone.localtime(health.last_success_at):%H:%M %d/%m/%Y}."})
    if health.liveness == Liveness.FAILING:
        alerts.append({**base, "kind": AlertKind.SOURCE_FAILING, "evidence": figures,
                       "severity": Severity.WARNING,
                       "title": f"{health.name}: lần nhập gần nhất bị lỗi",
                       "detail": health.detail.get("last_message", "")})
    low = []
    if health.validity is not None and health.validity < conf.get("IOC_SOURCES_MIN_VALIDITY"):
        low.append(f"hợp lệ {health.validity:.0%}")
    if (health.completeness is not None
            and health.completeness < conf.get("IOC_SOURCES_MIN_COMPLETENESS")):
        low.append(f"đầy đủ {health.completeness:.0%}")
    if low:
        alerts.append({**base, "kind": AlertKind.QUALITY_LOW, "evidence": figures,
                       "severity": Severity.WARNING,
                       "title": f"{health.name}: chất lượng dữ liệu thấp ({', '.join(low)})",
                       "detail": "Tỷ lệ dòng hợp lệ trong 30 ngày và tỷ lệ đối tượng có đủ thuộc "
                                 "tính bắt buộc thấp hơn ngưỡng."})
    return alerts


def _store(healths: list[Health], now: datetime, fed: set[int],
           progress: Callable[[int, int], None] | None) -> set[tuple[str, str]]:
    """Write the statuses and raise their alerts; the (kind, subject) pairs raised."""
    raised: set[tuple[str, str]] = set()
    for done, health in enumerate(healths, start=1):
        SourceStatus.objects.update_or_create(subject=health.subject, defaults={
            "kind": health.kind, "name": health.name[:200], "layer_id": health.layer_id,
            "sector": health.sector, "owner_department": health.owner_department,
            "liveness": health.liveness, "expected_interval": health.expected_interval,
            "last_success_at": health.last_success_at, "completeness": health.completeness,
            "validity": health.validity, "feature_count": health.feature_count,
            "detail": health.detail, "checked_at": now})
        for alert in _alerts_for(health, now, fed):
            alert_raise(now=now, **alert)
            raised.add((alert["kind"], alert["subject"]))
        if progress:
            progress(done, len(healths))
    return raised


def _fed(healths: list[Health]) -> set[int]:
    return {h.layer_id for h in healths
            if h.kind == SourceKind.CONNECTOR and h.liveness != Liveness.INACTIVE}


def sources_check(*, now: datetime | None = None,
                  progress: Callable[[int, int], None] | None = None) -> list[SourceStatus]:
    """Check every source; the stored statuses. One transaction: statuses and alerts agree."""
    now = now or timezone.now()
    healths = all_health(now)
    with transaction.atomic():
        raised = _store(healths, now, _fed(healths), progress)
        SourceStatus.objects.exclude(subject__in=[h.subject for h in healths]).delete()
        for prefix in SUBJECT_PREFIXES:
            alerts_sweep(kinds=ALERT_KINDS, subject_prefix=prefix, still_open=raised, now=now)
    return list(SourceStatus.objects.select_related("layer"))


def connector_refresh(*, connector_id: int, now: datetime | None = None) -> None:
    """Re-check one connector and its layer (after one of its runs ended), so the data page
    shows the run at once rather than at the next full check."""
    now = now or timezone.now()
    connectors = connector_health(now)
    mine = [h for h in connectors if h.subject == f"connector:{connector_id}"]
    if not mine:
        return
    healths = mine + layer_health(now, connectors, layer_ids={mine[0].layer_id})
    with transaction.atomic():
        raised = _store(healths, now, _fed(connectors), None)
        alerts_sweep(kinds=ALERT_KINDS, subjects=[h.subject for h in healths],
                     still_open=raised, now=now)
