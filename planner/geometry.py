"""A drawn polygon, from untrusted GeoJSON to a valid GEOS polygon inside the province.

Built from the coordinates by hand rather than handed to GEOS/GDAL's GeoJSON readers: those
honour a legacy `crs` member, turn NaN into an empty geometry and raise GEOSException (a 500)
on an unclosed ring. Every failure here is a named 4xx error."""
import math

from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import GEOSException, LinearRing, Polygon
from django.utils import timezone

from layers.models import AdminLevel, AdminUnit
from layers.selectors import valid_on

from . import conf
from .errors import PolygonInvalid, PolygonOutsideProvince, PolygonTooLarge

METRIC_SRID = 32648  # UTM zone 48N: metres over Thanh Hóa, for the area check
MAX_RINGS = 50


def polygon_parse(value: object) -> Polygon:
    """A valid WGS84 polygon from a GeoJSON Polygon object, or a PolygonInvalid /
    PolygonTooLarge / PolygonOutsideProvince error saying what is wrong."""
    if not isinstance(value, dict) or value.get("type") != "Polygon":
        raise PolygonInvalid("Cần một đối tượng GeoJSON kiểu Polygon.")
    if "crs" in value:
        raise PolygonInvalid("Không nhận thành phần 'crs': tọa độ phải là WGS84 (kinh độ, vĩ độ).")
    rings = value.get("coordinates")
    if not isinstance(rings, list) or not 1 <= len(rings) <= MAX_RINGS:
        raise PolygonInvalid("'coordinates' phải là danh sách các vòng tọa độ.")
    if sum(len(ring) if isinstance(ring, list) else 0 for ring in rings) > conf.max_vertices():
        raise PolygonTooLarge(f"Đa giác có quá nhiều đỉnh (tối đa {conf.max_vertices()}).")
    try:
        polygon = Polygon(*[LinearRing(_ring(ring)) for ring in rings], srid=4326)
    except (GEOSException, ValueError, TypeError) as error:
        raise PolygonInvalid(f"Không dựng được đa giác: {error}") from None
    if not polygon.valid:
        raise PolygonInvalid(f"Đa giác không hợp lệ: {polygon.valid_reason}")
    _check_size_and_place(polygon)
    return polygon


def _ring(ring: object) -> list[tuple[float, float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise PolygonInvalid("Mỗi vòng cần ít nhất 4 vị trí (khép kín).")
    points = [_position(position) for position in ring]
    if points[0] != points[-1]:
        raise PolygonInvalid("Vòng tọa độ chưa khép kín (điểm đầu phải trùng điểm cuối).")
    return points


def _position(position: object) -> tuple[float, float]:
    if not isinstance(position, list) or len(position) not in (2, 3) or not all(
            isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n)
            for n in position):
        raise PolygonInvalid("Mỗi vị trí là [kinh độ, vĩ độ] bằng số hữu hạn.")
    lon, lat = float(position[0]), float(position[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise PolygonInvalid("Kinh độ phải trong [-180, 180], vĩ độ trong [-90, 90].")
    return lon, lat


def polygon_area_km2(polygon: Polygon) -> float:
    """Area of a WGS84 polygon in km² (planar, in UTM zone 48N)."""
    return polygon.transform(METRIC_SRID, clone=True).area / 1e6


def _check_size_and_place(polygon: Polygon) -> None:
    area_km2 = polygon_area_km2(polygon)
    if area_km2 > conf.max_area_km2():
        raise PolygonTooLarge(
            f"Đa giác quá rộng ({area_km2:,.0f} km²; tối đa {conf.max_area_km2():,.0f} km²).")
    west, south, east, north = province_extent()
    margin = conf.extent_margin_degrees()
    x0, y0, x1, y1 = polygon.extent
    if x0 < west - margin or y0 < south - margin or x1 > east + margin or y1 > north + margin:
        raise PolygonOutsideProvince("Đa giác vượt ra ngoài phạm vi của tỉnh.")


def province_extent() -> tuple[float, float, float, float]:
    """WGS84 bounding box of the province's outline in force today."""
    extent = AdminUnit.objects.filter(valid_on(timezone.localdate()),
                                      level=AdminLevel.PROVINCE).aggregate(e=Extent("geom"))["e"]
    if extent is None:
        raise PolygonOutsideProvince("Chưa có ranh giới tỉnh.")
    return extent
