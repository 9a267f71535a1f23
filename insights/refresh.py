"""The scheduled refresh of the KPI insights (`manage.py kpi_insights`, Celery `insights.refresh`):

1. needs attention — every active KPI at the province, each current commune and each pre-2025
   district (the units the dashboard shows): trend and streak (insights.attention); the
   `Attention` rows are replaced by what holds now (a lasting item keeps `detected_at`);
2. alerts — one KPI_ATTENTION alert per KPI and unit in trouble, to the KPI's owner department
   (subject `kpi:<code>:<unit code>`; unit codes do not repeat across these units), closed by
   the sweep once the series recovers;
3. forecasts — ahead of time only for the units of IOC_INSIGHTS_SCHEDULED_FORECASTS (the
   province and the districts by default): a forecast costs about a second of CPU, so the
   ~7,000 commune series are forecast when someone asks (and stored). Unchanged histories
   are not recomputed (services.forecast_compute).
"""
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from alerts.models import AlertKind
from alerts.services import alert_raise, alerts_sweep
from kpi.errors import KpiNotFound
from kpi.models import Kpi
from kpi.units import CURRENT, PRE_REFORM, Reform, RefUnit, reform

from . import conf
from .attention import Item, attention_items, highest
from .messages import alert_text
from .models import Attention
from .series import unit_series
from .services import forecast_compute

Key = tuple[int, int, str]  # kpi id, unit id, generation


@dataclass
class RefreshReport:
    """Counts and timings of one refresh."""

    units: int = 0
    series: int = 0
    attention: dict = field(default_factory=lambda: {"TREND": 0, "STREAK": 0})
    alerts_open: int = 0
    alerts_new: int = 0
    alerts_closed: int = 0
    forecasts_series: int = 0
    forecasts_stored: int = 0
    forecasts_insufficient: int = 0
    seconds: dict = field(default_factory=dict)


def scope(units: Reform) -> list[tuple[RefUnit, str]]:
    """The units the refresh watches, with the generation each is read in."""
    found = [(units.units[units.province_id], CURRENT)]
    found += [(units.units[i], CURRENT) for i in units.leaves[CURRENT]]
    found += [(units.units[i], PRE_REFORM)
              for i in sorted(units.children, key=lambda i: units.units[i].code)]
    return found


def _kpis(codes: list[str] | None) -> list[Kpi]:
    kpis = list(Kpi.objects.filter(is_active=True).select_related("numerator", "denominator"))
    if codes:
        missing = sorted(set(codes) - {k.code for k in kpis})
        if missing:
            raise KpiNotFound(f"Không có chỉ số đang dùng: {', '.join(missing)}.",
                              details={"kpi": missing})
        kpis = [k for k in kpis if k.code in codes]
    return kpis


def _write_attention(found: dict[Key, list[Item]], kpis: list[Kpi], now: datetime) -> None:
    existing = {(a.kpi_id, a.unit_id, a.generation, a.kind): a
                for a in Attention.objects.filter(kpi__in=kpis)}
    rows = []
    for (kpi_id, unit_id, generation), items in found.items():
        for item in items:
            old = existing.pop((kpi_id, unit_id, generation, item.kind), None)
            rows.append(Attention(kpi_id=kpi_id, unit_id=unit_id, generation=generation,
                                  kind=item.kind, severity=item.severity,
                                  evidence=item.evidence, since=item.since,
                                  detected_at=old.detected_at if old else now,
                                  last_seen_at=now))
    with transaction.atomic():
        Attention.objects.filter(pk__in=[a.pk for a in existing.values()]).delete()
        Attention.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["kpi", "unit", "generation", "kind"],
            update_fields=["severity", "evidence", "since", "last_seen_at"])


def _alerts(found: dict[Key, list[Item]], kpis: list[Kpi], units: Reform, codes, now,
            report: RefreshReport) -> None:
    by_id = {k.id: k for k in kpis}
    still_open = set()
    for (kpi_id, unit_id, generation), items in found.items():
        kpi, unit = by_id[kpi_id], units.units[unit_id]
        subject = f"kpi:{kpi.code}:{unit.code}"
        title, detail, link = alert_text(kpi, unit, generation, items)
        _, new = alert_raise(
            kind=AlertKind.KPI_ATTENTION, subject=subject, owner_department=kpi.owner_department,
            sector=kpi.sector, title=title, detail=detail, link=link, now=now,
            severity=highest([i.severity for i in items]),
            evidence={"kpi": kpi.code, "unit": unit.code, "generation": generation,
                      "items": [{"kind": i.kind, "since": i.since.isoformat(),
                                 "evidence": i.evidence} for i in items]})
        still_open.add((AlertKind.KPI_ATTENTION, subject))
        report.alerts_new += new
    report.alerts_open = len(still_open)
    prefixes = [f"kpi:{code}:" for code in codes] if codes else ["kpi:"]
    for prefix in prefixes:
        report.alerts_closed += alerts_sweep(kinds=[AlertKind.KPI_ATTENTION], now=now,
                                             subject_prefix=prefix, still_open=still_open)


def _forecast_units(watched: list[tuple[RefUnit, str]]) -> list[tuple[RefUnit, str]]:
    levels = {level.strip().upper()
              for level in conf.get("IOC_INSIGHTS_SCHEDULED_FORECASTS").split(",")}
    return [(unit, generation) for unit, generation in watched if unit.level in levels]


def _forecasts(kpis, units, watched, today, progress, report: RefreshReport) -> None:
    for unit, generation in tqdm(_forecast_units(watched), desc="Dự báo", unit=" đơn vị",
                                 disable=not progress):
        for series in unit_series(kpis=kpis, unit=unit, generation=generation, reform=units,
                                  spans=conf.get("IOC_INSIGHTS_HISTORY"), today=today):
            if not any(v is not None for v in series.values):
                continue
            report.forecasts_series += 1
            stored = forecast_compute(series=series)
            report.forecasts_stored += stored is not None
            report.forecasts_insufficient += stored is None


def insights_refresh(*, codes: list[str] | None = None, forecasts: bool = True,
                     progress: bool = False, now: datetime | None = None) -> RefreshReport:
    """Recompute what needs attention (and its alerts) and the scheduled forecasts, for every
    active KPI or the KPIs of `codes`."""
    now, report, started = now or timezone.now(), RefreshReport(), time.monotonic()
    today = timezone.localdate(now)
    kpis, units = _kpis(codes), reform()
    watched = scope(units)
    spans = conf.get("IOC_INSIGHTS_TREND_HISTORY")
    found: dict[Key, list[Item]] = defaultdict(list)
    for unit, generation in tqdm(watched, desc="Cần chú ý", unit=" đơn vị", disable=not progress):
        for series in unit_series(kpis=kpis, unit=unit, generation=generation, reform=units,
                                  spans=spans, today=today):
            report.series += 1
            items = attention_items(series)
            if items:
                found[(series.kpi.id, unit.id, generation)] = items
            for item in items:
                report.attention[item.kind] += 1
    report.units = len(watched)
    _write_attention(found, kpis, now)
    if conf.get("IOC_INSIGHTS_ALERTS"):
        _alerts(found, kpis, units, codes, now, report)
    report.seconds["attention"] = round(time.monotonic() - started, 2)
    if forecasts:
        _forecasts(kpis, units, watched, today, progress, report)
        report.seconds["forecasts"] = round(time.monotonic() - started
                                            - report.seconds["attention"], 2)
    return report

