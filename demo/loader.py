"""The deterministic Thanh Hóa demo loader: units (both generations, versioned), the 2025
crosswalk, the sector layer registry and synthetic sector data. Idempotent: a second run with
the same fixtures writes nothing, and with an unchanged fingerprint it returns at once."""
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from tqdm import tqdm

from audit.services import audit_context
from layers.models import AdminUnit, Feature, Layer, LayerSource, UnitCrosswalk
from layers.services import features_upsert
from layers.validation import FeatureInput
from tiles.basemap import basemap_load
from tiles.maintenance import analyze, bulk_writes

from . import sources, synthetic
from .geometry import ApproximateUnits, build_approximate_units
from .layer_catalog import LAYER_CATALOG
from .models import DemoLoad
from .versions import COMMUNE, DISTRICT, UnitVersion, epochs, plan_versions

LOADER_VERSION = "1"
DATASET = "thanh-hoa"
FEATURE_CHUNK = 50_000


@dataclass
class LoadReport:
    """What a load did."""

    skipped: bool = False
    units_changed: int = 0
    crosswalk_changed: int = 0
    features_inserted: int = 0
    features_updated: int = 0
    counts: dict = field(default_factory=dict)


def fingerprint(*, scale: int, fixtures_dir: Path = sources.FIXTURES_DIR) -> str:
    """Hash of the fixture files, the demo generator's code and the scale: a change to any of
    them makes the next `load_demo` reload."""
    digest = hashlib.sha256(f"{LOADER_VERSION}:{scale}".encode())
    code = sorted(Path(__file__).parent.rglob("*.py"))
    for path in sorted(p for p in fixtures_dir.glob("*") if p.is_file()) + code:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def demo_load(*, scale: int = 1, force: bool = False, progress: bool = True) -> LoadReport:
    """Load (or refresh) the demo province. Everything happens in one transaction."""
    fp = fingerprint(scale=scale)
    if not force and DemoLoad.objects.filter(name=DATASET, fingerprint=fp).exists():
        return LoadReport(skipped=True, counts=DemoLoad.objects.get(name=DATASET).counts)
    report = LoadReport()
    shapes = build_approximate_units(sources.FIXTURES_DIR)
    with transaction.atomic(), audit_context(command="load_demo", scale=scale):
        had_features = Feature.objects.exists()
        _drop_events_of_a_larger_scale(scale)
        saved = _write_units(plan_versions(shapes), report, progress)
        _write_crosswalk(shapes, saved, report)
        layers = _write_layers()
        # Tile data (cluster counts, versions, cache) is rebuilt once, not per statement.
        with bulk_writes([layer for layer in layers.values()
                          if layer.source == LayerSource.FEATURES]):
            _write_features(layers, shapes, scale, report, progress)
            if report.units_changed and had_features:
                _restamp_feature_units()
        basemap_load()
        analyze()
        report.counts = {
            "units": AdminUnit.objects.count(), "crosswalk": UnitCrosswalk.objects.count(),
            "layers": Layer.objects.count(), "features": Feature.objects.count(),
        }
        DemoLoad.objects.update_or_create(
            name=DATASET, defaults={"fingerprint": fp, "scale": scale, "counts": report.counts})
    return report


# ---- units ----------------------------------------------------------------------------------

def _unit_fields(version: UnitVersion, parent: AdminUnit | None) -> dict:
    return {
        "name": version.name, "division_type": version.division_type, "parent": parent,
        "valid_to": version.valid_to, "geom": GEOSGeometry(memoryview(version.geom.wkb), srid=4326),
        "is_approximate": version.is_approximate, "population": version.population,
        "area_km2": version.area_km2, "source": version.source, "note": version.note,
    }


def _differs(unit: AdminUnit, fields: dict) -> bool:
    for name, value in fields.items():
        current = getattr(unit, name)
        if name == "geom":
            if not current.equals_exact(value, 0):
                return True
        elif current != value:
            return True
    return False


def _parent_version(saved: dict, version: UnitVersion) -> AdminUnit | None:
    if version.parent is None:
        return None
    day = version.valid_from
    for unit in saved[version.parent]:
        if (unit.valid_from is None or (day is not None and unit.valid_from <= day)) and (
                unit.valid_to is None or day is None or day < unit.valid_to):
            return unit
    raise ValueError(f"no parent version for {version.key}")


def _write_units(versions: list[UnitVersion], report: LoadReport, progress: bool) -> dict:
    """Upsert every planned version by natural key; delete versions the plan no longer has."""
    existing = {(u.level, u.code, u.valid_from): u for u in AdminUnit.objects.all()}
    planned = {v.key for v in versions}
    stale = [u for key, u in existing.items() if key not in planned]
    for unit in sorted(stale, key=lambda u: u.level != COMMUNE):  # children first
        unit.delete()
        report.units_changed += 1
    saved: dict[tuple[str, str], list[AdminUnit]] = {}
    for version in tqdm(versions, desc="Đơn vị hành chính", unit=" đv", disable=not progress):
        fields = _unit_fields(version, _parent_version(saved, version))
        unit = existing.get(version.key)
        if unit is None:
            unit = AdminUnit.objects.create(level=version.level, code=version.code,
                                            valid_from=version.valid_from, **fields)
            report.units_changed += 1
        elif _differs(unit, fields):
            for name, value in fields.items():
                setattr(unit, name, value)
            unit.save()
            report.units_changed += 1
        saved.setdefault((version.level, version.code), []).append(unit)
    return saved


# ---- crosswalk ------------------------------------------------------------------------------

def _version_on(saved: dict, level: str, code: str, day) -> AdminUnit:
    return next(u for u in saved[(level, code)] if u.is_valid_on(day))


def _planned_crosswalk(shapes: ApproximateUnits, saved: dict) -> dict:
    """(old unit id, new unit id) → row fields, for the Dec 2024 and July 2025 changes."""
    _, e2, e3 = epochs()
    last_old_day = e3.start - timedelta(days=1)
    rows: dict[tuple[int, int], dict] = {}
    for fact in sources.crosswalk_2025():
        old = _version_on(saved, COMMUNE, fact.old_code, last_old_day)
        new = _version_on(saved, COMMUNE, fact.new_code, e3.start)
        share = (shapes.crosswalk_parts[(fact.old_code, fact.new_code)].area
                 / shapes.communes_pre2025[fact.old_code].area)
        rows[(old.pk, new.pk)] = {"effective": e3.start, "change_type": fact.change_type,
                                  "area_share": round(min(share, 1.0), 6), "is_inferred": False,
                                  "source": fact.source}
    day_before_merger = e2.start - timedelta(days=1)
    for vanished, absorber in shapes.absorbed_2024.items():
        old = _version_on(saved, COMMUNE, vanished, day_before_merger)
        new = _version_on(saved, COMMUNE, absorber, e2.start)
        rows[(old.pk, new.pk)] = {"effective": e2.start, "change_type": "MERGED_WHOLE",
                                  "area_share": 1.0, "is_inferred": True, "source": "demo"}
    dong_son = _version_on(saved, DISTRICT, "405", day_before_merger)
    city = _version_on(saved, DISTRICT, "380", e2.start)
    rows[(dong_son.pk, city.pk)] = {"effective": e2.start, "change_type": "MERGED_WHOLE",
                                    "area_share": 1.0, "is_inferred": False, "source": "S66"}
    return rows


def _write_crosswalk(shapes: ApproximateUnits, saved: dict, report: LoadReport) -> None:
    planned = _planned_crosswalk(shapes, saved)
    existing = {(r.old_unit_id, r.new_unit_id): r for r in UnitCrosswalk.objects.all()}
    for key, row in existing.items():
        if key not in planned:
            row.delete()
            report.crosswalk_changed += 1
    for (old_id, new_id), fields in planned.items():
        row = existing.get((old_id, new_id))
        if row is None:
            UnitCrosswalk.objects.create(old_unit_id=old_id, new_unit_id=new_id, **fields)
        elif any(getattr(row, k) != v for k, v in fields.items()):
            UnitCrosswalk.objects.filter(pk=row.pk).update(**fields)
        else:
            continue
        report.crosswalk_changed += 1


# ---- layers and features ----------------------------------------------------------------------

def _write_layers() -> dict[str, Layer]:
    layers = {}
    for spec in LAYER_CATALOG:
        fields = {k: v for k, v in spec.items() if k not in ("slug", "update_interval_hours")}
        hours = spec.get("update_interval_hours")
        fields["update_interval"] = timedelta(hours=hours) if hours else None
        layers[spec["slug"]], _ = Layer.objects.update_or_create(slug=spec["slug"], defaults=fields)
    return layers


def _communes(shapes: ApproximateUnits) -> list[synthetic.CommuneInfo]:
    names = {f.code: f for f in sources.units_at_level("commune_2025")}
    kinds = {"PHUONG": "phường", "XA": "xã"}
    return [synthetic.CommuneInfo(code=code, name=names[code].name,
                                  division_type=kinds.get(names[code].division_type, "xã"),
                                  geometry=geom)
            for code, geom in sorted(shapes.communes_2025.items())]


def _chunks(records: Iterable[synthetic.FeatureRecord]) -> Iterator[list]:
    iterator = iter(records)
    while chunk := list(islice(iterator, FEATURE_CHUNK)):
        yield chunk


def _write_features(layers: dict[str, Layer], shapes: ApproximateUnits, scale: int,
                    report: LoadReport, progress: bool) -> None:
    communes = _communes(shapes)
    streams = [
        (synthetic.static_features(fixtures_dir=sources.FIXTURES_DIR, communes=communes), None,
         "Đối tượng tĩnh"),
        (synthetic.event_features(fixtures_dir=sources.FIXTURES_DIR, communes=communes,
                                  scale=scale), synthetic.event_count(scale=scale), "Sự kiện"),
    ]
    for records, total, label in streams:
        with tqdm(total=total, desc=label, unit=" đt", disable=not progress) as bar:
            for chunk in _chunks(records):
                by_layer: dict[str, list[FeatureInput]] = {}
                for r in chunk:
                    by_layer.setdefault(r.layer_slug, []).append(
                        FeatureInput(r.external_id, r.geometry, r.properties, r.observed_at))
                for slug, items in by_layer.items():
                    result = features_upsert(layer=layers[slug], items=items)
                    report.features_inserted += result.inserted
                    report.features_updated += result.updated
                bar.update(len(chunk))


def _drop_events_of_a_larger_scale(scale: int) -> None:
    """Going down in scale: the surplus synthetic events must go, or the counts would lie."""
    previous = DemoLoad.objects.filter(name=DATASET).first()
    if previous and previous.scale > scale:
        Feature.objects.filter(layer__slug__in=synthetic.EVENT_LAYERS,
                               external_id__startswith="demo-").delete()


def _restamp_feature_units() -> None:
    """Unit shapes changed: let the write trigger stamp every feature's unit codes again."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE layers_feature SET geom = geom")
