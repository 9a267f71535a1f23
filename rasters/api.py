"""REST endpoints of the rasters app: list and upload raster layers, a raster's statistics per
unit, every raster figure of one unit (the drill-down). Thin: input, one call, output."""
import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from layers.api import LEVELS
from layers.models import Sector
from layers.stats import CURRENT, GENERATIONS

from . import conf, selectors, services
from .errors import RasterTooLarge
from .files import too_large
from .models import RampModeChoice, ValueKind
from .ramps import RAMPS, ramp_legend
from .render import tile_template

CODE_PATTERN = r"^[0-9]{2,5}$"


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def raster_output(raster) -> dict:
    """The public description of a raster layer (no file path, no uploader)."""
    west, south, east, north = raster.extent.extent
    return {
        "slug": raster.slug, "title": raster.title_vi, "title_en": raster.title_en,
        "description": raster.description_vi, "sector": raster.sector,
        "value_kind": raster.value_kind.lower(), "value_description": raster.value_description_vi,
        "value_unit": raster.value_unit, "is_public": raster.is_public,
        "owner_department": raster.owner_department, "attribution": raster.attribution,
        "ramp": {"name": raster.ramp, "mode": raster.ramp_mode.lower(),
                 "stops": ramp_legend(ramp_name=raster.ramp, stops=list(raster.ramp_stops),
                                      mode=raster.ramp_mode)},
        "nodata": raster.nodata, "crs": raster.crs, "width": raster.width,
        "height": raster.height, "resolution": [raster.res_x, raster.res_y],
        "dtype": raster.dtype,
        "bounds": [round(west, 6), round(south, 6), round(east, 6), round(north, 6)],
        "maxzoom": raster.max_zoom,
        "band": {"valid_cells": raster.valid_cells, "min": raster.band_min,
                 "max": raster.band_max, "mean": _round(raster.band_mean),
                 "std": _round(raster.band_std)},
        "zonal": {"status": raster.zonal_status.lower(), "computed_at": raster.zonal_computed_at},
        "tiles": tile_template(raster.slug),
        "tilejson": f"/tiles/raster/{raster.slug}.json",
    }


class StopsField(serializers.CharField):
    """Comma-separated finite numbers (multipart has no arrays)."""

    def to_internal_value(self, data) -> list[float]:
        text = super().to_internal_value(data)
        try:
            stops = [float(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise serializers.ValidationError("Các mốc phải là số, cách nhau bởi dấu phẩy.")
        if not all(math.isfinite(value) for value in stops):
            raise serializers.ValidationError("Các mốc phải là số hữu hạn.")
        return stops


class FiniteFloatField(serializers.FloatField):
    def to_internal_value(self, data) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class RasterUploadInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, use_url=False)
    slug = serializers.CharField(max_length=63)
    title_vi = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200)
    sector = serializers.ChoiceField(choices=Sector.values)
    value_kind = serializers.ChoiceField(choices=ValueKind.values)
    value_description_vi = serializers.CharField(max_length=300)
    value_unit = serializers.CharField(max_length=40, required=False, default="")
    ramp = serializers.ChoiceField(choices=sorted(RAMPS))
    ramp_stops = StopsField(max_length=500)
    ramp_mode = serializers.ChoiceField(choices=RampModeChoice.values, required=False,
                                        default=RampModeChoice.LINEAR)
    nodata = FiniteFloatField(required=False)
    is_public = serializers.BooleanField(required=False, default=False)
    owner_department = serializers.CharField(max_length=200)
    attribution = serializers.CharField(max_length=300, required=False, default="")
    description_vi = serializers.CharField(max_length=5000, required=False, default="")


class RasterListApi(APIView):
    """GET: the raster layers the caller may see. POST (multipart): upload a GeoTIFF as a new
    raster layer — needs `layers.add_layer` in its sector (a token: `layers:write:<slug>`);
    201 with the layer, its zonal statistics follow off the request path."""

    access_policy = "scoped"
    token_scope = "layers:read"

    def get_parsers(self):
        if self.request is not None and self.request.method == "POST":
            return [MultiPartParser()]
        return super().get_parsers()

    @extend_schema(operation_id="rasters_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        rasters = selectors.raster_list_visible(principal=principal_of(request))
        return Response({"count": len(rasters), "results": [raster_output(r) for r in rasters]})

    @extend_schema(operation_id="rasters_create", request=RasterUploadInput,
                   responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        cap = conf.get("IOC_RASTER_MAX_UPLOAD_BYTES")
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > cap + 64 * 1024:  # refused before the body is read
            raise RasterTooLarge(too_large(length, cap))
        data = RasterUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        upload = args.pop("file")
        raster = services.raster_create(
            principal=principal_of(request), meta=services.RasterInput(**args), file=upload,
            file_name=upload.name, size=upload.size,
            user=request.user if request.user.is_authenticated else None)
        return Response(raster_output(raster), status=status.HTTP_201_CREATED)


class ZonalInput(serializers.Serializer):
    generation = serializers.ChoiceField(choices=GENERATIONS, required=False, default=CURRENT)
    parent = serializers.RegexField(CODE_PATTERN, required=False)
    level = serializers.ChoiceField(choices=sorted(LEVELS), required=False)


def _unit_ref(unit) -> dict:
    return {"code": unit.code, "name": unit.name, "level": unit.level.lower(),
            "approximate": unit.is_approximate}


def _stat(row) -> dict:
    return {"cells": row.cells, "sum": _round(row.sum), "mean": _round(row.mean),
            "min": row.min, "max": row.max, "area_km2": _round(row.area_km2, 4)}


class RasterZonalApi(APIView):
    """A raster's statistics per unit of a generation (`parent`: its children; `level`)."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="rasters_zonal", parameters=[ZonalInput],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, slug: str) -> Response:
        query = ZonalInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = query.validated_data
        raster = selectors.raster_get_visible(slug=slug, principal=principal_of(request))
        rows = selectors.zonal_rows(raster=raster, generation=args["generation"],
                                    parent_code=args.get("parent"),
                                    level=LEVELS.get(args.get("level")))
        return Response({
            "raster": raster.slug, "generation": args["generation"],
            "status": raster.zonal_status.lower(), "computed_at": raster.zonal_computed_at,
            "value_unit": raster.value_unit,
            "units": [{**_unit_ref(row.unit), **_stat(row)} for row in rows]})


class UnitRastersInput(serializers.Serializer):
    generation = serializers.ChoiceField(choices=GENERATIONS, required=False, default=CURRENT)


class UnitRastersApi(APIView):
    """Every raster figure of one unit the caller may see: the measures (e.g. people in the
    flood-hazard zone) and each raster's statistics. For the drill-down's panel."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="unit_rasters", parameters=[UnitRastersInput],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, code: str) -> Response:
        query = UnitRastersInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = selectors.unit_raster_figures(principal=principal_of(request), code=code,
                                                generation=query.validated_data["generation"])
        return Response({
            "unit": _unit_ref(figures.unit), "generation": figures.generation,
            "measures": [_measure(measure, value) for measure, value in figures.measures],
            "rasters": [{"slug": raster.slug, "title": raster.title_vi,
                         "title_en": raster.title_en, "value_unit": raster.value_unit,
                         "status": raster.zonal_status.lower(),
                         **(_stat(row) if row else {"cells": None})}
                        for raster, row in figures.rasters]})


def _measure(measure, value) -> dict:
    return {"slug": measure.slug, "title": measure.title_vi, "title_en": measure.title_en,
            "unit": measure.unit_vi, "unit_en": measure.unit_en, "decimals": measure.decimals,
            "aggregation": measure.aggregation.lower(), "raster": measure.value_raster.slug,
            "mask_raster": measure.mask_raster.slug if measure.mask_raster else None,
            "threshold": measure.mask_threshold,
            "value": None if value is None or value.value is None
            else round(value.value, measure.decimals),
            "cells": value.cells if value else None,
            "zone_cells": value.zone_cells if value else None,
            "computed": value is not None}
