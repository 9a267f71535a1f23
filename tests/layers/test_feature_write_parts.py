"""bench/feature_write_parts.py, which ADR 0019's figures come from: its last variant must be
truly bare (every index, key, foreign key and insert trigger of the feature table removed, read
off the catalog), and taking the INSERT apart must leave the table as it was."""
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction

from layers.models import AdminUnit, Feature, GeometryKind, Layer, Sector

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import feature_write_parts  # noqa: E402  (a bench script's module, not a package)

pytestmark = pytest.mark.django_db

_STATE_SQL = {
    "indexes": "SELECT count(*) FROM pg_index WHERE indrelid = 'layers_feature'::regclass",
    "keys": "SELECT count(*) FROM pg_constraint WHERE conrelid = 'layers_feature'::regclass "
            "AND contype IN ('p', 'u', 'f')",
    "insert triggers": "SELECT count(*) FROM pg_trigger WHERE tgrelid = "
                       "'layers_feature'::regclass AND NOT tgisinternal AND (tgtype & 4) = 4 "
                       "AND tgenabled <> 'D'",
}


def _state() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for name, query in _STATE_SQL.items():
            cursor.execute(query)
            found[name] = cursor.fetchone()[0]
    return found


def _layer_with_points(n: int) -> Layer:
    layer = Layer.objects.create(slug="parts", title_vi="parts", title_en="parts",
                                 sector=Sector.HEALTH, geometry_kind=GeometryKind.POINT,
                                 owner_department="Sở Y tế",
                                 property_schema={"type": "object", "properties": {}})
    communes = AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).order_by("code")
    for index, unit in enumerate(communes[:n]):
        Feature.objects.create(layer=layer, external_id=str(index),
                               geom=unit.geom.point_on_surface.wkt, properties={"i": index})
    return layer


def test_every_part_removed_leaves_a_bare_table_and_a_rollback_restores_it():
    before = _state()
    assert before["indexes"] >= 6 and before["keys"] >= 3 and before["insert triggers"] >= 3
    with transaction.atomic():
        with connection.cursor() as cursor:
            for _, statements in feature_write_parts.removals():
                for statement in statements:
                    cursor.execute(statement)
        assert _state() == {"indexes": 0, "keys": 0, "insert triggers": 0}
        transaction.set_rollback(True)
    assert _state() == before


def test_parts_times_each_step_and_writes_nothing():
    layer = _layer_with_points(12)
    stored = Feature.objects.count()
    before = _state()
    rows, measured = feature_write_parts.parts(layer.pk, repeats=1)
    assert rows == 12
    steps = [what for what, _ in feature_write_parts.removals()]
    assert [label for label, _ in measured] == ["as it is"] + [f"- {what}" for what in steps]
    assert all(seconds > 0 for _, seconds in measured)
    assert Feature.objects.count() == stored
    assert _state() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [feature_write_parts.SOURCE])
        assert cursor.fetchone()[0] is None
