"""What tiles contain, compared with the database: features and their public properties,
cluster counts under every filter path, unit generations, the basemap; one query per tile."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point, Polygon
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers import selectors
from layers.models import Feature, Layer
from tests.tiles.helpers import (CITY, SAM_SON, address_of, fetch_layers, statement_text,
                                 tile_url)
from tiles.cache import reset_tile_cache
from tiles.grid import BUFFER, EXTENT, tile_bounds

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _box(url: str, buffered: bool) -> Polygon:
    xmin, ymin, xmax, ymax = tile_bounds(address_of(url))
    pad = (xmax - xmin) * BUFFER / EXTENT if buffered else 0
    return Polygon.from_bbox((xmin - pad, ymin - pad, xmax + pad, ymax + pad))


def _in_tile(layer: Layer, url: str, buffered: bool = True):
    box = _box(url, buffered)
    box.srid = 3857
    return Feature.objects.filter(layer=layer, geom_3857__intersects=box)


def _signed_in(client, django_user_model, role: str, units=()):
    from access.models import Jurisdiction

    user = django_user_model.objects.create_user(f"u-{role}", password="x")
    user.groups.add(Group.objects.get(name=role))
    if units:
        Jurisdiction.objects.create(user=user).units.set(units)
    client.force_login(user)
    return client


def _tile_value(value):
    return ",".join(value) if isinstance(value, list) else value


@pytest.mark.parametrize("slug, lon_lat, z", [
    ("traffic-accidents", (105.7115, 19.8146), 17), ("schools", CITY, 12), ("tourist-sites", SAM_SON, 9),
    ("health-facilities", CITY, 11), ("traffic-congestion", CITY, 12),
])
def test_raw_tiles_hold_exactly_the_features_and_their_public_properties(client, slug,
                                                                          lon_lat, z):
    url = tile_url(slug, lon_lat, z)
    layers = fetch_layers(client, url)
    layer = Layer.objects.get(slug=slug)
    expected = {f.external_id: f for f in _in_tile(layer, url)}
    assert expected, "pick a tile with data"
    served = {feat["properties"]["id"]: feat for feat in layers[slug]["features"]}
    assert set(served) == set(expected)
    public = set(layer.public_property_names())
    for external_id, feature in expected.items():
        props = dict(served[external_id]["properties"])
        props.pop("id")
        props.pop("observed_at", None)
        assert set(props) <= public
        assert props == {k: _tile_value(v) for k, v in feature.properties.items()
                         if k in public and v is not None}


def test_personal_data_never_reaches_tiles_even_for_staff(client, django_user_model):
    _signed_in(client, django_user_model, "province_leader")
    layer = Layer.objects.get(slug="security-incidents")
    private = set(layer.property_schema["properties"]) - set(layer.public_property_names())
    assert {"reporter_phone", "status_note"} <= private
    for z in (8, 12, 15, 17):
        layers = fetch_layers(client, tile_url("security-incidents", CITY, z))
        names = {k for f in layers["security-incidents"]["features"] for k in f["properties"]}
        assert names and not names & private, z


def _count_points(layer: Layer, url: str, **filters) -> int:
    qs = _in_tile(layer, url, buffered=False)
    if "since" in filters:
        qs = qs.filter(observed_at__gte=filters["since"])
    if "until" in filters:
        qs = qs.filter(observed_at__lt=filters["until"])
    for key in ("category", "status"):
        if key in filters:
            prop = getattr(layer, f"{key}_property")
            qs = qs.filter(**{f"properties__{prop}__in": filters[key]})
    if "communes" in filters:
        qs = qs.filter(commune_code__in=filters["communes"])
    return qs.count()


def _cluster_total(layers: dict, slug: str) -> int:
    features = layers.get(slug, {}).get("features", [])
    assert all("count" in f["properties"] for f in features)
    return sum(f["properties"]["count"] for f in features)


SINCE = datetime(2024, 9, 17, 6, 30, tzinfo=LOCAL)   # mid-month edges on both sides
UNTIL = datetime(2025, 2, 11, 18, 0, tzinfo=LOCAL)


@pytest.mark.parametrize("z", [6, 8, 9, 11, 14])  # monthly counts to z9, features above
@pytest.mark.parametrize("case", ["none", "window", "window+category", "status", "since"])
def test_cluster_counts_equal_the_features_under_every_filter(client, django_user_model, z,
                                                              case):
    _signed_in(client, django_user_model, "province_leader")
    layer = Layer.objects.get(slug="security-incidents")
    filters = {"none": {}, "window": {"since": SINCE, "until": UNTIL},
               "window+category": {"since": SINCE, "until": UNTIL,
                                   "category": ["theft", "assault"]},
               "status": {"status": ["da_xu_ly"]}, "since": {"since": SINCE}}[case]
    query = "&".join(
        f"{k}={v.isoformat().replace('+', '%2B') if isinstance(v, datetime) else ','.join(v)}"
        for k, v in filters.items())
    url = tile_url(layer.slug, CITY, z, query)
    expected = _count_points(layer, url, **filters)
    assert expected > 0
    assert _cluster_total(fetch_layers(client, url), layer.slug) == expected


def test_cluster_categories_are_codes_of_the_layer(client, django_user_model):
    _signed_in(client, django_user_model, "province_leader")
    layer = Layer.objects.get(slug="security-incidents")
    layers = fetch_layers(client, tile_url(layer.slug, CITY, 10))
    codes = set(layer.enum_codes("incident_type"))
    assert {f["properties"]["incident_type"] for f in layers[layer.slug]["features"]} <= codes


def test_bound_officials_see_clusters_of_their_units_only(client, django_user_model):
    ward = selectors.unit_containing(point=_point(SAM_SON), day=datetime.now().date())
    _signed_in(client, django_user_model, "unit_official", units=[ward])
    layer = Layer.objects.get(slug="security-incidents")
    for z in (8, 11):
        url = tile_url(layer.slug, SAM_SON, z)
        expected = _count_points(layer, url, communes=[ward.code])
        everything = _count_points(layer, url)
        assert 0 < expected < everything
        assert _cluster_total(fetch_layers(client, url), layer.slug) == expected


def _point(lon_lat):
    from django.contrib.gis.geos import Point

    return Point(*lon_lat, srid=4326)


def test_unit_tiles_follow_the_generation_of_the_date(client):
    before = fetch_layers(client, tile_url("admin-boundaries", CITY, 8, "date=2024-01-01"))
    after = fetch_layers(client, tile_url("admin-boundaries", CITY, 8, "date=2025-08-01"))
    today = fetch_layers(client, tile_url("admin-boundaries", CITY, 8))
    assert "district" in before and "district" not in after
    assert after == today
    before_codes = {f["properties"]["code"] for f in before["commune"]["features"]}
    after_codes = {f["properties"]["code"] for f in after["commune"]["features"]}
    assert before_codes != after_codes
    names = {f["properties"]["name"] for f in after["labels"]["features"]}
    assert any("ơ" in n or "ó" in n or "ầ" in n for n in names)  # names keep their diacritics


def test_a_new_unit_generation_shows_in_the_next_tile_of_its_day(
        client, django_capture_on_commit_callbacks):
    """The days on which units change are remembered between tiles; a unit version written in
    this process is drawn at once, not after the memo's refresh."""
    from datetime import date

    from layers.models import AdminLevel, AdminUnit

    url = tile_url("admin-boundaries", CITY, 9, "date=2027-03-01")
    old = next(u for u in AdminUnit.objects.filter(level=AdminLevel.COMMUNE,
                                                   valid_to__isnull=True)
               if u.geom.contains(Point(*CITY, srid=4326)))
    assert old.name in {f["properties"]["name"]
                        for f in fetch_layers(client, url)["commune"]["features"]}
    with django_capture_on_commit_callbacks(execute=True):
        AdminUnit.objects.filter(pk=old.pk).update(valid_to=date(2027, 1, 1))
        AdminUnit.objects.create(code=old.code, level=old.level, name="Phường Thử Mới",
                                 division_type=old.division_type, parent=old.parent,
                                 valid_from=date(2027, 1, 1), geom=old.geom)
    names = {f["properties"]["name"] for f in fetch_layers(client, url)["commune"]["features"]}
    assert "Phường Thử Mới" in names and old.name not in names


def test_basemap_tiles_draw_roads_rivers_and_coast(client):
    layers = fetch_layers(client, tile_url("basemap", CITY, 8))
    assert {"road", "river", "coastline"} <= set(layers)
    roads = layers["road"]["features"]
    assert all(f["properties"]["is_approximate"] for f in roads)
    assert {"QL1A"} <= {f["properties"]["ref"] for f in roads}


def test_one_sql_statement_per_tile(client, settings, monkeypatch):
    monkeypatch.setattr("tiles.sources.SNAPSHOT_SECONDS", 3600.0)  # a slow machine must not
    monkeypatch.setattr("tiles.units.REFRESH_SECONDS", 3600.0)      # refresh them mid-test
    settings.TILES_CACHE = "off"
    reset_tile_cache()
    urls = [tile_url("traffic-accidents", CITY, z) for z in (8, 15)] + [
        tile_url("admin-boundaries", CITY, 9), tile_url("basemap", CITY, 9)]
    for url in urls:
        client.get(url)  # warm the layer snapshot and the unit epochs
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, HTTP_ACCEPT_ENCODING="gzip").status_code == 200
        assert len(queries) == 1, [q["sql"][:120] for q in queries]
        assert "ST_AsMVT" in statement_text(queries[0]["sql"])


def test_cached_tiles_are_served_without_touching_the_database(client):
    url = tile_url("traffic-accidents", CITY, 12)
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert len(queries) == 0
    assert second.content == first.content and second["ETag"] == first["ETag"]
