"""Computed KPIs: the allow-list of named aggregations over our own data. A KPI with source
COMPUTED names one of them (`Kpi.computation`); nothing from a request reaches this SQL — the
statements are fixed here, values are bound parameters.

Each aggregation answers, in one set-based statement, the value per period for the province,
each current commune, each pre-reform commune and each pre-reform district at once (GROUPING
SETS over the unit codes the database stamped on every feature, ADR 0002; incidents take the
pre-reform codes of their map feature). Times are bucketed in Vietnam time.

Counts and sums are "additive": in every period in which the source holds at least one record
anywhere in the province, a unit without records gets 0; a period with no record at all has no
value (no data is not zero). Rates and means are not filled: no resolved incident, no rate.

Incident KPIs follow the video wall's definitions (wall.selectors.wall_kpi): resolved = status
resolved or closed, by `resolved_at`; on time = `resolved_at <= due_at`; rejected and
duplicate incidents are left out, as in the drill-down's figures (incidents.unit_figures)."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection

from incidents.models import PUBLIC_CHANNELS, Incident
from incidents.projection import LAYER_SLUG as INCIDENTS_LAYER
from incidents.transitions import CLOSED_STATES, HIDDEN_STATES
from layers.models import Feature, Layer

from . import periods
from .errors import UnknownComputation

PROVINCE, COMMUNE, COMMUNE_PRE, DISTRICT_PRE = "province", "commune", "commune_pre2025", "district_pre2025"
# GROUPING(cur, pre, dist): a bit set for each code *not* grouped by.
_KIND_BY_GROUPING = {7: PROVINCE, 3: COMMUNE, 5: COMMUNE_PRE, 6: DISTRICT_PRE}
TRUNC = {periods.DAY: "day", periods.MONTH: "month", periods.QUARTER: "quarter",
         periods.YEAR: "year"}


@dataclass(frozen=True)
class Row:
    """A computed value: the kind of unit, its code (of that generation), the period start."""

    kind: str
    code: str
    period_start: date
    value: float


@dataclass(frozen=True)
class Computation:
    """A named aggregation: `compute(periodicity, since)` → rows; `additive` ones are zero-filled
    over the periods that have data; `per_capita` divides by the unit's population × 100,000."""

    name: str
    description: str
    compute: Callable[[str, datetime | None], list[Row]]
    additive: bool = True
    per_capita: bool = False


_GROUPED = """
SELECT GROUPING(s.cur, s.pre, s.dist), s.cur, s.pre, s.dist, s.period_start, {aggregate}
  FROM ({inner}) s
 GROUP BY GROUPING SETS ((s.period_start), (s.period_start, s.cur), (s.period_start, s.pre),
                        (s.period_start, s.dist))
"""
_FEATURES = f"""
SELECT f.commune_code AS cur, f.commune_code_pre2025 AS pre, f.district_code_pre2025 AS dist,
       date_trunc(%(trunc)s, f.observed_at AT TIME ZONE %(tz)s)::date AS period_start,
       CASE WHEN %(summed)s::text IS NULL THEN 1
            WHEN jsonb_typeof(f.properties -> %(summed)s) = 'number'
            THEN (f.properties -> %(summed)s)::numeric ELSE 0 END AS x
  FROM {Feature._meta.db_table} f
 WHERE f.layer_id = (SELECT id FROM {Layer._meta.db_table} WHERE slug = %(layer)s)
   AND f.commune_code IS NOT NULL AND f.observed_at IS NOT NULL
   AND f.observed_at >= COALESCE(%(since)s::timestamptz, '-infinity'::timestamptz)
   AND (%(prop)s::text IS NULL OR f.properties ->> %(prop)s = %(prop_value)s)
"""
_INCIDENTS = f"""
SELECT i.commune_code AS cur, f.commune_code_pre2025 AS pre, f.district_code_pre2025 AS dist,
       date_trunc(%(trunc)s, i.{{time}} AT TIME ZONE %(tz)s)::date AS period_start,
       (i.resolved_at <= i.due_at) AS on_time, i.rating
  FROM {Incident._meta.db_table} i
  LEFT JOIN {Feature._meta.db_table} f
    ON f.layer_id = (SELECT id FROM {Layer._meta.db_table} WHERE slug = %(layer)s)
   AND f.external_id = i.public_id
 WHERE i.status <> ALL(%(hidden)s) AND i.{{time}} IS NOT NULL
   AND i.{{time}} >= COALESCE(%(since)s::timestamptz, '-infinity'::timestamptz)
   AND (%(channels)s::text[] IS NULL OR i.channel = ANY(%(channels)s))
   AND (%(statuses)s::text[] IS NULL OR i.status = ANY(%(statuses)s))
"""


def _rows(sql: str, params: dict) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    rows = []
    for grouping, cur, pre, dist, start, value in found:
        kind = _KIND_BY_GROUPING.get(grouping)
        code = {PROVINCE: "", COMMUNE: cur, COMMUNE_PRE: pre, DISTRICT_PRE: dist}.get(kind)
        if kind is None or code is None or value is None:
            continue  # a NULL code group: records no unit of that generation holds
        rows.append(Row(kind, code, start, float(value)))
    return rows


def _common(periodicity: str, since: datetime | None) -> dict:
    return {"trunc": TRUNC[periodicity], "tz": settings.TIME_ZONE, "since": since}


def features(layer: str, *, summed: str | None = None, prop: str | None = None,
             prop_value: str | None = None) -> Callable[[str, datetime | None], list[Row]]:
    """Count (or sum the numeric property `summed` of) a layer's features by `observed_at`,
    optionally only those whose property `prop` equals `prop_value`."""
    aggregate = "sum(s.x)" if summed else "count(*)"

    def compute(periodicity: str, since: datetime | None) -> list[Row]:
        return _rows(_GROUPED.format(aggregate=aggregate, inner=_FEATURES), {
            **_common(periodicity, since), "layer": layer, "summed": summed, "prop": prop,
            "prop_value": prop_value})
    return compute


def _texts(choices) -> list[str] | None:
    return sorted(str(choice) for choice in choices) if choices else None


_INCIDENT_AGGREGATES = {
    "count": "count(*)",
    "on_time": "count(*) FILTER (WHERE s.on_time)",
    "on_time_pct": "100.0 * count(*) FILTER (WHERE s.on_time) / count(*)",
    "mean_rating": "avg(s.rating)",
}


def incidents(aggregate: str, *, time: str, channels=None,
              statuses=None) -> Callable[[str, datetime | None], list[Row]]:
    """Aggregate incidents (rejected and duplicate ones left out) by `time` (created_at or
    resolved_at), optionally of some channels or statuses."""
    if time not in ("created_at", "resolved_at"):
        raise ValueError(time)
    sql = _GROUPED.format(aggregate=_INCIDENT_AGGREGATES[aggregate],
                          inner=_INCIDENTS.format(time=time))

    def compute(periodicity: str, since: datetime | None) -> list[Row]:
        return _rows(sql, {**_common(periodicity, since), "layer": INCIDENTS_LAYER,
                           "hidden": _texts(HIDDEN_STATES), "channels": _texts(channels),
                           "statuses": _texts(statuses)})
    return compute


_RESOLVED = {"time": "resolved_at", "statuses": CLOSED_STATES}
_SECURITY = "security-incidents"
_ACCIDENTS = "traffic-accidents"

REGISTRY: dict[str, Computation] = {c.name: c for c in [
    Computation("security_incidents", "Vụ việc ANTT (lớp security-incidents), đếm theo tháng",
                features(_SECURITY)),
    Computation("security_theft", "Vụ việc ANTT loại trộm cắp",
                features(_SECURITY, prop="incident_type", prop_value="theft")),
    Computation("security_fraud", "Vụ việc ANTT loại lừa đảo",
                features(_SECURITY, prop="incident_type", prop_value="fraud")),
    Computation("security_assault", "Vụ việc ANTT loại cố ý gây thương tích, đánh nhau",
                features(_SECURITY, prop="incident_type", prop_value="assault")),
    Computation("security_drugs", "Vụ việc ANTT loại ma túy",
                features(_SECURITY, prop="incident_type", prop_value="drugs")),
    Computation("traffic_accidents", "Vụ tai nạn giao thông (lớp traffic-accidents)",
                features(_ACCIDENTS)),
    Computation("traffic_deaths", "Tổng số người chết (thuộc tính deaths)",
                features(_ACCIDENTS, summed="deaths")),
    Computation("traffic_injuries", "Tổng số người bị thương (thuộc tính injuries)",
                features(_ACCIDENTS, summed="injuries")),
    Computation("traffic_accidents_per_100k",
                "Vụ tai nạn giao thông / dân số của đơn vị × 100.000",
                features(_ACCIDENTS), per_capita=True),
    Computation("incidents_received", "Sự cố tiếp nhận, theo thời điểm tiếp nhận",
                incidents("count", time="created_at")),
    Computation("citizen_reports_received", "Phản ánh qua web và Open311",
                incidents("count", time="created_at", channels=PUBLIC_CHANNELS)),
    Computation("incidents_resolved", "Sự cố xử lý xong, theo thời điểm xử lý xong",
                incidents("count", **_RESOLVED)),
    Computation("incidents_resolved_on_time", "Sự cố xử lý xong đúng hạn",
                incidents("on_time", **_RESOLVED)),
    Computation("incidents_on_time_pct", "Tỷ lệ % sự cố xử lý xong đúng hạn",
                incidents("on_time_pct", **_RESOLVED), additive=False),
    Computation("citizen_satisfaction", "Điểm hài lòng trung bình (1–5) của sự cố xử lý xong",
                incidents("mean_rating", **_RESOLVED), additive=False),
]}


def computation_get(name: str) -> Computation:
    """A computation by name (UnknownComputation when it is not in the allow-list)."""
    computation = REGISTRY.get(name)
    if computation is None:
        raise UnknownComputation(f"Không có phép tính “{name[:63]}” trong danh mục.",
                                 details={"computation": name[:63]})
    return computation
