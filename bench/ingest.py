"""File import: how many features per second does a connector import, with validation on,
next to `ogr2ogr` loading the same file into the same database? Prints; asserts nothing.

In one run, on a fresh database of its own (`<DATABASE_URL's name>_ingest`: migrated, Thanh
Hóa demo loaded; dropped at the end unless --keep):
  1. writes a GeoPackage of `--features` points inside the province in a health-stations
     layer's source schema (id, Vietnamese name, a code-list label, an integer);
  2. `ogr2ogr -f PostgreSQL` loads it into a scratch table (COPY, spatial index): the raw
     floor, with none of a layer's indexes, constraints or triggers;
  3. `ogr2ogr -append` loads it into a layer of the same schema (its fields mapped by SQL
     onto `layers_feature`): the same destination as ours, with no validation;
  4. our import (integration.services, synchronously, as `manage.py import_file` runs it):
     sniff, read, map, validate every row (schema, code list, geometry, inside the province),
     one transaction of COPY + insert into layers_feature (the database stamps each feature's
     communes of both generations: ADR 0002), tile data rebuilt once;
  5. the same file again (every row unchanged, nothing written);
  6. the feature table's INSERT taken apart (bench/feature_write_parts.py): the same rows
     written again with its indexes, constraints and triggers removed one more at a time,
     down to bare, each in a rolled-back transaction; and the floor that leaves for any
     import into this table.
Before each step the database is settled (VACUUM ANALYZE, CHECKPOINT): 100,000 rows written by
one step would otherwise be vacuumed during the next.
Target (issue 7): import >= 0.5 x ogr2ogr's features/s; the ratio is printed against both.
Usage: .venv/bin/python bench/ingest.py [--features 100000] [--keep]"""
import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _django import drop_database, fresh_database, setup

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "x-public": True},
        "kind": {"type": "string", "enum": ["BV", "TYT", "PK"], "x-public": True},
        "beds": {"type": "integer", "minimum": 0, "x-public": True},
    },
    "required": ["name", "kind"],
    "additionalProperties": False,
}
MAPPING = {"name": {"source": "ten"}, "beds": {"source": "giuong"},
           "kind": {"source": "loai", "values": {"Bệnh viện": "BV", "Trạm y tế": "TYT",
                                                 "Phòng khám": "PK"}}}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def write_gpkg(path: Path, n: int) -> None:
    """`n` points inside the province, with the source columns the connector maps."""
    import numpy as np
    import shapely
    from pyogrio import raw

    from layers.models import AdminUnit

    province = shapely.from_wkb(bytes(AdminUnit.objects.get(level="PROVINCE").geom.wkb))
    shapely.prepare(province)
    rng = np.random.default_rng(7)
    west, south, east, north = province.bounds
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < n:
        x, y = rng.uniform(west, east, n), rng.uniform(south, north, n)
        keep = shapely.contains_xy(province.buffer(-0.01), x, y)
        xs, ys = np.concatenate([xs, x[keep]]), np.concatenate([ys, y[keep]])
    labels = np.array(["Bệnh viện", "Trạm y tế", "Phòng khám"], dtype=object)
    fields = [np.array([f"TYT-{i:06d}" for i in range(n)], dtype=object),
              np.array([f"Trạm y tế số {i} Quảng Xương" for i in range(n)], dtype=object),
              labels[np.arange(n) % 3], (np.arange(n) % 50).astype(np.int32)]
    raw.write(str(path), shapely.to_wkb(shapely.points(xs[:n], ys[:n])), fields,
              ["ma", "ten", "loai", "giuong"], driver="GPKG", geometry_type="Point",
              crs="EPSG:4326")


def ogr2ogr(path: Path, url: str) -> float:
    """Seconds for ogr2ogr to load the file into a scratch table of the same database."""
    started = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", _pg(), str(path), "-nln", "bench_ogr2ogr",
                    "-overwrite", "-lco", "GEOMETRY_NAME=geom"], check=True,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _pg() -> str:
    from django.db import connection

    s = connection.settings_dict
    return (f"PG:dbname={s['NAME']} host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} "
            f"user={s['USER']}" + (f" password={s['PASSWORD']}" if s["PASSWORD"] else ""))


# The bench file's fields onto a feature row (ogr2ogr's SQLite dialect), as the connector maps.
OGR_LAYER_SQL = (
    "SELECT geom, ma AS external_id, json_object('name', ten, 'kind', CASE loai "
    "WHEN 'Bệnh viện' THEN 'BV' WHEN 'Trạm y tế' THEN 'TYT' ELSE 'PK' END, 'beds', giuong) "
    "AS properties, {layer} AS layer_id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') AS created_at, "
    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') AS updated_at FROM \"{table}\"")


def ogr2ogr_into_layer(path: Path, layer_id: int) -> float:
    """Seconds for ogr2ogr to append the file to a layer's features (its fastest mode that
    works here: COPY fails on the table's generated column, so it inserts row by row)."""
    started = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", _pg(), str(path), "-append",
                    "-nln", "layers_feature", "-dialect", "SQLite",
                    "-sql", OGR_LAYER_SQL.format(layer=layer_id, table=path.stem)],
                   check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def settle() -> None:
    """Let the database finish the previous step's work (autovacuum of 100,000 fresh rows, dirty
    pages) before the next step is timed, so no step pays for the one before."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


STAMPING = "(within validating: stamping the communes)"


def our_import(path: Path) -> tuple[float, dict, object, float]:
    """Seconds for the connector import, per-phase seconds, the run, and the seconds of its
    INSERTs into the feature table."""
    from integration.models import Connector
    from integration.services import import_run_execute, import_run_start

    connector = Connector.objects.select_related("layer").get(name="bench")
    phases: dict[str, float] = {}
    last = {"phase": "STORING", "at": time.perf_counter()}

    def progress(phase: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if phase != last["phase"]:
            phases[last["phase"]] = phases.get(last["phase"], 0) + now - last["at"]
            last.update(phase=phase, at=now)

    from collections import defaultdict

    from django.db import connection

    statements: dict[str, float] = defaultdict(float)

    def timed(execute, sql, params, many, context):
        begun = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements[" ".join(sql.split())[:60]] += time.perf_counter() - begun

    from integration import writer

    stamping = {"seconds": 0.0}
    stamp = writer.stamp

    def stamp_timed() -> None:
        begun = time.perf_counter()
        stamp()
        stamping["seconds"] += time.perf_counter() - begun

    writer.stamp = stamp_timed  # services calls writer.stamp(): timed without touching it
    started = time.perf_counter()
    try:
        with path.open("rb") as handle, connection.execute_wrapper(timed):
            run = import_run_start(connector=connector, principal=None, file=handle,
                                   file_name=path.name, size=path.stat().st_size,
                                   dispatch=False)
            run = import_run_execute(run=run, progress=progress)
    finally:
        writer.stamp = stamp
    elapsed = time.perf_counter() - started
    phases[last["phase"]] = phases.get(last["phase"], 0) + time.perf_counter() - last["at"]
    slowest = sorted(statements.items(), key=lambda item: -item[1])[:3]
    phases[STAMPING] = stamping["seconds"]
    phases.update({f"[sql] {sql}": seconds for sql, seconds in slowest})
    inserts = sum(seconds for sql, seconds in statements.items()
                  if sql.startswith("INSERT INTO layers_feature"))
    return elapsed, phases, run, inserts


def parts_print(layer_id: int, ogr_s: float, phases: dict[str, float]) -> None:
    """Step 6: each part's cost; then the floor of any import writing through this table: what
    no import can skip (reading the file, stamping the communes, a bare write), as measured."""
    from feature_write_parts import parts

    settle()
    rows, measured = parts(layer_id)
    print(f"\nthe feature table's INSERT taken apart ({rows:,} rows, INSERT ... SELECT, "
          "rolled back, best of 2; each line removes one part more):")
    for (label, seconds), (_, previous) in zip(measured, [measured[0]] + measured):
        saved = f"  (saves {previous - seconds:5.2f} s)" if label.startswith("-") else ""
        print(f"  {label:<84} {seconds:5.2f} s{saved}")
    whole, bare = measured[0][1], measured[-1][1]
    reading = phases.get("STORING", 0) + phases.get("READING", 0)
    unskippable = reading + phases[STAMPING]
    print(f"  no import can skip reading ({reading:.2f} s) and stamping "
          f"({phases[STAMPING]:.2f} s); with them, before a single row is mapped or checked:")
    for label, write in (("a bare write", bare), ("the write as it is", whole)):
        floor = unskippable + write
        print(f"    {label:<20} {floor:5.2f} s = at best {ogr_s / floor:.2f} x ogr2ogr "
              f"(0.5 x allows {2 * ogr_s:.2f} s in all)")


def layers_create() -> int:
    """The target layer and its connector, and a twin layer for ogr2ogr; the twin's id."""
    from integration.models import Connector
    from layers.models import GeometryKind, Layer, Sector

    layer, twin = (Layer.objects.create(
        slug=slug, title_vi=f"Trạm y tế ({slug})", title_en=f"Health stations ({slug})",
        sector=Sector.HEALTH, geometry_kind=GeometryKind.POINT, property_schema=SCHEMA,
        owner_department="Sở Y tế") for slug in ("bench-tram-y-te", "bench-ogr2ogr"))
    Connector.objects.create(name="bench", layer=layer, owner_department="Sở Y tế",
                             field_mapping=MAPPING, id_column="ma")
    return twin.pk


def main() -> int:
    args = parse_args()
    setup()
    from django.conf import settings

    print("preparing a fresh database", flush=True)
    name, url = fresh_database("ingest")
    work = Path(tempfile.mkdtemp(prefix="ioc-bench-ingest-"))
    settings.IOC_IMPORT_DIR = work / "imports"
    try:
        twin = layers_create()
        path = work / "tram-y-te.gpkg"
        write_gpkg(path, args.features)
        print(f"{args.features:,} points, {path.stat().st_size / 1e6:.1f} MB GeoPackage",
              flush=True)
        settle()
        ogr_s = ogr2ogr(path, url)
        settle()
        ogr_layer_s = ogr2ogr_into_layer(path, twin)
        settle()
        ours_s, phases, run, insert_s = our_import(path)
        settle()
        again_s, _, again, _ = our_import(path)
        n = args.features
        print(f"\nogr2ogr -f PostgreSQL (scratch table): {ogr_s:6.2f} s  {n / ogr_s:9,.0f} "
              "features/s")
        print(f"ogr2ogr -append into a layer:         {ogr_layer_s:6.2f} s  "
              f"{n / ogr_layer_s:9,.0f} features/s")
        print(f"import (validation on):               {ours_s:6.2f} s  {n / ours_s:9,.0f} "
              f"features/s")
        print(f"  = {ogr_s / ours_s:.2f} x ogr2ogr into a scratch table; "
              f"{ogr_layer_s / ours_s:.2f} x ogr2ogr into a layer (target >= 0.5)")
        print("  phases and slowest statements: " + "; ".join(
            f"{k.lower()} {v:.2f} s" for k, v in phases.items()))
        # The write every import must make, whatever comes before it: the one INSERT into the
        # feature table (its five indexes, the audit copy, the type check, the foreign key).
        print(f"  the feature table's INSERT alone: {insert_s:.2f} s = {insert_s / ogr_s:.1f} x "
              f"ogr2ogr's whole load (so at this cost of the write the ratio cannot pass "
              f"{ogr_s / insert_s:.2f} x)")
        print(f"  run #{run.pk}: {run.status} — {run.message}")
        print(f"same file again:                      {again_s:6.2f} s  {n / again_s:9,.0f} "
              f"features/s  ({again.message})")
        parts_print(run.connector.layer_id, ogr_s, phases)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep:
            drop_database(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
