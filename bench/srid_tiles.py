"""Storage SRID: is a database-kept EPSG:3857 copy worth it for vector tiles?

Renders the same MVT tiles two ways on the features table and prints latency per variant:
  baseline  transform every row at request time: ST_Transform(geom, 3857), filter on geom (4326)
  stored    the generated geom_3857 column with its own GiST index: no per-row transform
Variants run interleaved in the same process, so machine noise hits both alike.

Usage: .venv/bin/python bench/srid_tiles.py [--repeat 15] [--layer security-incidents]
"""
import argparse
import math
import statistics
import time

from _django import setup

BASELINE = """
SELECT ST_AsMVT(t.*, 'features', 4096, 'g') FROM (
  SELECT f.id, ST_AsMVTGeom(ST_Transform(f.geom, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s),
                            4096, 64, true) AS g
    FROM layers_feature f
   WHERE f.layer_id = %(layer)s
     AND f.geom && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0/4096), 4326)
) t"""

STORED = """
SELECT ST_AsMVT(t.*, 'features', 4096, 'g') FROM (
  SELECT f.id, ST_AsMVTGeom(f.geom_3857, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true) AS g
    FROM layers_feature f
   WHERE f.layer_id = %(layer)s
     AND f.geom_3857 && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0/4096)
) t"""


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """XYZ tile containing a WGS84 point."""
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def timed(cursor, sql: str, params: dict) -> tuple[float, int]:
    start = time.perf_counter()
    cursor.execute(sql, params)
    body = cursor.fetchone()[0]
    return (time.perf_counter() - start) * 1000, len(body or b"")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--layer", default="security-incidents")
    args = parser.parse_args()
    setup()
    from django.db import connection

    from layers.models import Layer

    layer = Layer.objects.get(slug=args.layer)
    tiles = [tile_of(105.776, 19.807, z) for z in (8, 10, 12, 14)]  # around TP Thanh Hóa
    print(f"layer {layer.slug}: {layer.features.count():,} features; repeat {args.repeat}")
    print(f"{'tile':>16} {'bytes':>9} {'baseline ms':>12} {'stored ms':>10} {'ratio':>7}")
    ratios = []
    with connection.cursor() as cursor:
        for z, x, y in tiles:
            params = {"z": z, "x": x, "y": y, "layer": layer.pk}
            base, stored = [], []
            timed(cursor, BASELINE, params), timed(cursor, STORED, params)  # warm caches
            for _ in range(args.repeat):
                ms, size = timed(cursor, BASELINE, params)
                base.append(ms)
                ms, _ = timed(cursor, STORED, params)
                stored.append(ms)
            ratio = statistics.median(base) / statistics.median(stored)
            ratios.append(ratio)
            print(f"{z:>6}/{x}/{y:<5} {size:>9,} {statistics.median(base):>12.1f} "
                  f"{statistics.median(stored):>10.1f} {ratio:>6.2f}x")
    print(f"geometric mean speed-up of the stored 3857 copy: "
          f"{statistics.geometric_mean(ratios):.2f}x")


if __name__ == "__main__":
    main()
