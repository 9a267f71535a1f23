"""Reads of the rasters app: the raster layers a caller may see, one by slug, zonal statistics
of a generation, and every raster figure of one unit for the drill-down.

Who sees a raster is the vector layers' rule (`Principal.can_see_layer`: public for everybody;
otherwise the view right in the raster's sector, and `layers:read` for a token). A raster is one
field over the province: it has no features stamped with units, so there is no per-unit ground
inside it — whoever sees it sees all of it (ADR 0013)."""
from dataclasses import dataclass

from django.db.models import QuerySet

from access.principal import Principal
from layers.models import AdminUnit
from layers.selectors import unit_get
from layers.stats import generation_day

from .errors import RasterNotFound
from .models import MeasureValue, RasterLayer, ZonalMeasure, ZonalStat


def raster_visible(*, principal: Principal, raster: RasterLayer) -> bool:
    """The vector layers' visibility rule, applied to a raster layer (same fields)."""
    return principal.can_see_layer(raster)


def raster_list_visible(*, principal: Principal) -> list[RasterLayer]:
    """Raster layers the principal may see, in registry order."""
    return [raster for raster in RasterLayer.objects.order_by("sector", "slug")
            if raster_visible(principal=principal, raster=raster)]


def raster_get_visible(*, slug: str, principal: Principal) -> RasterLayer:
    """One raster layer by slug, if the principal may see it (404 otherwise, no probing)."""
    # PostgreSQL text cannot hold NUL, so no slug has one (and the driver would refuse the query).
    raster = None if "\x00" in slug else RasterLayer.objects.filter(slug=slug).first()
    if raster is None or not raster_visible(principal=principal, raster=raster):
        raise RasterNotFound(f"Không có lớp raster “{slug}”.")
    return raster


def measure_list_visible(*, principal: Principal) -> list[ZonalMeasure]:
    """Measures whose rasters (value and mask) the principal may all see."""
    measures = ZonalMeasure.objects.select_related("value_raster", "mask_raster")
    return [m for m in measures
            if raster_visible(principal=principal, raster=m.value_raster)
            and (m.mask_raster is None
                 or raster_visible(principal=principal, raster=m.mask_raster))]


def zonal_rows(*, raster: RasterLayer, generation: str, parent_code: str | None = None,
               level: str | None = None) -> QuerySet[ZonalStat]:
    """A raster's statistics per unit of a generation, optionally the children of one unit
    (404 when that unit is not in force in the generation) or one level."""
    rows = ZonalStat.objects.filter(raster=raster, generation=generation).select_related("unit")
    if parent_code:
        parent = unit_get(code=parent_code, day=generation_day(generation))
        rows = rows.filter(unit__parent=parent)
    if level:
        rows = rows.filter(unit__level=level)
    return rows.order_by("unit__level", "unit__code")


@dataclass(frozen=True)
class UnitRasterFigures:
    unit: AdminUnit
    generation: str
    measures: list[tuple[ZonalMeasure, MeasureValue | None]]
    rasters: list[tuple[RasterLayer, ZonalStat | None]]


def unit_raster_figures(*, principal: Principal, code: str,
                        generation: str) -> UnitRasterFigures:
    """Every raster figure of one unit the principal may see: measures, then rasters' stats."""
    unit = unit_get(code=code, day=generation_day(generation))
    measures = measure_list_visible(principal=principal)
    values = {v.measure_id: v for v in MeasureValue.objects.filter(
        unit=unit, generation=generation, measure__in=measures)}
    rasters = raster_list_visible(principal=principal)
    stats = {s.raster_id: s for s in ZonalStat.objects.filter(
        unit=unit, generation=generation, raster__in=rasters)}
    return UnitRasterFigures(unit, generation, [(m, values.get(m.pk)) for m in measures],
                             [(r, stats.get(r.pk)) for r in rasters])
