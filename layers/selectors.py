"""Reads of the layers app: administrative units on a date, point-in-unit, hierarchy, search,
and the layers a caller may see. Views never build these querysets themselves."""
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.gis.geos import LineString, Point, Polygon
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length

from ioc_gis.db.prepared import PreparedStatement

from .conf import PRE_REFORM_REFERENCE_DATE
from .errors import FeatureNotFound, LayerNotFound, UnitNotFound
from .models import AdminLevel, AdminUnit, Feature, Layer
from .models.expressions import Fold

if TYPE_CHECKING:  # access depends on layers, not the other way round
    from access.principal import Principal


def valid_on(day: date, prefix: str = "") -> Q:
    """Q selecting unit versions in force on `day` (validity is half-open, NULL unbounded)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day}))


def unit_list(*, day: date, level: str | None = None, parent_code: str | None = None,
              query: str | None = None) -> QuerySet[AdminUnit]:
    """Units in force on `day`, optionally one level, children of one unit, or matching a name.

    Name search ignores case and Vietnamese diacritics ("sam son" finds "Sầm Sơn"); matches whose
    folded name starts with the query come first.
    """
    units = AdminUnit.objects.filter(valid_on(day)).select_related("parent")
    if level:
        units = units.filter(level=level)
    if parent_code:
        units = units.filter(parent=unit_get(code=parent_code, day=day))
    if query:
        folded = Fold(Value(query.strip()))
        units = units.filter(search_name__contains=folded).annotate(
            rank=Case(When(search_name__startswith=folded, then=Value(0)), default=Value(1),
                      output_field=IntegerField()),
        ).order_by("rank", Length("name"), "name")
    else:
        units = units.order_by("level", "code")
    return units


def unit_get(*, code: str, day: date) -> AdminUnit:
    """The version of unit `code` in force on `day` (codes of different levels differ in length)."""
    # PostgreSQL text cannot hold NUL, so no code has one (and the driver would refuse the query).
    unit = None if "\x00" in code else (
        AdminUnit.objects.filter(valid_on(day), code=code).select_related("parent").first())
    if unit is None:
        raise UnitNotFound(f"Không có đơn vị hành chính mã {code} vào ngày {day.isoformat()}.")
    return unit


def unit_containing(*, point: Point, day: date,
                    level: str = AdminLevel.COMMUNE) -> AdminUnit | None:
    """The unit of `level` in force on `day` whose shape contains `point` (WGS84); None outside.

    A point on a shared boundary belongs to the unit with the lowest code, so the answer is stable.
    """
    return (AdminUnit.objects.filter(valid_on(day), level=level, geom__intersects=point)
            .select_related("parent").order_by("code").first())


_CODES_CONTAINING = PreparedStatement("ioc_unit_codes_containing", """
    SELECT u.code, p.code, pp.code
      FROM layers_adminunit u
      LEFT JOIN layers_adminunit p ON p.id = u.parent_id
      LEFT JOIN layers_adminunit pp ON pp.id = p.parent_id
     WHERE u.level = $1 AND (u.valid_from IS NULL OR u.valid_from <= $2)
       AND (u.valid_to IS NULL OR u.valid_to > $2)
       AND ST_Intersects(u.geom, ST_SetSRID(ST_MakePoint($3, $4), 4326))
     ORDER BY u.code LIMIT 1""", ["text", "date", "float8", "float8"])


def unit_codes_containing(*, lon: float, lat: float, day: date,
                          level: str = AdminLevel.COMMUNE) -> list[str]:
    """`unit_containing`'s unit and its ancestors, nearest first, as codes only: one prepared
    statement that reads no geometry (the report intake routes every report with it). Empty
    outside. Units nest at most three deep (commune, district before 2025, province)."""
    with connection.cursor() as cursor:
        _CODES_CONTAINING.execute(cursor, [level, day, lon, lat])
        row = cursor.fetchone()
    return [code for code in row or () if code]


def unit_ancestors(*, unit: AdminUnit) -> list[AdminUnit]:
    """The unit's parents, nearest first, up to the province."""
    chain, current = [], unit.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


def unit_chain_at(*, point: Point, day: date) -> list[AdminUnit]:
    """Commune, then its ancestors, containing `point` on `day` (empty outside the province)."""
    commune = unit_containing(point=point, day=day)
    return [commune, *unit_ancestors(unit=commune)] if commune else []


def layer_list_visible(*, principal: "Principal") -> list[Layer]:
    """Layers the principal may see (public ones for everybody), in registry order."""
    return [layer for layer in Layer.objects.order_by("sector", "slug")
            if principal.can_see_layer(layer)]


def layer_get_visible(*, slug: str, principal: "Principal") -> Layer:
    """One layer by slug if the principal may see it (404 otherwise, so slugs cannot be probed)."""
    layer = Layer.objects.filter(slug=slug).first()
    if layer is None or not principal.can_see_layer(layer):
        raise LayerNotFound(f"Không có lớp bản đồ '{slug}'.")
    return layer


# Web Mercator ends here: a WGS84 box is clamped to it before it is projected.
MERCATOR_MAX_LATITUDE = 85.0511287798066
# The projected box is widened by this much (metres): projections in two libraries (GDAL here,
# PROJ in PostGIS for geom_3857) may round a coordinate on the box's edge apart.
MERCATOR_BOX_PAD = 1.0


def in_bbox(box: tuple[float, float, float, float]) -> Q:
    """Q selecting features meeting a WGS84 (west, south, east, north) box: the box's 3857
    image (a lon/lat box is a box in Web Mercator), a metre wider, meets the (layer,
    geom_3857) index; the stored WGS84 geometry answers exactly. Features lie in Web
    Mercator's range, so clamping the box's latitudes loses none. A box of no area is a point
    or a line, which meets what lies on it."""
    west, south, east, north = box
    south, north = (max(-MERCATOR_MAX_LATITUDE, min(MERCATOR_MAX_LATITUDE, v))
                    for v in (south, north))
    clamped, exact = Polygon.from_bbox((west, south, east, north)), _box_shape(box)
    clamped.srid = exact.srid = 4326
    xmin, ymin, xmax, ymax = clamped.transform(3857, clone=True).extent
    near = Polygon.from_bbox((xmin - MERCATOR_BOX_PAD, ymin - MERCATOR_BOX_PAD,
                              xmax + MERCATOR_BOX_PAD, ymax + MERCATOR_BOX_PAD))
    near.srid = 3857
    return Q(geom_3857__bboverlaps=near, geom__intersects=exact)


def _box_shape(box: tuple[float, float, float, float]):
    """The box as a geometry that intersects what it touches: a box of no width or height is a
    line or a point (a collapsed polygon is invalid, and PostGIS finds it meets nothing)."""
    west, south, east, north = box
    if west == east and south == north:
        return Point(west, south)
    if west == east or south == north:
        return LineString((west, south), (east, north))
    return Polygon.from_bbox(box)


def feature_list_visible(*, principal: "Principal", layer: Layer, bbox: tuple | None = None,
                         since=None, until=None) -> QuerySet[Feature]:
    """Features of a visible layer that the principal may read, optionally in a WGS84 bbox and
    an observation-time window. The only place feature reads are scoped."""
    features = Feature.objects.filter(layer=layer).filter(principal.feature_filter(layer))
    if bbox is not None:
        features = features.filter(in_bbox(bbox))
    if since is not None:
        features = features.filter(observed_at__gte=since)
    if until is not None:
        features = features.filter(observed_at__lt=until)
    return features.order_by("id")


def feature_queryset_visible(*, principal: "Principal") -> QuerySet[Feature]:
    """Features of every layer the principal may read (the admin's list), scoped per layer."""
    visible = Q(pk__in=[])
    for layer in layer_list_visible(principal=principal):
        visible |= Q(layer=layer) & principal.feature_filter(layer)
    return Feature.objects.filter(visible)


def feature_on_ground(*, principal: "Principal", geometry) -> bool:
    """Whether a (GEOS, WGS84) geometry lies on the principal's ground, by the same unit codes
    the database will stamp on it."""
    if principal.province_wide:
        return True
    anchor = geometry.point_on_surface
    anchor.srid = 4326
    current = unit_containing(point=anchor, day=date.max)
    before = unit_containing(point=anchor, day=PRE_REFORM_REFERENCE_DATE)
    return bool((current and current.code in principal.cur_codes)
                or (before and before.code in principal.pre_codes))


def feature_get_visible(*, principal: "Principal", layer: Layer, external_id: str) -> Feature:
    """One feature the principal may read; outside their reach it does not exist (404)."""
    feature = None if "\x00" in external_id else feature_list_visible(  # no id holds a NUL
        principal=principal, layer=layer).filter(external_id=external_id).first()
    if feature is None:
        raise FeatureNotFound(f"Không có đối tượng '{external_id}' trong lớp {layer.slug}.")
    return feature
