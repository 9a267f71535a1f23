"""/api/insights/attention/ and /api/insights/forecast/: the shapes the dashboard reads, the KPI
API's visibility (public KPIs for everyone, staff data on one's ground, 404 off it), bad input
as 400 in the API's error format, forecasts computed on demand and stored."""
from datetime import date

import pytest
from django.utils import timezone

from insights.models import Attention, Forecast
from kpi import periods
from layers.models import AdminUnit
from tests.insights.conftest import months

pytestmark = pytest.mark.django_db
ITEM_KEYS = {"kpi", "unit", "kind", "kind_label", "evidence", "since", "since_start",
             "detected_at", "last_seen_at", "severity", "severity_label"}
FORECAST_KEYS = {"kpi", "unit", "horizon", "history", "model", "model_label", "mape", "metric",
                 "candidates", "points", "computed_at", "based_on_last_period", "backtest",
                 "reason"}


def ok(client, url: str) -> dict:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.content[:300])
    return answer.json()


def error(client, url: str, status: int) -> dict:
    answer = client.get(url)
    assert answer.status_code == status, (url, answer.content[:300])
    return answer.json()["error"]


@pytest.fixture
def found(units, kpi):
    """Attention rows: traffic accidents (staff data) at the province and at commune A,
    tourist arrivals (public) at the province and at a pre-2025 district."""
    now = timezone.now()
    accidents, arrivals = kpi("traffic-accidents"), kpi("tourist-arrivals")
    commune_a, commune_b = units.leaves["current"][:2]
    district = sorted(units.children)[0]

    def add(kpi_, unit_id, generation, kind, severity="WARNING", since=date(2025, 10, 1)):
        return Attention.objects.create(kpi=kpi_, unit_id=unit_id, generation=generation,
                                        kind=kind, severity=severity, since=since,
                                        evidence={"n": 12}, detected_at=now, last_seen_at=now)
    add(accidents, units.province_id, "current", "STREAK", "CRITICAL")
    add(accidents, commune_a, "current", "TREND")
    add(arrivals, units.province_id, "current", "TREND")
    add(arrivals, district, "pre2025", "TREND")
    return {"a": units.units[commune_a], "b": units.units[commune_b],
            "district": units.units[district]}


def test_the_attention_list_shape_order_and_filters(api_as, found):
    leader = api_as("province_leader")
    body = ok(leader, "/api/insights/attention/")
    assert body["count"] == 3 and len(body["results"]) == 3
    first = body["results"][0]
    assert set(first) == ITEM_KEYS
    assert first["severity"] == "CRITICAL" and first["kind"] == "STREAK"
    assert first["kind_label"] == "Nhiều kỳ liên tiếp không đạt chỉ tiêu"
    assert first["kpi"] == {"code": "traffic-accidents", "name": first["kpi"]["name"],
                            "name_en": first["kpi"]["name_en"], "sector": "TRAFFIC",
                            "unit": first["kpi"]["unit"], "unit_en": first["kpi"]["unit_en"],
                            "direction": "LOWER", "periodicity": "MONTH", "decimals": 0}
    assert first["unit"] == {"code": "38", "name": "Tỉnh Thanh Hóa", "level": "province",
                             "generation": None}
    assert first["since"] == "2025-10" and first["evidence"] == {"n": 12}
    old = ok(leader, "/api/insights/attention/?generation=pre2025")["results"]
    assert {(r["kpi"]["code"], r["unit"]["code"]) for r in old} == {
        ("traffic-accidents", "38"), ("tourist-arrivals", "38"),
        ("tourist-arrivals", found["district"].code)}
    assert [r["unit"]["generation"] for r in old if r["unit"]["level"] == "district"] == [
        "pre2025"]
    one = ok(leader, f"/api/insights/attention/?unit={found['a'].code}")["results"]
    assert [(r["kpi"]["code"], r["kind"]) for r in one] == [("traffic-accidents", "TREND")]
    assert ok(leader, "/api/insights/attention/?kind=STREAK")["count"] == 1
    tourism = ok(leader, "/api/insights/attention/?sector=TOURISM")["results"]
    assert {r["kpi"]["code"] for r in tourism} == {"tourist-arrivals"}
    assert len(ok(leader, "/api/insights/attention/?limit=1")["results"]) == 1


def test_staff_data_stays_on_the_callers_ground(api_as, found):
    bound = api_as("unit_official", units=[AdminUnit.objects.get(pk=found["a"].id)])
    seen = ok(bound, "/api/insights/attention/")["results"]
    assert {(r["kpi"]["code"], r["unit"]["code"]) for r in seen} == {
        ("traffic-accidents", found["a"].code), ("tourist-arrivals", "38")}
    assert error(bound, f"/api/insights/attention/?unit={found['b'].code}", 404)["code"] == \
        "unit_not_found"
    anonymous = api_as("anonymous")
    public = ok(anonymous, "/api/insights/attention/")["results"]
    assert {r["kpi"]["code"] for r in public} == {"tourist-arrivals"}
    assert ok(anonymous, f"/api/insights/attention/?unit={found['b'].code}")["count"] == 0
    health = api_as("sector_operator", units="province", sectors=["HEALTH"])
    assert {r["kpi"]["code"] for r in ok(health, "/api/insights/attention/")["results"]} == {
        "tourist-arrivals"}


@pytest.mark.parametrize("query", ["generation=2030", "kind=FOO", "sector=WEATHER",
                                   "unit=38;drop", "limit=0", "limit=abc"])
def test_bad_attention_queries_are_a_400(api_as, query):
    assert error(api_as("province_leader"), f"/api/insights/attention/?{query}", 400)["code"] \
        == "invalid"


def test_an_unknown_unit_is_a_404(api_as):
    assert error(api_as("province_leader"), "/api/insights/attention/?unit=99999", 404)[
        "code"] == "unit_not_found"


def _last_complete() -> date:
    return periods.containing(timezone.localdate(), periods.MONTH).previous().start


def _arrivals_history(units, kpi, record, count: int = 24) -> list[date]:
    starts = months(periods.shift(_last_complete(), periods.MONTH, 1 - count), count)
    record(kpi("tourist-arrivals"), units.province_id,
           {start: 1000 + 15 * i + (-1) ** i * 20 for i, start in enumerate(starts)})
    return starts


@pytest.mark.slow  # two forecasts fitted, about 3 s
def test_a_forecast_is_computed_on_demand_stored_and_recomputed_when_the_history_changes(
        api_as, units, kpi, record):
    starts = _arrivals_history(units, kpi, record)
    anonymous = api_as("anonymous")  # a public KPI
    body = ok(anonymous, "/api/insights/forecast/?kpi=tourist-arrivals&unit=38")
    assert set(body) == FORECAST_KEYS
    assert body["kpi"]["code"] == "tourist-arrivals" and body["unit"]["code"] == "38"
    assert len(body["history"]) == 24 and body["history"][-1] == {
        "period": periods.Period(starts[-1], "MONTH").label, "value": 1000 + 15 * 23 - 20}
    assert body["horizon"] == 3 and len(body["points"]) == 3
    following = periods.Period(starts[-1], "MONTH").next()
    assert body["points"][0]["period"] == following.label
    for point in body["points"]:
        assert set(point) == {"period", "value", "lo80", "hi80", "lo95", "hi95"}
        assert point["lo95"] <= point["lo80"] <= point["value"] <= point["hi80"] <= point["hi95"]
    scored = [c for c in body["candidates"] if c["mape"] is not None]
    assert body["model"] in {c["model"] for c in scored} and body["metric"] == "MAPE"
    assert body["mape"] == min(c["mape"] for c in scored) and body["model_label"]
    assert {"model", "mape", "status", "model_label"} <= set(body["candidates"][0])
    assert body["backtest"]["origins"] == 6 and body["reason"] is None
    stored = Forecast.objects.get(kpi__code="tourist-arrivals", unit_id=units.province_id)

    six = ok(anonymous, "/api/insights/forecast/?kpi=tourist-arrivals&unit=38&horizon=6")
    assert len(six["points"]) == 6 and six["points"][:3] == body["points"]
    assert Forecast.objects.get(pk=stored.pk).computed_at == stored.computed_at  # reused

    record(kpi("tourist-arrivals"), units.province_id, {starts[-1]: 5000})
    changed = ok(anonymous, "/api/insights/forecast/?kpi=tourist-arrivals&unit=38")
    assert changed["history"][-1]["value"] == 5000
    assert Forecast.objects.get(pk=stored.pk).computed_at > stored.computed_at


def test_a_forecast_without_enough_history_says_so(api_as, units, kpi, record):
    _arrivals_history(units, kpi, record, count=8)
    body = ok(api_as("anonymous"), "/api/insights/forecast/?kpi=tourist-arrivals")
    assert body["model"] is None and body["points"] == [] and len(body["history"]) == 8
    assert body["reason"] and body["unit"]["code"] == "38"
    assert not Forecast.objects.exists()


@pytest.mark.parametrize(("query", "status", "code"), [
    ("kpi=tourist-arrivals&horizon=7", 400, "invalid_horizon"),
    ("kpi=tourist-arrivals&horizon=0", 400, "invalid"),
    ("kpi=tourist-arrivals&horizon=abc", 400, "invalid"),
    ("unit=38", 400, "invalid"),
    ("kpi=../etc", 400, "invalid"),
    ("kpi=tourist-arrivals&generation=old", 400, "invalid"),
    ("kpi=khong-co-chi-so", 404, "kpi_not_found"),
    ("kpi=tourist-arrivals&unit=99999", 404, "unit_not_found"),
])
def test_bad_forecast_queries(api_as, query, status, code):
    assert error(api_as("province_leader"), f"/api/insights/forecast/?{query}", status)[
        "code"] == code


def test_forecasts_of_staff_data_follow_the_kpi_apis_rules(api_as, units):
    a, b = units.units[units.leaves["current"][0]], units.units[units.leaves["current"][1]]
    url = "/api/insights/forecast/?kpi=traffic-accidents&unit="
    assert error(api_as("anonymous"), url + a.code, 404)["code"] == "kpi_not_found"
    bound = api_as("unit_official", units=[AdminUnit.objects.get(pk=a.id)])
    assert ok(bound, url + a.code)["model"] is None  # on the ground: no data yet
    assert error(bound, url + b.code, 404)["code"] == "unit_not_found"
    health = api_as("sector_operator", units="province", sectors=["HEALTH"])
    assert error(health, url + a.code, 404)["code"] == "kpi_not_found"
