"""Our basemap from the province's fixture files: GSHHG shoreline, WDBII rivers and border,
and the schematic national roads (flagged approximate: straight lines between towns)."""
import csv
import json
from itertools import groupby
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, LineString
from django.db import transaction

from .models import BasemapFeature, BasemapKind

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures" / "thanh-hoa"
GSHHG = "GSHHG 2.3.7 (Wessel & Smith), LGPL-3.0-or-later"


def _geojson_lines(path: Path, kind: str, source: str) -> list[BasemapFeature]:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for feature in data["features"]:
        geometry = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        if geometry.geom_type in ("Polygon", "MultiPolygon"):
            continue  # the shoreline file also carries land polygons; we draw the lines
        geometry.transform(3857)
        rows.append(BasemapFeature(kind=kind, name=feature["properties"].get("name") or "",
                                   source=source, geom=geometry))
    return rows


def _roads(path: Path) -> list[BasemapFeature]:
    with path.open(encoding="utf-8") as handle:
        waypoints = sorted(csv.DictReader(handle), key=lambda r: (r["road_id"], int(r["seq"])))
    rows = []
    for road_id, points in groupby(waypoints, key=lambda r: r["road_id"]):
        points = list(points)
        line = LineString([(float(p["lon"]), float(p["lat"])) for p in points], srid=4326)
        line.transform(3857)
        rows.append(BasemapFeature(kind=BasemapKind.ROAD, name=points[0]["road_name"],
                                   ref=road_id, is_approximate=True,
                                   source="roads_waypoints.csv (sơ đồ, GeoNames CC BY 4.0)",
                                   geom=line))
    return rows


def basemap_load(fixtures_dir: Path = FIXTURES_DIR) -> int:
    """Replace the basemap with the fixtures' content (atomic); returns the feature count."""
    rows = (_geojson_lines(fixtures_dir / "coastline_gshhg.geojson", BasemapKind.COASTLINE, GSHHG)
            + _geojson_lines(fixtures_dir / "rivers_wdbii.geojson", BasemapKind.RIVER, GSHHG)
            + _geojson_lines(fixtures_dir / "borders_wdbii.geojson", BasemapKind.BORDER, GSHHG)
            + _roads(fixtures_dir / "roads_waypoints.csv"))
    with transaction.atomic():
        BasemapFeature.objects.all().delete()
        BasemapFeature.objects.bulk_create(rows)
    from .cache import tile_cache
    from .sources import BASEMAP

    transaction.on_commit(lambda: tile_cache().clear_layer(BASEMAP))
    return len(rows)
