"""The incident workflow through the API: intake and routing, the status machine, duplicates and
merging, rating, escalation, the public tracking view and the map projection."""
import gzip
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from incidents.models import Incident
from incidents.services import incidents_escalate_overdue
from layers.models import Feature
from tests.tiles.mvt_spec import decode_layers
from tiles.grid import lonlat_to_tile

pytestmark = pytest.mark.django_db
SAM_SON = (105.9, 19.74)
FAR_AWAY = (105.0, 21.5)  # Hòa Bình / Sơn La side, outside Thanh Hóa
PHONE = "0912345678"


def _report(api_client, lon_lat=SAM_SON, category="an-ninh-trat-tu", **extra):
    body = {"category": category, "lon": lon_lat[0], "lat": lon_lat[1],
            "title": "Tụ tập gây rối ban đêm", "description": "Nhóm thanh niên gây ồn, đánh nhau",
            "reporter_name": "Nguyễn Văn A", "reporter_phone": PHONE, **extra}
    return api_client.post("/api/incidents/", body, format="json")


def _staff(api_client, django_user_model, role: str, name: str | None = None):
    user = django_user_model.objects.create_user(name or f"u-{role}", password="x")
    user.groups.add(Group.objects.get(name=role))
    api_client.force_authenticate(user)
    return api_client


def _commune_at(lon_lat) -> str:
    with connection.cursor() as cursor:
        cursor.execute("""SELECT code FROM layers_adminunit WHERE level = 'COMMUNE'
                          AND valid_to IS NULL AND ST_Intersects(geom, ST_Point(%s, %s, 4326))
                          ORDER BY code LIMIT 1""", list(lon_lat))
        row = cursor.fetchone()
    return row[0] if row else None


def test_a_citizen_report_is_routed_stored_and_mapped(api_client):
    response = _report(api_client)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "new" and data["id"].startswith("PA-")
    assert data["commune_code"] == _commune_at(SAM_SON)
    assert data["agency"] == "Công an tỉnh"
    assert "reporter" not in data and PHONE not in response.content.decode()
    incident = Incident.objects.get(public_id=data["id"])
    assert incident.assigned_unit_code == incident.commune_code  # commune-level category
    assert abs(incident.due_at - incident.created_at - timedelta(hours=4)) < timedelta(seconds=5)
    feature = Feature.objects.get(layer__slug="incidents", external_id=data["id"])
    assert feature.properties == {"category": "an-ninh-trat-tu", "sector": "SECURITY",
                                  "status": "new", "severity": "medium",
                                  "channel": "citizen_web", "overdue": False}


def test_province_level_categories_go_to_the_province(api_client):
    data = _report(api_client, category="chay-no").json()
    assert Incident.objects.get(public_id=data["id"]).assigned_unit_code == "38"


def test_a_point_outside_thanh_hoa_is_a_clear_400(api_client):
    response = _report(api_client, lon_lat=FAR_AWAY)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "outside_province"
    assert "ngoài địa bàn" in response.json()["error"]["message"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("body", [
    {"category": "no-such", "lon": 105.9, "lat": 19.74, "title": "x", "description": "y"},
    {"category": "khac", "lon": "NaN", "lat": 19.74, "title": "x", "description": "y"},
    {"category": "khac", "lon": "Infinity", "lat": 19.74, "title": "x", "description": "y"},
    {"category": "khac", "lon": 105.9, "lat": 95, "title": "x", "description": "y"},
    {"category": "khac", "lon": 105.9, "lat": 19.74, "title": "", "description": "y"},
    {"category": "khac", "lon": 105.9, "lat": 19.74, "title": "x", "description": "y",
     "channel": "hotline"},  # staff channel, anonymous caller
    {"category": "khac", "lon": 105.9, "lat": 19.74, "title": "x", "description": "y",
     "reporter_phone": "+" + "1" * 20},  # 21 characters: longer than the column
    {"category": "khac", "lon": 105.9, "lat": 19.74, "title": "x", "description": "y",
     "reporter_email": "a" * 250 + "@example.vn"},
])
def test_bad_reports_are_refused_whole(api_client, body):
    response = api_client.post("/api/incidents/", body, format="json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()
    assert not Incident.objects.exists()


def test_routing_follows_the_commune_border():
    with connection.cursor() as cursor:
        cursor.execute("""
            WITH pair AS (
              SELECT a.code AS a, b.code AS b, a.geom AS ga, b.geom AS gb,
                     ST_LineMerge(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom))) AS edge
                FROM layers_adminunit a JOIN layers_adminunit b
                  ON a.level = 'COMMUNE' AND b.level = 'COMMUNE' AND a.valid_to IS NULL
                 AND b.valid_to IS NULL AND a.code < b.code AND ST_Touches(a.geom, b.geom)
               ORDER BY a.code LIMIT 20)
            SELECT a, b, ST_X(m), ST_Y(m), ST_X(ca), ST_Y(ca), ST_X(cb), ST_Y(cb) FROM (
              SELECT a, b, ST_LineInterpolatePoint(edge, 0.5) AS m,
                     ST_PointOnSurface(ga) AS ca, ST_PointOnSurface(gb) AS cb
                FROM pair WHERE GeometryType(edge) = 'LINESTRING'
                 AND ST_Length(edge) > 0.01) q LIMIT 1""")
        a, b, mx, my, ax, ay, bx, by = cursor.fetchone()
    from access.principal import ANONYMOUS
    from incidents.services import ReportInput, incident_submit

    def toward(x, y, share=0.01):  # a step of 1 % from the border toward a commune's inside
        return mx + (x - mx) * share, my + (y - my) * share

    for (lon, lat), expected in ((toward(ax, ay), a), (toward(bx, by), b)):
        incident = incident_submit(principal=ANONYMOUS, report=ReportInput(
            category="khac", lon=lon, lat=lat, title="Biên giới xã", description="thử"))
        assert incident.commune_code == expected, (lon, lat)


def test_the_whole_workflow_and_illegal_moves(api_client, django_user_model):
    public_id = _report(api_client).json()["id"]
    staff = _staff(api_client, django_user_model, "administrator")
    url = f"/api/incidents/{public_id}/transition/"
    illegal = staff.post(url, {"to": "resolved"}, format="json")
    assert illegal.status_code == 409
    assert "Không thể chuyển" in illegal.json()["error"]["message"]
    steps = [("verified", {}), ("assigned", {"assigned_unit": "38"}), ("in_progress", {}),
             ("resolved", {"note": "Đã giải tán, nhắc nhở"}), ("closed", {})]
    for status, extra in steps:
        response = staff.post(url, {"to": status, **extra}, format="json")
        assert response.status_code == 200, (status, response.content)
        assert response.json()["status"] == status
    assert staff.post(url, {"to": "new"}, format="json").status_code == 409
    detail = staff.get(f"/api/incidents/{public_id}/").json()
    assert [e["to_status"] for e in detail["events"]] == [
        "new", "verified", "assigned", "in_progress", "resolved", "closed"]
    assert detail["reporter"]["phone"] == PHONE  # staff with the right see the contact
    assert detail["assigned_unit_code"] == "38"
    feature = Feature.objects.get(layer__slug="incidents", external_id=public_id)
    assert feature.properties["status"] == "closed"


def test_a_unit_official_may_handle_but_not_verify(api_client, django_user_model):
    from access.models import Jurisdiction
    from layers.models import AdminUnit

    public_id = _report(api_client).json()["id"]
    official = django_user_model.objects.create_user("official", password="x")
    official.groups.add(Group.objects.get(name="unit_official"))
    commune = AdminUnit.objects.get(code=_commune_at(SAM_SON), valid_to__isnull=True)
    Jurisdiction.objects.create(user=official).units.set([commune])
    api_client.force_authenticate(official)
    response = api_client.post(f"/api/incidents/{public_id}/transition/", {"to": "verified"},
                               format="json")
    assert response.status_code == 403
    assert api_client.get(f"/api/incidents/{public_id}/").json()["allowed_transitions"] == []


def test_duplicates_are_offered_and_merged(api_client, django_user_model):
    first = _report(api_client).json()["id"]
    near = (SAM_SON[0] + 0.0002, SAM_SON[1] + 0.0002)          # ~30 m away
    far = (SAM_SON[0] + 0.002, SAM_SON[1])                      # ~210 m away
    query = "/api/incidents/duplicates/?category=an-ninh-trat-tu&lon={}&lat={}"
    offered = api_client.get(query.format(*near)).json()
    assert [d["id"] for d in offered] == [first] and 20 < offered[0]["distance_m"] < 50
    assert api_client.get(query.format(*far)).json() == []
    other = "/api/incidents/duplicates/?category=khac&lon={}&lat={}"
    assert api_client.get(other.format(*near)).json() == []
    second = _report(api_client, lon_lat=near).json()["id"]
    staff = _staff(api_client, django_user_model, "administrator")
    merged = staff.post(f"/api/incidents/{second}/merge/", {"into": first}, format="json")
    assert merged.status_code == 200 and merged.json()["status"] == "duplicate"
    assert merged.json()["duplicate_of"] == first
    assert staff.post(f"/api/incidents/{first}/merge/", {"into": first},
                      format="json").status_code == 409
    original = staff.get(f"/api/incidents/{first}/").json()
    assert any(second in e["note"] for e in original["events"])
    assert not Feature.objects.filter(layer__slug="incidents", external_id=second).exists()


def test_rating_only_once_and_only_after_resolution(api_client, django_user_model):
    public_id = _report(api_client).json()["id"]
    rate = f"/api/reports/{public_id}/rating/"
    assert api_client.post(rate, {"rating": 5}, format="json").status_code == 409
    incident = Incident.objects.get(public_id=public_id)
    incident.status = "resolved"
    incident.save()
    assert api_client.post(rate, {"rating": 9}, format="json").status_code == 400
    assert api_client.post(rate, {"rating": 4}, format="json").status_code == 200
    assert api_client.post(rate, {"rating": 5}, format="json").status_code == 409
    assert Incident.objects.get(public_id=public_id).rating == 4


def test_public_tracking_shows_no_personal_data_nor_internal_notes(api_client,
                                                                   django_user_model):
    public_id = _report(api_client).json()["id"]
    staff = _staff(api_client, django_user_model, "administrator")
    staff.post(f"/api/incidents/{public_id}/transition/",
               {"to": "verified", "note": "Ghi chú nội bộ", "public": False}, format="json")
    api_client.force_authenticate(None)
    response = api_client.get(f"/api/reports/{public_id}/")
    text = response.content.decode()
    assert response.status_code == 200 and response.json()["status"] == "verified"
    assert PHONE not in text and "Nguyễn Văn A" not in text and "Ghi chú nội bộ" not in text
    assert api_client.get("/api/reports/PA-ZZZZZZZZ/").status_code == 404


def test_overdue_incidents_escalate_to_the_parent_level(api_client):
    public_id = _report(api_client).json()["id"]
    Incident.objects.filter(public_id=public_id).update(
        due_at=timezone.now() - timedelta(minutes=5))
    assert incidents_escalate_overdue() == 1
    assert incidents_escalate_overdue() == 0  # once
    incident = Incident.objects.get(public_id=public_id)
    assert incident.assigned_unit_code == "38" and incident.escalation_level == 1
    assert incident.events.filter(kind="escalated").exists()
    assert Feature.objects.get(layer__slug="incidents",
                               external_id=public_id).properties["overdue"] is True


def test_incidents_are_a_role_filtered_tile_layer_without_personal_data(api_client, client,
                                                                        django_user_model):
    public_id = _report(api_client).json()["id"]
    t = lonlat_to_tile(*SAM_SON, 17)
    url = f"/tiles/incidents/{t.z}/{t.x}/{t.y}.pbf"
    assert client.get(url).status_code == 404  # anonymous: the layer does not exist
    leader = django_user_model.objects.create_user("leader", password="x")
    leader.groups.add(Group.objects.get(name="province_leader"))
    client.force_login(leader)
    response = client.get(url + "?status=new", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    (feature,) = decode_layers(gzip.decompress(response.content))["incidents"]["features"]
    assert feature["properties"]["id"] == public_id
    assert PHONE not in str(feature) and "gây rối" not in str(feature).lower()
