"""Filters of GET /api/hotspots/ and /api/hotspots/patterns/: category codes, sector and the
window of local days change exactly which incidents are counted; rejected and duplicate
incidents never are."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.hotspots.conftest import INLAND, THANH_HOA_CITY, place

pytestmark = pytest.mark.django_db
OLD_PLACE = (105.6, 19.9)


@pytest.fixture
def layout():
    """5 fires inland and 4 road damages in the city this hour, 3 fires 40 days ago, and 2
    rejected + 1 duplicate fire inland (never counted)."""
    now = timezone.now()
    place([(INLAND[0] + k * 0.001, INLAND[1]) for k in range(5)], category="chay-no")
    place([(THANH_HOA_CITY[0], THANH_HOA_CITY[1] + k * 0.001) for k in range(4)],
          category="hu-hong-mat-duong")
    place([OLD_PLACE] * 3, category="chay-no", at=now - timedelta(days=40))
    place([INLAND] * 2, category="chay-no", status="rejected")
    place([INLAND], category="chay-no", status="duplicate")
    return (now - timedelta(days=40)).astimezone(timezone.get_current_timezone()).date()


def _get(client, query: str = "") -> dict:
    response = client.get(f"/api/hotspots/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _dominant(answer: dict) -> set[str]:
    return {f["properties"]["dominant_category"] for f in answer["features"]
            if f["properties"]["count"]}


def test_category_sector_and_window_choose_the_incidents_counted(sign_in, layout):
    client = sign_in("province_leader")
    everything = _get(client)
    assert everything["summary"]["incidents"] == 9  # the last 30 days; rejected/duplicate out
    assert _dominant(everything) == {"chay-no", "hu-hong-mat-duong"}

    fires = _get(client, "category=chay-no")
    assert fires["summary"]["incidents"] == 5 and _dominant(fires) == {"chay-no"}
    assert fires["summary"]["category"] == ["chay-no"]
    assert _get(client, "category=chay-no,hu-hong-mat-duong")["summary"]["incidents"] == 9
    roads = _get(client, "sector=TRAFFIC")
    assert roads["summary"]["incidents"] == 4 and _dominant(roads) == {"hu-hong-mat-duong"}
    assert _get(client, "sector=TRAFFIC&category=chay-no")["summary"]["incidents"] == 0

    old_day = layout
    today = timezone.localdate()
    longer = _get(client, f"since={old_day}&until={today}")
    assert longer["summary"]["incidents"] == 12
    assert (longer["summary"]["since"], longer["summary"]["until"]) == (str(old_day), str(today))
    that_day = _get(client, f"since={old_day}&until={old_day}")
    assert that_day["summary"]["incidents"] == 3
    assert _get(client, f"since={old_day + timedelta(days=1)}&until={today - timedelta(days=1)}"
                )["summary"]["incidents"] == 0


def test_the_statistic_follows_the_filter(sign_in, layout):
    """Counted alone, the 3 old fires make their own hot spot; in the last 30 days that cell
    holds nothing and is not drawn."""
    client = sign_in("province_leader")
    old_day = layout
    alone = _get(client, f"since={old_day}&until={old_day}&shape=square")
    hot = [f for f in alone["features"] if f["properties"]["count"]]
    assert len(hot) == 1 and hot[0]["properties"]["count"] == 3
    assert hot[0]["properties"]["class"] == "hot_99"
    recent = _get(client, "shape=square")
    assert hot[0]["id"] not in {f["id"] for f in recent["features"]}


def test_patterns_take_the_same_filters(sign_in, layout):
    client = sign_in("province_leader")
    old_day = layout
    for query, total in (("", 9), ("category=chay-no", 5), ("sector=TRAFFIC", 4),
                         (f"since={old_day}&until={old_day}", 3)):
        answer = client.get(f"/api/hotspots/patterns/?{query}").json()
        assert answer["total"] == total == sum(map(sum, answer["matrix"])), query
