"""Refreshing computed KPIs: run the KPI's named aggregation (kpi.computations), map the unit
codes to the reference unit versions, upsert the values and delete the ones the data no longer
gives — all in one transaction, under one provenance run (source COMPUTED, the aggregation's
name, when, from which period on). Called by `manage.py kpi_refresh` and the Celery beat task
`kpi.refresh` (ioc_gis/celery.py)."""
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from . import conf, periods
from .computations import COMMUNE, COMMUNE_PRE, DISTRICT_PRE, PROVINCE, Row, computation_get
from .errors import KpiNotFound
from .models import Grain, Kpi, KpiRun, ProvenanceKind, Source
from .services import ValueRow, run_finish, run_start, values_upsert
from .units import CURRENT, Reform, reform

KINDS_BY_GRAIN = {Grain.PROVINCE: {PROVINCE}, Grain.DISTRICT: {PROVINCE, DISTRICT_PRE},
                  Grain.COMMUNE: {PROVINCE, DISTRICT_PRE, COMMUNE, COMMUNE_PRE}}


def _unit_ids(units: Reform, kinds: set[str]) -> dict[tuple[str, str], int]:
    """(kind, code) → reference unit id, for the kinds a KPI's grain keeps."""
    found = {}
    for unit in units.units.values():
        if unit.level == "PROVINCE":
            kind, code = PROVINCE, ""
        elif unit.level == "DISTRICT":
            kind, code = DISTRICT_PRE, unit.code
        else:
            kind, code = (COMMUNE if unit.generation == CURRENT else COMMUNE_PRE), unit.code
        if kind in kinds:
            found[(kind, code)] = unit.id
    return found


def _zero_filled(rows: list[Row], unit_ids: dict[tuple[str, str], int]) -> list[Row]:
    """Every unit gets a value (0 when it had no record) in each period that has data."""
    covered = sorted({row.period_start for row in rows if row.kind == PROVINCE})
    have = {(row.kind, row.code, row.period_start) for row in rows}
    filled = list(rows)
    for start in covered:
        for kind, code in unit_ids:
            if (kind, code, start) not in have:
                filled.append(Row(kind, code, start, 0.0))
    return filled


def _per_capita(rows: list[Row], units: Reform, unit_ids: dict) -> list[Row]:
    out = []
    for row in rows:
        unit_id = unit_ids.get((row.kind, row.code))
        population = units.units[unit_id].population if unit_id else None
        if population:
            out.append(Row(row.kind, row.code, row.period_start, 1e5 * row.value / population))
    return out


def _since_moment(start: date | None) -> datetime | None:
    return timezone.make_aware(datetime.combine(start, time.min)) if start else None


def kpi_refresh(*, kpi: Kpi, since: date | None = None, user=None,
                units: Reform | None = None) -> KpiRun:
    """Recompute a computed KPI from the period containing `since` on (all periods when None)."""
    if kpi.source != Source.COMPUTED:
        raise KpiNotFound(f"Chỉ số “{kpi.code}” không phải chỉ số tính toán.",
                          details={"kpi": kpi.code})
    computation = computation_get(kpi.computation)
    units = units or reform()
    start = periods.floor(since, kpi.periodicity) if since else None
    unit_ids = _unit_ids(units, KINDS_BY_GRAIN[kpi.grain])
    with transaction.atomic():
        run = run_start(kind=ProvenanceKind.COMPUTED, computation=computation.name, kpi=kpi,
                        since=start, user=user)
        rows = computation.compute(kpi.periodicity, _since_moment(start))
        if computation.additive:
            rows = _zero_filled(rows, unit_ids)
        if computation.per_capita:
            rows = _per_capita(rows, units, unit_ids)
        values = [ValueRow(kpi.id, unit_ids[(r.kind, r.code)], kpi.periodicity, r.period_start,
                           r.value) for r in rows if (r.kind, r.code) in unit_ids]
        counts = values_upsert(rows=values, run=run, source=ProvenanceKind.COMPUTED,
                               replace=[(kpi.id, start)])
        return run_finish(run, counts, read=len(values))


def computed_kpis(codes: Iterable[str] | None = None) -> list[Kpi]:
    """Active computed KPIs, or those named (KpiNotFound for a code that is not one)."""
    kpis = Kpi.objects.filter(source=Source.COMPUTED, is_active=True).order_by("code")
    if codes is None:
        return list(kpis)
    wanted = list(dict.fromkeys(codes))
    found = {kpi.code: kpi for kpi in kpis.filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise KpiNotFound(f"Không phải chỉ số tính toán đang dùng: {', '.join(missing)}.",
                          details={"kpi": missing})
    return [found[code] for code in wanted]


def kpis_refresh(*, codes: Iterable[str] | None = None, since: date | None = None,
                 user=None, progress: bool = False) -> list[KpiRun]:
    """Refresh several computed KPIs (each in its own transaction), with a progress bar."""
    kpis = computed_kpis(codes)
    units = reform()
    runs = []
    for kpi in tqdm(kpis, desc="KPI", unit=" chỉ số", disable=not progress):
        runs.append(kpi_refresh(kpi=kpi, since=since, user=user, units=units))
    return runs


def kpis_refresh_scheduled() -> list[KpiRun]:
    """The scheduled refresh: every computed KPI from IOC_KPI_REFRESH_LOOKBACK_DAYS back."""
    since = timezone.localdate() - timedelta(days=conf.get("IOC_KPI_REFRESH_LOOKBACK_DAYS"))
    return kpis_refresh(since=since)

