"""Set-based stamping (layers/stamping.py) gives every feature the codes the row trigger would:
random points in and around the province, points on shared unit boundaries (lowest code wins),
a polygon and a line (anchored on their surface), and points outside every unit."""
import random

import pytest
import shapely
from django.db import DatabaseError, connection, transaction

from integration import writer
from layers.models import AdminUnit, Feature, GeometryKind, Layer, Sector
from layers.services import features_upsert
from layers.stamping import stamp_codes, units_stamped
from layers.validation import FeatureInput

pytestmark = pytest.mark.django_db


def _layer(slug: str, kind: str) -> Layer:
    return Layer.objects.create(slug=slug, title_vi=slug, title_en=slug, sector=Sector.HEALTH,
                                geometry_kind=kind, owner_department="Sở Y tế",
                                property_schema={"type": "object", "properties": {}})


def _samples() -> list[shapely.Geometry]:
    """Points inside and outside, boundary vertices shared by neighbours, a polygon, a line."""
    province = shapely.from_wkb(bytes(AdminUnit.objects.get(level="PROVINCE").geom.wkb))
    west, south, east, north = province.bounds
    rng = random.Random(38)
    samples = [shapely.Point(rng.uniform(west - 0.2, east + 0.2),
                             rng.uniform(south - 0.2, north + 0.2)) for _ in range(300)]
    communes = AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).order_by("code")
    for unit in communes[:12]:  # vertices of current communes: on boundaries with neighbours
        ring = shapely.from_wkb(bytes(unit.geom.wkb)).geoms[0].exterior
        samples += [shapely.Point(xy) for xy in list(ring.coords)[:: max(1, len(ring.coords) // 4)]]
    centre = province.representative_point()
    samples.append(centre.buffer(0.05, quad_segs=4))  # a polygon
    samples.append(shapely.LineString([(centre.x - 0.1, centre.y), (centre.x + 0.1, centre.y)]))
    samples.append(shapely.Point(east + 1, north + 1))  # far outside: every code NULL
    return samples


def _by_trigger(geoms: list[shapely.Geometry]) -> list[tuple]:
    """Codes the row trigger stamps, feature by feature."""
    layers = {kind: _layer(f"stamp-trigger-{kind.lower()}", kind) for kind in GeometryKind}
    kind_of = {"Point": GeometryKind.POINT, "Polygon": GeometryKind.POLYGON,
               "LineString": GeometryKind.LINE}
    codes = []
    for index, geom in enumerate(geoms):
        feature = Feature.objects.create(layer=layers[kind_of[geom.geom_type]],
                                         external_id=str(index), geom=geom.wkt)
        feature.refresh_from_db()
        codes.append((feature.commune_code, feature.commune_code_pre2025,
                       feature.district_code_pre2025))
    return codes


def _by_join(geoms: list[shapely.Geometry]) -> list[tuple]:
    """Codes the set-based lookup finds for the same geometries, staged as an import stages."""
    ewkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)
    writer.stage([(index + 1, str(index), ewkb[index], "{}", "") for index in range(len(geoms))])
    table = stamp_codes("integration_stage")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row_number, commune_code, commune_code_pre2025, "
                       f"district_code_pre2025 FROM {table}")
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    return [found.get(index + 1, (None, None, None)) for index in range(len(geoms))]


def test_set_based_codes_equal_the_trigger_s():
    geoms = _samples()
    with transaction.atomic():
        expected = _by_trigger(geoms)
        found = _by_join(geoms)
    assert found == expected
    # The sample reaches every case: inside, outside, and both generations differing.
    assert any(codes == (None, None, None) for codes in expected)
    assert sum(codes[0] is not None for codes in expected) > 100
    assert any(codes[2] is not None and codes[0] is not None for codes in expected)


def test_boundary_vertices_take_the_lowest_code():
    unit = AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).order_by("code")[0]
    vertex = shapely.Point(shapely.from_wkb(bytes(unit.geom.wkb)).geoms[0].exterior.coords[0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM layers_adminunit WHERE level = 'COMMUNE' AND "
                       "valid_to IS NULL AND ST_Intersects(geom, ST_GeomFromText(%s, 4326)) "
                       "ORDER BY code", [vertex.wkt])
        touching = [row[0] for row in cursor.fetchall()]
    assert len(touching) >= 1
    with transaction.atomic():
        assert _by_join([vertex])[0][0] == touching[0]


def test_under_units_stamped_the_trigger_keeps_given_codes_and_still_checks_the_type():
    layer = _layer("stamp-kept", GeometryKind.POINT)
    inside = AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).order_by("code")[0]
    point = inside.geom.point_on_surface.wkt
    with transaction.atomic():
        with units_stamped():
            kept = Feature.objects.create(layer=layer, external_id="kept", geom=point,
                                          commune_code="99999")
        stamped = Feature.objects.create(layer=layer, external_id="stamped", geom=point,
                                         commune_code="99999")
    kept.refresh_from_db()
    stamped.refresh_from_db()
    assert kept.commune_code == "99999"  # the statement's code, as given
    assert stamped.commune_code == inside.code  # after the block: the trigger's lookup again
    with pytest.raises(DatabaseError, match="does not fit"), transaction.atomic():
        with units_stamped():
            Feature.objects.create(layer=layer, external_id="line",
                                   geom="SRID=4326;LINESTRING(105.7 19.8, 105.8 19.9)")
    # The check is one per statement there (the row trigger is not called): an update, and
    # one misfit among many rows of one statement, are refused all the same.
    line = "SRID=4326;LINESTRING(105.7 19.8, 105.8 19.9)"
    with pytest.raises(DatabaseError, match="LINESTRING does not fit a POINT layer"), \
            transaction.atomic():
        with units_stamped():
            Feature.objects.filter(pk=kept.pk).update(geom=line)
    with pytest.raises(DatabaseError, match="does not fit"), transaction.atomic():
        with units_stamped(), connection.cursor() as cursor:
            cursor.execute("""
                INSERT INTO layers_feature (layer_id, external_id, geom, properties, created_at,
                                            updated_at)
                SELECT %s, 'bulk-' || n, CASE WHEN n = 500 THEN ST_GeomFromEWKT(%s)
                                          ELSE ST_SetSRID(ST_MakePoint(105.7, 19.8), 4326) END,
                       '{}', now(), now()
                  FROM generate_series(1, 1000) AS n""", [layer.pk, line])
    assert not Feature.objects.filter(layer=layer, external_id__startswith="bulk-").exists()
    with transaction.atomic(), units_stamped(), connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO layers_feature (layer_id, external_id, geom, properties, created_at,
                                        updated_at)
            SELECT %s, 'bulk-' || n, ST_SetSRID(ST_MakePoint(105.7, 19.8), 4326), '{}', now(),
                   now() FROM generate_series(1, 1000) AS n""", [layer.pk])
    assert Feature.objects.filter(layer=layer, external_id__startswith="bulk-").count() == 1000


def test_only_listed_tables_can_be_stamped():
    with pytest.raises(ValueError):
        stamp_codes("layers_feature; DROP TABLE layers_layer")


def test_features_upsert_stamps_as_the_trigger_does_on_insert_and_on_update():
    """features_upsert (the API's and the demo's batch write) stamps set-based too: the codes
    of a batch equal the trigger's, and an update that moves a feature restamps it."""
    geoms = [geom for geom in _samples() if geom.geom_type == "Point"]
    layer = _layer("stamp-upsert", GeometryKind.POINT)
    batch = [FeatureInput(str(index), shapely.geometry.mapping(geom), {})
             for index, geom in enumerate(geoms)]
    moved = [FeatureInput(item.external_id, shapely.geometry.mapping(geoms[-1 - index]), {})
             for index, item in enumerate(batch)]
    with transaction.atomic():
        expected = _by_trigger(geoms)
        features_upsert(layer=layer, items=batch)
        assert _stored_codes(layer, len(geoms)) == expected
        result = features_upsert(layer=layer, items=moved)
        assert result.updated == len(geoms) - (len(geoms) % 2)  # the middle one stays put
        assert _stored_codes(layer, len(geoms)) == expected[::-1]


def _stored_codes(layer: Layer, n: int) -> list[tuple]:
    found = {feature.external_id: (feature.commune_code, feature.commune_code_pre2025,
                                   feature.district_code_pre2025)
             for feature in Feature.objects.filter(layer=layer)}
    return [found[str(index)] for index in range(n)]
