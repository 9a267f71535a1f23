"""GET /api/dashboard/kpi/{code}/units/ and /records/: a KPI over the child units of a unit in
the period its card shows — each child's value, target and status equal to what the KPI API
answers for that child alone — ranked best first, scoped to the caller's ground; the records
behind a computed KPI, as many as the KPI counts; clear 400/403/404 otherwise."""
import pytest

from kpi.models import Kpi

pytestmark = pytest.mark.django_db
UNITS = "/api/dashboard/kpi/{code}/units/"
RECORDS = "/api/dashboard/kpi/{code}/records/"
SAM_SON_DISTRICT = "382"  # Thành phố Sầm Sơn before the reform


def across(client, code: str, **params) -> dict:
    response = client.get(UNITS.format(code=code), params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def kpi_values(client, code: str, unit: str, generation: str, period: str) -> dict:
    response = client.get(f"/api/kpi/{code}/values/", {"unit": unit, "generation": generation,
                                                      "since": period, "until": period})
    assert response.status_code == 200, response.content[:300]
    return response.json()["periods"][0]


@pytest.mark.parametrize("code, generation, unit, level", [
    ("bed-occupancy", "pre2025", None, "district"),          # district grain, recorded
    ("tourist-arrivals", "pre2025", None, "district"),       # SUM, recorded districts
    ("dossiers-on-time-pct", "current", None, "commune"),    # a ratio from its parts
    ("incidents-resolved-on-time", "current", None, "commune"),  # computed from incidents
    ("school-enrolment", "pre2025", SAM_SON_DISTRICT, "commune"),  # across the crosswalk
])
def test_every_child_figure_equals_the_kpi_api(seeded, api_as, code, generation, unit, level):
    client = api_as("province_leader")
    params = {"generation": generation, **({"unit": unit} if unit else {})}
    answer = across(client, code, **params)
    assert answer["level"] == level and answer["kpi"]["code"] == code
    assert answer["units"], "no child units"
    period = answer["period"]["label"]
    own = kpi_values(client, code, answer["unit"]["code"], generation, period)
    assert (answer["own"]["value"], answer["own"]["status"]) == (own["value"], own["status"])
    with_value = [u for u in answer["units"] if u["value"] is not None]
    assert len(with_value) >= len(answer["units"]) // 2, "most children have a value"
    for child in answer["units"]:
        expected = kpi_values(client, code, child["code"], generation, period)
        if expected["value"] is None:
            assert child["value"] is None, child
        else:
            assert child["value"] == pytest.approx(expected["value"], rel=1e-9), child
        assert (child["target"], child["status"]) == (expected["target"], expected["status"])


def test_children_are_ranked_best_first_by_the_kpis_direction(seeded, api_as):
    client = api_as("province_leader")
    higher = across(client, "tourist-arrivals", generation="pre2025")["units"]
    values = [u["value"] for u in higher if u["value"] is not None]
    assert values == sorted(values, reverse=True) and higher[0]["rank"] == 1
    lower = across(client, "incidents-received", generation="current")["units"]  # LOWER
    values = [u["value"] for u in lower if u["value"] is not None]
    assert values == sorted(values)
    assert all(u["rank"] is None for u in lower if u["value"] is None)
    assert [u["value"] is None for u in lower] == sorted(u["value"] is None for u in lower)


def test_the_period_is_the_cards_and_follows_the_filter(seeded, api_as):
    client = api_as("province_leader")
    summary = client.get("/api/kpi/summary/", {"sector": "TOURISM"}).json()
    card = next(c for c in summary["cards"] if c["code"] == "tourist-arrivals")
    latest = across(client, "tourist-arrivals")
    assert latest["period"]["label"] == card["latest"]["period"]
    assert latest["own"]["value"] == card["latest"]["value"]
    older = across(client, "tourist-arrivals", period="2025-03", generation="pre2025")
    assert older["period"] == {"label": "2025-03", "start": "2025-03-01", "end": "2025-04-01"}
    assert older["own"]["value"] == kpi_values(client, "tourist-arrivals", "38", "pre2025",
                                               "2025-03")["value"]


def test_breadcrumb_and_extent_of_a_pre_reform_district(seeded, api_as):
    answer = across(api_as("planner"), "school-enrolment", generation="pre2025",
                    unit=SAM_SON_DISTRICT)
    assert [u["level"] for u in answer["breadcrumb"]] == ["province", "district"]
    assert answer["breadcrumb"][-1]["code"] == SAM_SON_DISTRICT
    west, south, east, north = answer["bbox"]
    assert 105.8 < west < east < 106.0 and 19.6 < south < north < 19.9


def test_a_bound_official_sees_only_children_on_their_ground(seeded, api_as):
    from layers.models import AdminUnit

    commune = AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).order_by(
        "code").first()
    client = api_as("unit_official", units=[commune])
    assert client.get(UNITS.format(code="security-theft")).status_code == 404  # the province
    own = across(client, "security-theft", unit=commune.code)
    assert own["unit"]["code"] == commune.code and own["units"] == []
    public = across(client, "tourist-arrivals", generation="pre2025")  # public: every child
    assert len(public["units"]) == 26


@pytest.mark.parametrize("query, status, code", [
    ("?period=2025-13", 400, "invalid_period"),
    ("?period=tomorrow", 400, "invalid_period"),
    ("?generation=2019", 400, "invalid"),
    ("?unit=abc", 400, "invalid"),
    ("?unit=99999", 404, "unit_not_found"),
])
def test_bad_input_is_a_clear_error(seeded, api_as, query, status, code):
    response = api_as("province_leader").get(UNITS.format(code="tourist-arrivals") + query)
    assert response.status_code == status
    assert response.json()["error"]["code"].startswith(code)


def test_an_unknown_or_unseen_kpi_is_a_404(seeded, api_as):
    assert api_as("province_leader").get(UNITS.format(code="no-such-kpi")).status_code == 404
    health = api_as("sector_operator", sectors=["HEALTH"])
    assert health.get(UNITS.format(code="security-theft")).status_code == 404


# ---- records ---------------------------------------------------------------------------------

def records(client, code: str, **params) -> dict:
    response = client.get(RECORDS.format(code=code), params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_the_incidents_behind_resolved_on_time_are_as_many_as_the_kpi(seeded, api_as):
    client = api_as("province_leader")
    answer = records(client, "incidents-resolved-on-time")
    assert answer["kind"] == "incidents" and answer["counted"] is True
    assert answer["figure"]["value"] > 0
    assert answer["total"] == answer["figure"]["value"] == answer["shown"]
    assert all(row["on_time"] is True and row["status"] in ("resolved", "closed")
               for row in answer["results"])
    # A commune with some, in the same period.
    children = across(client, "incidents-resolved-on-time", period=answer["period"]["label"])
    commune = next(u for u in children["units"] if u["value"])
    inside = records(client, "incidents-resolved-on-time", unit=commune["code"],
                     period=answer["period"]["label"])
    assert inside["total"] == commune["value"]
    assert {row["commune_code"] for row in inside["results"]} == {commune["code"]}


def test_a_rate_lists_its_denominator_and_says_so(seeded, api_as):
    client = api_as("province_leader")
    rate = records(client, "incidents-on-time-pct")
    resolved = records(client, "incidents-resolved", period=rate["period"]["label"])
    assert rate["counted"] is False and rate["total"] == resolved["total"]
    on_time = sum(1 for row in rate["results"] if row["on_time"])
    assert 100 * on_time / rate["total"] == pytest.approx(rate["figure"]["value"])


def test_the_features_behind_a_security_kpi_in_a_pre_reform_district(seeded, api_as):
    client = api_as("province_leader")
    answer = across(client, "security-theft", generation="pre2025", period="2025-06")
    district = next(u for u in answer["units"] if u["value"])
    found = records(client, "security-theft", generation="pre2025", unit=district["code"],
                    period="2025-06")
    assert found["kind"] == "features" and found["layer"]["slug"] == "security-incidents"
    assert found["total"] == district["value"] > 0
    assert all(row["properties"].get("incident_type") == "theft" for row in found["results"])


def test_records_of_imported_kpis_or_without_incident_rights_are_refused(seeded, api_as):
    imported = api_as("province_leader").get(RECORDS.format(code="grdp"))
    assert imported.status_code == 400
    assert imported.json()["error"]["code"] == "records_not_available"
    from layers.models import AdminUnit

    commune = AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).order_by(
        "code").first()
    reader = api_as("integration_client", units=[commune])  # reads KPIs, not incidents
    where = {"unit": commune.code}
    assert reader.get(UNITS.format(code="incidents-received"), where).status_code == 200
    refused = reader.get(RECORDS.format(code="incidents-received"), where)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "records_forbidden"
    bad = api_as("province_leader").get(RECORDS.format(code="incidents-received"),
                                        {"period": "2025-02-30"})
    assert bad.status_code == 400


def test_a_sector_bound_operator_counts_only_the_records_they_may_read(seeded, api_as):
    leader = records(api_as("province_leader"), "incidents-received")
    traffic = records(api_as("sector_operator", sectors=["TRAFFIC", "CITIZEN"]),
                      "incidents-received", period=leader["period"]["label"])
    assert traffic["figure"]["value"] == leader["figure"]["value"]  # the KPI counts them all
    assert traffic["total"] < leader["total"]
    assert Kpi.objects.get(code="incidents-received").sector == "CITIZEN"
