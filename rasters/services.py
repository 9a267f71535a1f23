"""Writes of the rasters app: create a raster layer from an uploaded GeoTIFF (checked, kept as a
COG under a generated name, registered in one transaction), delete one, and compute its zonal
statistics (rasters/zonal.py) off the request path.

All or nothing: a refused or failed upload leaves no row and no file. The COG is named
`<slug>-<first 16 hex of its SHA-256>.tif`, so writing the same data again lands on the same
name and nothing accumulates."""
import os
import re
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import transaction
from rasterio.errors import RasterioError

from access.principal import Principal
from layers.models import Layer
from layers.models.layer import RESERVED_SLUGS

from . import conf, files
from .errors import (InvalidRasterQuery, RasterFileError, RasterSlugTaken, RasterTooLarge,
                     RasterWriteForbidden, RasterWrongFormat)
from .inspection import facts_of
from .models import SLUG_REGEX, RasterLayer, ValueKind
from .ramps import stops_problem


@dataclass(frozen=True)
class RasterInput:
    """What the uploader says about the raster (the file says the rest)."""

    slug: str
    title_vi: str
    title_en: str
    sector: str
    value_kind: str
    value_description_vi: str
    ramp: str
    ramp_stops: list[float] = field(default_factory=list)
    ramp_mode: str = "LINEAR"
    value_unit: str = ""
    nodata: float | None = None
    is_public: bool = False
    owner_department: str = ""
    attribution: str = ""
    description_vi: str = ""


def raster_may_create(*, principal: Principal | None, sector: str, slug: str) -> bool:
    """Creating a raster layer adds to the layer registry: the right to add layers
    (`layers.add_layer`, administrators) in that sector, and for a token the write scope of
    that slug. `principal=None` is the server's operator (commands, the demo)."""
    if principal is None:
        return True
    in_sector = principal.sectors is None or sector in principal.sectors
    return (principal.has("layers.add_layer") and in_sector
            and principal.has_scope(f"layers:write:{slug}"))


def _slug_check(slug: str) -> None:
    if not re.fullmatch(SLUG_REGEX, slug or "") or slug in RESERVED_SLUGS:
        raise InvalidRasterQuery(f"Mã lớp “{slug}” không hợp lệ: chữ thường, số, gạch nối, "
                                 "2–63 ký tự, bắt đầu bằng chữ.")
    if RasterLayer.objects.filter(slug=slug).exists():
        raise RasterSlugTaken(f"Đã có lớp raster “{slug}”.")
    if Layer.objects.filter(slug=slug).exists():
        raise RasterSlugTaken(f"“{slug}” là mã của một lớp bản đồ vector.")


def _meta_check(meta: RasterInput) -> None:
    problem = stops_problem(meta.ramp, list(meta.ramp_stops))
    if problem:
        raise InvalidRasterQuery(problem, details={"ramp_stops": [problem]})


def raster_create(*, principal: Principal | None, meta: RasterInput, file: BinaryIO,
                  file_name: str, size: int | None, user=None,
                  dispatch: bool = True) -> RasterLayer:
    """Check the upload, write its COG, register it; zonal statistics are queued after the
    commit (`dispatch=False` leaves them to the caller). Raises a named error and writes
    nothing when anything is refused."""
    if not raster_may_create(principal=principal, sector=meta.sector, slug=meta.slug):
        raise RasterWriteForbidden("Không có quyền tạo lớp raster "
                                   f"(lĩnh vực {meta.sector}, mã {meta.slug}).")
    _slug_check(meta.slug)
    _meta_check(meta)
    files.name_check(file_name)
    cap = conf.get("IOC_RASTER_MAX_UPLOAD_BYTES")
    if size is not None and size > cap:
        raise RasterTooLarge(files.too_large(size, cap))
    with files.scratch_dir() as scratch, files.gdal_env():
        source = files.upload_copy(source=file, directory=scratch)
        source_sha = files.sha256_of(source)
        cog = scratch / "cog.tif"
        try:
            facts = _prepare(source, meta)
            files.cog_write(source=source, target=cog, resampling="NEAREST"
                            if meta.value_kind == ValueKind.LEVEL else "AVERAGE")
        except RasterioError as exc:  # a TIFF GDAL opens but cannot read through
            raise RasterWrongFormat(f"GDAL không đọc được tệp GeoTIFF: {exc}") from exc
        raster = _register(meta, facts, cog, source_sha, file_name, user)
    if dispatch:
        from .tasks import zonal_dispatch

        transaction.on_commit(lambda: zonal_dispatch(raster.pk))
    return raster


def _prepare(source, meta: RasterInput):
    """Apply the uploader's nodata (our own copy, opened for update), then read the facts."""
    if meta.nodata is not None:
        with files.open_geotiff(source, "r+") as dataset:
            dataset.nodata = meta.nodata
    with files.open_geotiff(source) as dataset:
        return facts_of(dataset)


def _register(meta: RasterInput, facts, cog, source_sha: str, file_name: str,
              user) -> RasterLayer:
    """Move the COG to its generated name and insert the row; the file goes again if the row
    cannot be written."""
    sha = files.sha256_of(cog)
    name = f"{meta.slug}-{sha[:16]}.tif"
    target = files.stored_path(name)
    existed = target.exists()
    size = cog.stat().st_size
    os.replace(cog, target)
    try:
        with transaction.atomic():
            return RasterLayer.objects.create(
                slug=meta.slug, title_vi=meta.title_vi, title_en=meta.title_en,
                description_vi=meta.description_vi, sector=meta.sector,
                value_kind=meta.value_kind, value_description_vi=meta.value_description_vi,
                value_unit=meta.value_unit, ramp=meta.ramp, ramp_stops=list(meta.ramp_stops),
                ramp_mode=meta.ramp_mode, nodata=facts.nodata, is_public=meta.is_public,
                owner_department=meta.owner_department, attribution=meta.attribution,
                file_name=name, file_size=size, file_sha256=sha, source_sha256=source_sha,
                source_name=os.path.basename(file_name)[-255:], crs=facts.crs,
                width=facts.width, height=facts.height, res_x=facts.res_x, res_y=facts.res_y,
                dtype=facts.dtype, extent=facts.extent, max_zoom=facts.max_zoom,
                valid_cells=facts.valid_cells, band_min=facts.band_min, band_max=facts.band_max,
                band_mean=facts.band_mean, band_std=facts.band_std, created_by=user)
    except BaseException:
        if not existed:
            target.unlink(missing_ok=True)
        raise


def raster_delete(*, raster: RasterLayer) -> None:
    """Delete the row (its statistics and measures go with it) and, once committed, its file."""
    name = raster.file_name
    raster.delete()
    transaction.on_commit(lambda: _file_drop_if_unused(name))


def _file_drop_if_unused(name: str) -> None:
    if not RasterLayer.objects.filter(file_name=name).exists():
        files.stored_path(name).unlink(missing_ok=True)


__all__ = ["RasterInput", "RasterFileError", "raster_create", "raster_delete",
           "raster_may_create"]
