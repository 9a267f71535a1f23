"""Reads of the planner's view: which layers a caller may overlay, and what lies inside a drawn
polygon. Scoping comes from the layers selectors (visibility, jurisdiction); only public
properties are returned."""
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Polygon
from django.utils import timezone

from layers.models import AdminLevel, AdminUnit, Layer, LayerSource
from layers.selectors import (feature_list_visible, layer_get_visible, layer_list_visible,
                              valid_on)

from . import conf
from .errors import LayersInvalid, PlannerForbidden
from .geometry import polygon_area_km2, polygon_parse

MAP_PERMISSION = "layers.view_layer"


def can_plan(principal) -> bool:
    """Who may open the planner and ask its questions: staff who may view the map."""
    return principal.has(MAP_PERMISSION)


def planner_check(*, principal) -> None:
    """Raise PlannerForbidden unless the principal may use the planner."""
    if not can_plan(principal):
        raise PlannerForbidden("Bạn không có quyền dùng bản đồ quy hoạch.")


@dataclass(frozen=True)
class LayerWithin:
    """One layer's answer: how many of its features the polygon touches, the first few."""

    layer: Layer
    count: int
    first: list[dict]


def planner_layers(*, principal) -> list[Layer]:
    """Every layer the principal may overlay (units, sector layers, incidents if allowed)."""
    return layer_list_visible(principal=principal)


def layers_named(*, principal, slugs: list[str]) -> list[Layer]:
    """The named layers in the order given, each visible to the principal (else 404)."""
    if not 1 <= len(slugs) <= conf.max_layers():
        raise LayersInvalid(f"Cần từ 1 đến {conf.max_layers()} lớp.")
    unique = list(dict.fromkeys(slugs))
    return [layer_get_visible(slug=slug, principal=principal) for slug in unique]


@dataclass(frozen=True)
class WithinAnswer:
    """The checked polygon, its area and each named layer's answer."""

    polygon: Polygon
    area_km2: float
    layers: list[LayerWithin]


def planner_within(*, principal, polygon: object, slugs: list[str]) -> WithinAnswer:
    """What lies inside a drawn polygon (untrusted GeoJSON), per named layer: the features the
    principal may read that intersect it, counted, and the first few listed."""
    planner_check(principal=principal)
    shape = polygon_parse(polygon)
    answers = []
    for layer in layers_named(principal=principal, slugs=slugs):
        if layer.source == LayerSource.ADMIN_UNITS:
            answers.append(_units_within(layer, shape))
        else:
            answers.append(_features_within(principal, layer, shape))
    return WithinAnswer(polygon=shape, area_km2=polygon_area_km2(shape), layers=answers)


def _features_within(principal, layer: Layer, polygon: Polygon) -> LayerWithin:
    # The bounding-box test on the 3857 copy uses the (layer, geom_3857) index; the exact test
    # runs on the stored WGS84 geometry.
    features = feature_list_visible(principal=principal, layer=layer).filter(
        geom_3857__bboverlaps=polygon, geom__intersects=polygon)
    public = set(layer.public_property_names())
    first = []
    for feature in features.annotate(anchor=PointOnSurface("geom"))[:conf.first_features()]:
        properties = {k: v for k, v in feature.properties.items() if k in public}
        first.append({"id": feature.external_id, "name": properties.get("name"),
                      "properties": properties,
                      "lon": round(feature.anchor.x, 6), "lat": round(feature.anchor.y, 6)})
    return LayerWithin(layer=layer, count=features.count(), first=first)


def _units_within(layer: Layer, polygon: Polygon) -> LayerWithin:
    """The units layer answers with the communes in force today that the polygon touches."""
    communes = AdminUnit.objects.filter(
        valid_on(timezone.localdate()), level=AdminLevel.COMMUNE,
        geom_3857__bboverlaps=polygon, geom__intersects=polygon).order_by("code")
    first = [{"id": unit.code, "name": unit.name,
              "properties": {"code": unit.code, "name": unit.name, "level": "commune"},
              "lon": round(unit.anchor.x, 6), "lat": round(unit.anchor.y, 6)}
             for unit in communes.annotate(anchor=PointOnSurface("geom"))[:conf.first_features()]]
    return LayerWithin(layer=layer, count=communes.count(), first=first)
