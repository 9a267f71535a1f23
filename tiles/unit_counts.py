"""Features of a dense point layer per unit, for the drill-down's figures (layers.stats): whole
local months from the per-unit monthly counts, the days at a window's edges from the daily
counts, each plus the deltas not yet folded into them (tiles.models.UnitMonthCount,
UnitDayCount, kept by the drain like the cluster counts). Exact in every snapshot; a
province-wide answer reads a few thousand count rows instead of a million features."""
from collections import Counter
from datetime import date, timedelta

from django.db.models import Q, Sum

from layers.models import Layer

from .models import PointDelta, UnitDayCount, UnitKind, UnitMonthCount

# The feature (and delta) column each kind of unit follows.
COLUMN = {UnitKind.COMMUNE: "commune_code", UnitKind.COMMUNE_PRE2025: "commune_code_pre2025",
          UnitKind.DISTRICT_PRE2025: "district_code_pre2025"}


def has_unit_counts(layer: Layer) -> bool:
    """Whether the layer's counts are kept (dense point layers, those drawn as clusters)."""
    return layer.aggregate_below_zoom is not None


def unit_counts(*, layer: Layer, kind: str, codes: list[str] | None,
                since: date | None = None, until: date | None = None) -> Counter:
    """Features per unit code of `kind` (`codes`, or every unit of that kind), observed in the
    local days since–until (both included; None: open) when either is given."""
    column = COLUMN[kind]
    months = UnitMonthCount.objects.filter(layer=layer, kind=kind)
    days = UnitDayCount.objects.filter(layer=layer, kind=kind)
    deltas = PointDelta.objects.filter(layer=layer).exclude(**{column: ""})
    if codes is not None:
        months, days = months.filter(code__in=codes), days.filter(code__in=codes)
        deltas = deltas.filter(**{f"{column}__in": codes})
    whole, edges = _split(since, until)
    parts = []
    if whole is not None:
        month_q = _range_q("month", *whole)
        parts += [_sum(months.filter(month_q), "code", "n"),
                  _sum(deltas.filter(month_q), column, "sign")]
    for first, end in edges:
        day_q = _range_q("day", first, end)
        parts += [_sum(days.filter(day_q), "code", "n"), _sum(deltas.filter(day_q), column, "sign")]
    result: Counter = Counter()
    # one statement for every part (a request counts several layers: round trips add up)
    for code, n in parts[0].union(*parts[1:], all=True):
        result[code] += n
    return Counter({code: n for code, n in result.items() if n})


def _sum(rows, key: str, value: str):
    """(key, total) rows, one per key."""
    return rows.values_list(key).annotate(total=Sum(value)).values_list(key, "total").order_by()


def _range_q(field: str, first: date | None, end: date | None) -> Q:
    """first <= field < end (None: open; a NULL field is in no range with a bound)."""
    q = Q()
    if first is not None:
        q &= Q(**{f"{field}__gte": first})
    if end is not None:
        q &= Q(**{f"{field}__lt": end})
    return q


def _split(since: date | None, until: date | None):
    """((first whole month, end) or None, [(first day, end day) of the edges]) of the local
    days since–until; with neither, every month (undated features too)."""
    if since is None and until is None:
        return (None, None), []
    stop = until + timedelta(days=1) if until else None
    first = None if since is None else (since if since.day == 1 else _next_month(since))
    end = None if stop is None else stop.replace(day=1)
    if first is not None and end is not None and first >= end:
        return None, [(since, stop)]
    edges = []
    if since is not None and first != since:
        edges.append((since, first))
    if stop is not None and end != stop:
        edges.append((end, stop))
    return (first if since is not None else date.min, end), edges


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)
