"""Bad input to GET /api/hotspots/ and /api/hotspots/patterns/ is a 400 in the API's error
format naming what is wrong — never a 500, never silently ignored; the edges of the allowed
ranges answer."""
import pytest

pytestmark = pytest.mark.django_db

BAD = [
    ("since=2025-13-40", "invalid", "since"),
    ("until=yesterday", "invalid", "until"),
    ("since=2026-03-02&until=2026-03-01", "invalid_window", "since"),
    ("since=2024-01-01&until=2026-01-01", "invalid_window", "max_days"),  # 732 days
    ("category=khong-co", "invalid", "category"),
    ("category=khac,khong-co", "invalid", "category"),
    ("category=" + "a," * 1500, "invalid", "category"),
    ("sector=MOON", "invalid", "sector"),
    ("cell=999", "invalid", "cell"),
    ("cell=10001", "invalid", "cell"),
    ("cell=abc", "invalid", "cell"),
    ("cell=1e400", "invalid", "cell"),
    ("shape=circle", "invalid", "shape"),
    ("bbox=1,2,3,4", "unknown_parameter", "unknown"),
    ("categry=khac", "unknown_parameter", "unknown"),
    ("category=khac&category=chay-no", "unknown_parameter", "repeated"),
]


@pytest.fixture
def leader(sign_in):
    return sign_in("province_leader")


@pytest.mark.parametrize("query, code, detail", BAD)
def test_bad_hotspot_queries_are_a_400(leader, query, code, detail):
    response = leader.get(f"/api/hotspots/?{query}")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == code and error["message"]
    assert detail in error["details"]


@pytest.mark.parametrize("query, code, detail", [
    *[row for row in BAD if not row[0].startswith(("cell=", "shape="))],
    ("cell=2000", "unknown_parameter", "unknown"),   # patterns have no cells
    ("shape=hex", "unknown_parameter", "unknown")])
def test_bad_pattern_queries_are_a_400(leader, query, code, detail):
    response = leader.get(f"/api/hotspots/patterns/?{query}")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code and detail in error["details"]


@pytest.mark.parametrize("query", [
    "", "cell=1000", "cell=10000&shape=square", "since=2024-01-01&until=2025-12-31",  # 731 days
    "category=&sector=&since=&until=&cell=&shape=",  # blank means not given
    "category=khac,chay-no&sector=SECURITY"])
def test_the_edges_of_the_ranges_answer(leader, query):
    assert leader.get(f"/api/hotspots/?{query}").status_code == 200
    patterns = "&".join(p for p in query.split("&") if not p.startswith(("cell", "shape")))
    assert leader.get(f"/api/hotspots/patterns/?{patterns}").status_code == 200


def test_the_selector_refuses_grids_outside_the_range_too(django_user_model):
    """Python callers (the dashboard) meet the same limits as the API."""
    from access.principal import Principal
    from hotspots.errors import InvalidCell
    from hotspots.selectors import hotspots

    leader = Principal(user_id=1, perms=frozenset({"incidents.view_incident"}),
                       province_wide=True)
    for shape, cell in (("hex", 10), ("square", 50_000), ("circle", 2000)):
        with pytest.raises(InvalidCell):
            hotspots(principal=leader, shape=shape, cell_m=cell)
