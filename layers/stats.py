"""Figures of one administrative unit for the leaders' drill-down (issue 6): the features of
every layer the caller may see inside the unit, and for one layer the counts per child unit
(the choropleth). Dense layers read whole by the caller come from the per-unit monthly counts
the tiles keep (tiles.unit_counts); the rest are counted from the features. Each layer is
counted only as far as the caller may read it
(`Principal.feature_scope`, the rule of the feature API and the tiles), and a feature belongs to
a unit by the unit codes the database stamped on it (current commune; pre-reform commune and
district — ADR 0005), so both generations drill down the same way."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.gis.db.models import Extent
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tiles.models import UnitKind
from tiles.unit_counts import COLUMN, has_unit_counts, unit_counts

from .conf import PRE_REFORM_REFERENCE_DATE
from .models import AdminLevel, AdminUnit, Feature, Layer, LayerSource
from .selectors import layer_get_visible, layer_list_visible, unit_ancestors, unit_get, valid_on

CURRENT, PRE_REFORM = "current", "pre2025"
GENERATIONS = (CURRENT, PRE_REFORM)

# The kind of unit of a generation and level: its kept counts (tiles.unit_counts) and the
# stamped feature code that places a feature in it (COLUMN).
KIND = {(CURRENT, AdminLevel.COMMUNE): UnitKind.COMMUNE,
        (PRE_REFORM, AdminLevel.COMMUNE): UnitKind.COMMUNE_PRE2025,
        (PRE_REFORM, AdminLevel.DISTRICT): UnitKind.DISTRICT_PRE2025}
# The level whose stamped code places a feature inside the province, per generation.
PROVINCE_LEVEL = {CURRENT: AdminLevel.COMMUNE, PRE_REFORM: AdminLevel.DISTRICT}
CHILD_LEVEL = {(CURRENT, AdminLevel.PROVINCE): AdminLevel.COMMUNE,
               (PRE_REFORM, AdminLevel.PROVINCE): AdminLevel.DISTRICT,
               (PRE_REFORM, AdminLevel.DISTRICT): AdminLevel.COMMUNE}


@dataclass(frozen=True)
class Window:
    """Local days, both ends included; None is open. Applies to temporal layers only."""

    since: date | None = None
    until: date | None = None

    def q(self) -> Q:
        q = Q()
        if self.since:
            q &= Q(observed_at__gte=_local_midnight(self.since))
        if self.until:
            q &= Q(observed_at__lt=_local_midnight(self.until + timedelta(days=1)))
        return q


@dataclass(frozen=True)
class UnitStats:
    unit: AdminUnit
    generation: str
    breadcrumb: list[AdminUnit]          # the province first, the unit last
    window: Window
    layer_counts: list[tuple[Layer, int]]
    layer: Layer | None                  # the choropleth's layer
    child_level: str | None
    child_counts: list[tuple[AdminUnit, int]]
    bbox: tuple[float, float, float, float]   # the unit's outline: west, south, east, north


def generation_day(generation: str) -> date:
    """The day whose units a generation means: today, or the last day before the reform."""
    return timezone.localdate() if generation == CURRENT else PRE_REFORM_REFERENCE_DATE


def unit_stats(*, principal, code: str, generation: str = CURRENT, layer_slug: str | None = None,
               window: Window = Window()) -> UnitStats:
    """The unit's figures (404 for a unit unknown in that generation or a layer the caller
    may not see)."""
    day = generation_day(generation)
    unit = unit_get(code=code, day=day)
    in_unit = _in_unit(unit, generation)
    layers = [layer for layer in layer_list_visible(principal=principal)
              if layer.source == LayerSource.FEATURES]
    counts = [(layer, _count_in(principal, layer, unit, generation, window))
              for layer in layers]
    layer = layer_get_visible(slug=layer_slug, principal=principal) if layer_slug else None
    child_level = CHILD_LEVEL.get((generation, unit.level)) if layer else None
    children: list[tuple[AdminUnit, int]] = []
    if child_level:
        kids = list(AdminUnit.objects.filter(valid_on(day), level=child_level, parent=unit)
                    .order_by("code"))
        per_code = _per_unit(principal, layer, generation, child_level, [k.code for k in kids],
                             window, in_unit)
        children = [(kid, per_code.get(kid.code, 0)) for kid in kids]
    breadcrumb = [*reversed(unit_ancestors(unit=unit)), unit]
    bbox = AdminUnit.objects.filter(pk=unit.pk).aggregate(box=Extent("geom"))["box"]
    return UnitStats(unit, generation, breadcrumb, window, counts, layer, child_level, children,
                     tuple(round(value, 5) for value in bbox))


def _in_unit(unit: AdminUnit, generation: str) -> Q:
    if unit.level == AdminLevel.PROVINCE:  # stamped into one of its units
        column = COLUMN[KIND[(generation, PROVINCE_LEVEL[generation])]]
        return Q(**{f"{column}__isnull": False})
    kind = KIND.get((generation, unit.level))
    return Q(**{COLUMN[kind]: unit.code}) if kind else Q(pk__in=[])


def _kept(principal, layer: Layer) -> bool:
    """Counted from the kept per-unit counts: dense layers, read whole by this caller (the
    counts know units, not a caller's ground, which is small enough to count directly)."""
    return has_unit_counts(layer) and principal.feature_scope(layer).everything


def _count_in(principal, layer: Layer, unit: AdminUnit, generation: str, window: Window) -> int:
    if not _kept(principal, layer):
        return _readable(principal, layer, window).filter(_in_unit(unit, generation)).count()
    level = PROVINCE_LEVEL[generation] if unit.level == AdminLevel.PROVINCE else unit.level
    codes = None if unit.level == AdminLevel.PROVINCE else [unit.code]
    return sum(unit_counts(layer=layer, kind=KIND[(generation, level)], codes=codes,
                           since=window.since, until=window.until).values())


def _per_unit(principal, layer: Layer, generation: str, level: str, codes: list[str],
              window: Window, in_unit: Q) -> dict[str, int]:
    if _kept(principal, layer):
        return unit_counts(layer=layer, kind=KIND[(generation, level)], codes=codes,
                           since=window.since, until=window.until)
    column = COLUMN[KIND[(generation, level)]]
    return dict(_readable(principal, layer, window).filter(in_unit).values_list(column)
                .annotate(n=Count("id")).order_by())


def _readable(principal, layer: Layer, window: Window) -> QuerySet[Feature]:
    features = Feature.objects.filter(layer=layer).filter(principal.feature_filter(layer))
    return features.filter(window.q()) if layer.is_temporal else features


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
