"""GET /api/units/{code}/stats/: a unit's features per layer and one layer's counts per child
unit, in either generation, each layer counted only as far as the caller may read it."""
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils import timezone

from access.models import Jurisdiction
from layers import selectors
from layers.models import AdminLevel, Feature
from layers.stats import PRE_REFORM_REFERENCE_DATE

pytestmark = pytest.mark.django_db

SAM_SON = (105.9, 19.74)


def _commune_at(lon_lat, day=None) -> str:
    from django.contrib.gis.geos import Point

    return selectors.unit_containing(point=Point(*lon_lat, srid=4326),
                                      day=day or timezone.localdate()).code


def _counts(payload) -> dict:
    return {layer["slug"]: layer["count"] for layer in payload["layers"]}


def _signed_in(client, django_user_model, role: str, units=()):
    user = django_user_model.objects.create_user(f"u-{role}", password="x")
    user.groups.add(Group.objects.get(name=role))
    if units:
        Jurisdiction.objects.create(user=user).units.set(
            [selectors.unit_get(code=code, day=timezone.localdate()) for code in units])
    client.force_login(user)


def test_the_province_counts_every_layer_and_its_communes_add_up(client, django_user_model):
    _signed_in(client, django_user_model, "province_leader")
    payload = client.get("/api/units/38/stats/?layer=security-incidents").json()
    counts = _counts(payload)
    for slug, count in counts.items():  # inside = stamped into one of its communes
        assert count == Feature.objects.filter(layer__slug=slug,
                                               commune_code__isnull=False).count(), slug
    assert counts["security-incidents"] > 0
    choropleth = payload["choropleth"]
    assert choropleth["level"] == "commune" and len(choropleth["units"]) == 166
    by_commune = dict(Feature.objects.filter(layer__slug="security-incidents")
                      .values_list("commune_code").annotate(n=Count("id")).order_by())
    assert {u["code"]: u["count"] for u in choropleth["units"]} == {
        u["code"]: by_commune.get(u["code"], 0) for u in choropleth["units"]}
    assert payload["breadcrumb"] == [{"code": "38", "name": "Tỉnh Thanh Hóa",
                                      "level": "province"}]


def test_a_commune_and_a_pre_reform_district_count_their_own_features(client):
    commune = _commune_at(SAM_SON)
    payload = client.get(f"/api/units/{commune}/stats/?layer=schools").json()
    assert _counts(payload)["schools"] == Feature.objects.filter(
        layer__slug="schools", commune_code=commune).count()
    assert payload["choropleth"]["units"] == []  # a commune has no children
    assert [u["level"] for u in payload["breadcrumb"]] == ["province", "commune"]

    district = selectors.unit_containing(point=_point(SAM_SON), day=PRE_REFORM_REFERENCE_DATE,
                                         level=AdminLevel.DISTRICT).code
    payload = client.get(f"/api/units/{district}/stats/?generation=pre2025&layer=schools").json()
    expected = Feature.objects.filter(layer__slug="schools", district_code_pre2025=district)
    assert _counts(payload)["schools"] == expected.count() > 0
    children = payload["choropleth"]["units"]
    assert payload["choropleth"]["level"] == "commune" and children
    assert sum(u["count"] for u in children) == expected.count()
    assert client.get(f"/api/units/{district}/stats/").status_code == 404  # not a unit today


def _point(lon_lat):
    from django.contrib.gis.geos import Point

    return Point(*lon_lat, srid=4326)


def test_a_bound_official_counts_private_layers_on_their_ground_only(client, django_user_model):
    commune = _commune_at(SAM_SON)
    _signed_in(client, django_user_model, "unit_official", units=[commune])
    payload = client.get("/api/units/38/stats/?layer=security-incidents").json()
    mine = Feature.objects.filter(layer__slug="security-incidents", commune_code=commune).count()
    assert 0 < _counts(payload)["security-incidents"] == mine
    assert _counts(payload)["schools"] == Feature.objects.filter(
        layer__slug="schools", commune_code__isnull=False).count()
    assert {u["code"] for u in payload["choropleth"]["units"] if u["count"]} == {commune}


def test_anonymous_callers_see_public_layers_only(client):
    payload = client.get("/api/units/38/stats/").json()
    assert "security-incidents" not in _counts(payload) and "schools" in _counts(payload)
    assert payload["choropleth"] is None
    assert client.get("/api/units/38/stats/?layer=security-incidents").status_code == 404


def test_a_window_limits_event_layers_and_leaves_the_others(client):
    day = Feature.objects.filter(layer__slug="traffic-accidents").order_by("observed_at") \
        .values_list("observed_at", flat=True)[600]
    day = timezone.localtime(day).date()
    payload = client.get(f"/api/units/38/stats/?since={day}&until={day + timedelta(days=30)}"
                         ).json()
    start = timezone.make_aware(datetime.combine(day, time.min))
    expected = Feature.objects.filter(layer__slug="traffic-accidents", observed_at__gte=start,
                                      observed_at__lt=start + timedelta(days=31),
                                      commune_code__isnull=False).count()
    assert 0 < _counts(payload)["traffic-accidents"] == expected
    assert _counts(payload)["schools"] == Feature.objects.filter(
        layer__slug="schools", commune_code__isnull=False).count()
    assert payload["since"] == day.isoformat()


@pytest.mark.parametrize("query", ["generation=2020", "since=2025-02-01&until=2025-01-01",
                                   "since=yesterday", "layer=Not_A_Slug!"])
def test_bad_input_is_a_400_in_the_api_format(client, query):
    response = client.get(f"/api/units/38/stats/?{query}")
    assert response.status_code == 400 and response.json()["error"]["status"] == 400


def test_unknown_units_and_layers_are_404(client):
    assert client.get("/api/units/99999/stats/").status_code == 404
    assert client.get("/api/units/38/stats/?layer=no-such-layer").status_code == 404
