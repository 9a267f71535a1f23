"""The KPI API: the catalogue by role and sector, a definition with the targets on one's
ground, a series with a status per period (grey without data), the summary cards with trend
and sparkline; staff data stays on the caller's ground; bad input is a 4xx in our format."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpi.models import Kpi, KpiRun, KpiTarget
from kpi.services import ValueRow, values_upsert
from kpi.units import CURRENT, PRE_REFORM

pytestmark = pytest.mark.django_db
PUBLIC = {"grdp-growth", "grdp", "budget-revenue", "tourist-arrivals", "tourism-revenue"}


def record(kpi, unit_id: int, values: dict[date, float]) -> KpiRun:
    run = KpiRun.objects.create(kind="IMPORT", started_at=timezone.now(), file_name="t.csv")
    values_upsert(rows=[ValueRow(kpi.id, unit_id, kpi.periodicity, start, v)
                        for start, v in values.items()], run=run, source="IMPORT")
    return run


def ok(client, url: str) -> dict:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.content[:300])
    return answer.json()


def error(client, url: str, status: int) -> dict:
    answer = client.get(url)
    assert answer.status_code == status, (url, answer.content[:300])
    return answer.json()["error"]


def test_the_catalogue_is_public_kpis_for_everyone_and_staff_data_by_sector(api_as):
    assert {k["code"] for k in ok(api_as("anonymous"), "/api/kpi/")["results"]} == PUBLIC
    assert ok(api_as("province_leader"), "/api/kpi/")["count"] == Kpi.objects.count()
    police = ok(api_as("sector_operator", sectors=["SECURITY"]), "/api/kpi/")["results"]
    assert {k["sector"] for k in police} == {"SECURITY", "SOCIO_ECONOMIC", "TOURISM"}
    traffic = ok(api_as("planner"), "/api/kpi/?sector=TRAFFIC")["results"]
    assert [k["code"] for k in traffic] == ["traffic-accidents", "traffic-deaths",
                                            "traffic-injuries", "traffic-accidents-per-100k"]
    assert error(api_as("planner"), "/api/kpi/?sector=WEATHER", 400)["code"] == "invalid"


def test_a_definition_with_its_targets_on_the_callers_ground(api_as, user_as, units, kpi):
    pct = kpi("incidents-on-time-pct")
    mine, other = units.leaves[CURRENT][:2]
    KpiTarget.objects.create(kpi=pct, effective_from=date(2025, 1, 1), value=90)
    for unit_id, value in ((mine, 85), (other, 95), (units.province_id, 92)):
        KpiTarget.objects.create(kpi=pct, unit_id=unit_id, effective_from=date(2025, 1, 1),
                                 value=value)
    wide = ok(api_as("province_leader"), "/api/kpi/incidents-on-time-pct/")
    assert wide["numerator"] == "incidents-resolved-on-time" and len(wide["targets"]) == 4
    from layers.models import AdminUnit

    bound = api_as("unit_official", units=[AdminUnit.objects.get(pk=mine)])
    targets = ok(bound, "/api/kpi/incidents-on-time-pct/")["targets"]
    assert sorted((t["unit"] or {}).get("code", "") for t in targets) == sorted(
        ["", units.units[mine].code])
    assert error(api_as("anonymous"), "/api/kpi/incidents-on-time-pct/", 404)["code"] == \
        "kpi_not_found"
    assert ok(api_as("anonymous"), "/api/kpi/grdp/")["code"] == "grdp"
    health = api_as("sector_operator", sectors=["HEALTH"])
    assert error(health, "/api/kpi/security-theft/", 404)["code"] == "kpi_not_found"


def test_a_series_has_a_status_per_period_and_grey_where_there_is_no_value(api_as, units, kpi):
    arrivals = kpi("tourist-arrivals")  # higher is better, amber within 10 %
    run = record(arrivals, units.province_id, {
        date(2025, 1, 1): 1_200_000, date(2025, 2, 1): 950_000, date(2025, 3, 1): 700_000,
        date(2025, 5, 1): 2_000_000})
    KpiTarget.objects.create(kpi=arrivals, unit_id=units.province_id,
                             effective_from=date(2025, 1, 1), value=1_000_000)
    body = ok(api_as("anonymous"), "/api/kpi/tourist-arrivals/values/?since=2024-12&until=2025-05")
    assert body["unit"] == {"code": "38", "name": "Tỉnh Thanh Hóa", "level": "province",
                            "generation": "current"}
    got = [(p["period"], p["value"], p["status"], p["status_reason"]) for p in body["periods"]]
    assert got == [("2024-12", None, "grey", "no_value"),
                   ("2025-01", 1_200_000, "green", None), ("2025-02", 950_000, "amber", None),
                   ("2025-03", 700_000, "red", None), ("2025-04", None, "grey", "no_value"),
                   ("2025-05", 2_000_000, "green", None)]
    first = body["periods"][1]
    assert first["provenance"]["run"] == run.pk and first["provenance"]["source"] == "import"
    assert first["origin"] == "recorded" and first["end"] == "2025-02-01"
    default = ok(api_as("anonymous"), "/api/kpi/tourist-arrivals/values/")["periods"]
    assert len(default) == 24 and default[-1]["period"] == timezone.localdate().strftime("%Y-%m")


@pytest.mark.parametrize("query, status, code", [
    ("generation=later", 400, "invalid"), ("unit=abc", 400, "invalid"),
    ("since=2025-13", 400, "invalid_period"), ("since=2025-05&until=2025-01", 400,
                                               "invalid_period"),
    ("since=" + "9" * 30, 400, "invalid"), ("unit=382&generation=current", 404, "unit_not_found"),
    ("unit=99999", 404, "unit_not_found")])
def test_bad_series_queries_are_named_4xx(api_as, query, status, code):
    url = f"/api/kpi/tourist-arrivals/values/?{query}"
    assert error(api_as("planner"), url, status)["code"] == code


def test_a_daily_series_too_long_is_refused_not_computed(api_as):
    url = "/api/kpi/press-mentions/values/?since=1900-01-01&until=2025-01-01"
    assert error(api_as("planner"), url, 400)["code"] == "invalid_period"


def test_staff_series_stay_on_the_callers_ground_in_both_generations(api_as, units):
    from layers.models import AdminUnit

    mine = next(n for n in units.leaves[CURRENT]
                if any(len(units.forward[o]) == 1 for o in units.backward[n]))
    inside_old = next(o for o in units.backward[mine] if len(units.forward[o]) == 1)
    outside = next(n for n in units.leaves[CURRENT] if n != mine)
    police = api_as("sector_operator", units=[AdminUnit.objects.get(pk=mine)],
                    sectors=["SECURITY"])
    base = "/api/kpi/security-theft/values/?unit="
    assert ok(police, base + units.units[mine].code)["unit"]["generation"] == "current"
    old = ok(police, base + units.units[inside_old].code + "&generation=pre2025")
    assert old["unit"]["level"] == "commune" and old["unit"]["generation"] == "pre2025"
    assert error(police, base + units.units[outside].code, 404)["code"] == "unit_not_found"
    assert error(police, base + "38", 404)["code"] == "unit_not_found"
    # public KPIs are public everywhere
    assert ok(police, "/api/kpi/tourist-arrivals/values/?unit=" + units.units[outside].code)


def test_the_summary_has_latest_value_target_status_trend_and_sparkline(api_as, units, kpi):
    arrivals = kpi("tourist-arrivals")
    record(arrivals, units.province_id, {date(2025, 6, 1): 3_000_000, date(2025, 7, 1): 3_300_000})
    KpiTarget.objects.create(kpi=arrivals, unit_id=units.province_id,
                             effective_from=date(2025, 1, 1), value=3_500_000)
    body = ok(api_as("province_leader"), "/api/kpi/summary/?period=2025-08-15")
    assert body["as_of"] == "2025-08-15" and body["unit"]["code"] == "38"
    cards = {card["code"]: card for card in body["cards"]}
    assert len(cards) == Kpi.objects.count()
    card = cards["tourist-arrivals"]
    assert card["latest"]["period"] == "2025-07" and card["latest"]["value"] == 3_300_000
    assert (card["status"], card["latest"]["target"]) == ("amber", 3_500_000)
    assert card["trend"] == {"arrow": "up", "good": True, "change": 300_000,
                             "change_pct": pytest.approx(10.0)}
    assert [s["period"] for s in card["sparkline"]][-3:] == ["2025-06", "2025-07", "2025-08"]
    assert len(card["sparkline"]) == 12 and card["sparkline"][-1]["value"] is None
    quarter = ok(api_as("province_leader"), "/api/kpi/summary/?period=2025-Q3&sector=TOURISM")
    assert quarter["as_of"] == "2025-09-30"  # a label means its last day
    assert {c["sector"] for c in quarter["cards"]} == {"TOURISM"}
    empty = cards["cyber-events"]
    assert (empty["status"], empty["status_reason"], empty["latest"]) == ("grey", "no_value",
                                                                          None)


def test_the_summary_costs_a_few_queries_whatever_the_catalogue(api_as, units, kpi):
    client = api_as("province_leader")
    client.get("/api/kpi/summary/")  # principal and units kept warm
    with CaptureQueriesContext(connection) as queries:
        ok(client, "/api/kpi/summary/?unit=" + units.units[units.leaves[CURRENT][0]].code)
    assert len(queries) <= 12, [q["sql"][:80] for q in queries.captured_queries]


def test_off_ones_ground_the_summary_shows_public_kpis_only(api_as, units):
    from layers.models import AdminUnit

    mine, other = units.leaves[CURRENT][:2]
    official = api_as("unit_official", units=[AdminUnit.objects.get(pk=mine)])
    own = ok(official, "/api/kpi/summary/?unit=" + units.units[mine].code)["cards"]
    assert len(own) == Kpi.objects.count()
    foreign = ok(official, "/api/kpi/summary/?unit=" + units.units[other].code)["cards"]
    assert {c["code"] for c in foreign} == PUBLIC
    district = ok(official, "/api/kpi/summary/?generation=pre2025&unit=382")
    assert district["unit"]["generation"] == PRE_REFORM
    assert error(official, "/api/kpi/summary/?period=soon", 400)["code"] == "invalid_period"


def test_the_openapi_schema_describes_the_kpi_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/kpi/", "/api/kpi/{code}/", "/api/kpi/{code}/values/",
                 "/api/kpi/summary/", "/api/kpi/values/import/"):
        assert f"{path}:" in schema, path
