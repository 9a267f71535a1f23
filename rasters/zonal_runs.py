"""Zonal statistics written to the database: for a raster, its `ZonalStat` of every unit
version in force in each generation (today's province and communes; on 30 June 2025 the
province, districts and communes), and the `MeasureValue`s of the measures it takes part in.
A run replaces a raster's (or measure's) rows of a generation in one transaction."""
import logging
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from layers.models import AdminUnit
from layers.selectors import valid_on
from layers.stats import GENERATIONS, generation_day

from . import files
from .models import MeasureValue, RasterLayer, ZonalMeasure, ZonalStat, ZonalStatus
from .zonal import cell_stats, geojson_of, mask_on_cells, measure_figure, row_areas_km2, unit_cells

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]  # (what, done, total)


def units_of(generation: str) -> list[AdminUnit]:
    """Unit versions of every level in force on the generation's day, outlines included."""
    return list(AdminUnit.objects.filter(valid_on(generation_day(generation)))
                .order_by("level", "code"))


def _open(raster: RasterLayer):
    return files.open_geotiff(files.stored_path(raster.file_name))


def raster_zonal_compute(*, raster: RasterLayer, generations: Iterable[str] = GENERATIONS,
                         progress: Progress | None = None, with_measures: bool = True) -> int:
    """Compute the raster's statistics and (unless `with_measures` is False) the measures it
    takes part in; the number of unit rows written.
    The raster is marked RUNNING, then DONE or FAILED (with the reason) — never left unsaid."""
    generations = list(generations)
    RasterLayer.objects.filter(pk=raster.pk).update(zonal_status=ZonalStatus.RUNNING,
                                                    zonal_message="")
    try:
        written = _stats_write(raster, generations, progress)
        for measure in measures_of(raster) if with_measures else []:
            written += measure_compute(measure=measure, generations=generations,
                                       progress=progress)
    except Exception as exc:
        log.exception("zonal statistics of raster %s failed", raster.slug)
        RasterLayer.objects.filter(pk=raster.pk).update(
            zonal_status=ZonalStatus.FAILED, zonal_message=str(exc)[:2000])
        raise
    RasterLayer.objects.filter(pk=raster.pk).update(
        zonal_status=ZonalStatus.DONE, zonal_computed_at=timezone.now(),
        zonal_message=f"{written:,} dòng theo đơn vị.")
    return written


def measures_of(raster: RasterLayer) -> list[ZonalMeasure]:
    """The measures a raster takes part in (as values or as mask)."""
    return list(ZonalMeasure.objects.filter(Q(value_raster=raster) | Q(mask_raster=raster))
                .select_related("value_raster", "mask_raster"))


def _stats_write(raster: RasterLayer, generations: list[str], progress: Progress | None) -> int:
    written = 0
    with files.gdal_env(), _open(raster) as dataset:
        areas = row_areas_km2(dataset)
        for generation in generations:
            units, day = units_of(generation), generation_day(generation)
            rows = []
            for done, unit in enumerate(units, 1):
                stats = cell_stats(unit_cells(dataset, geojson_of(unit.geom), areas))
                rows.append(ZonalStat(raster=raster, unit=unit, generation=generation,
                                      units_on=day, cells=stats.cells, sum=stats.sum,
                                      mean=stats.mean, min=stats.min, max=stats.max,
                                      area_km2=stats.area_km2))
                if progress:
                    progress(f"{raster.slug} {generation}", done, len(units))
            with transaction.atomic():
                ZonalStat.objects.filter(raster=raster, generation=generation).delete()
                ZonalStat.objects.bulk_create(rows, batch_size=2000)
            written += len(rows)
    return written


def measure_compute(*, measure: ZonalMeasure, generations: Iterable[str] = GENERATIONS,
                    progress: Progress | None = None) -> int:
    """Compute one measure for every unit of the generations; rows written."""
    value_raster, mask_raster = measure.value_raster, measure.mask_raster
    written = 0
    with files.gdal_env(), _open(value_raster) as values:
        masks = _open(mask_raster) if mask_raster else None
        try:
            areas = row_areas_km2(values)
            for generation in generations:
                units, day = units_of(generation), generation_day(generation)
                rows = []
                for done, unit in enumerate(units, 1):
                    cells = unit_cells(values, geojson_of(unit.geom), areas)
                    zone = None
                    if masks is not None and cells is not None:
                        zone = mask_on_cells(masks, cells, values) >= measure.mask_threshold
                    figure = measure_figure(cells, aggregation=measure.aggregation,
                                            value_kind=value_raster.value_kind, zone=zone)
                    rows.append(MeasureValue(measure=measure, unit=unit, generation=generation,
                                             units_on=day, value=figure.value, cells=figure.cells,
                                             zone_cells=figure.zone_cells))
                    if progress:
                        progress(f"{measure.slug} {generation}", done, len(units))
                with transaction.atomic():
                    MeasureValue.objects.filter(measure=measure, generation=generation).delete()
                    MeasureValue.objects.bulk_create(rows, batch_size=2000)
                written += len(rows)
        finally:
            if masks is not None:
                masks.close()
    return written
