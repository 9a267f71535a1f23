"""bbox, datetime, limit and paging against hand counts of the 30 sample features."""
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from tests.ogc.conftest import SAMPLES

pytestmark = pytest.mark.django_db
VIETNAM = timezone(timedelta(hours=7))


def fetch_all(client, url: str) -> tuple[list[str], int]:
    """Ids of every page reached by following `next` links, and how many pages it took."""
    ids, pages = [], 0
    while url:
        parts = urlsplit(url)
        body = client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path).json()
        ids += [f["id"] for f in body["features"]]
        pages += 1
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    return ids, pages


def items(client, layer, query: str) -> dict:
    response = client.get(f"/ogc/collections/{layer.slug}/items?{query}")
    assert response.status_code == 200, response.content[:300]
    return response.json()


@pytest.mark.parametrize("bbox", ["105.855,19.705,105.875,19.725", "105.85,19.70,105.85,19.74",
                                  "105.0,19.0,106.0,20.0", "105.895,19.735,105.91,19.75"])
def test_bbox_returns_exactly_the_features_inside(api_client, temporal, bbox):
    west, south, east, north = map(float, bbox.split(","))
    expected = sorted(s.id for s in SAMPLES if west <= s.lon <= east and south <= s.lat <= north)
    body = items(api_client, temporal, f"bbox={bbox}&limit=100")
    assert sorted(f["id"] for f in body["features"]) == expected
    assert body["numberMatched"] == len(expected)


def test_bbox_across_the_antimeridian_is_two_boxes(api_client, temporal):
    assert items(api_client, temporal, "bbox=105.88,19,105.86,20&limit=100")["numberMatched"] == \
        sum(1 for s in SAMPLES if s.lon >= 105.88 or s.lon <= 105.86)


@pytest.mark.parametrize("window, first, last", [
    ("2025-03-05T06:00:00Z", 4, 4),                           # an instant
    ("2025-03-05", 4, 4),                                      # a (Vietnam) day
    ("2025-03-05T06:00:00Z/2025-03-10T06:00:00Z", 4, 9),       # closed at both ends
    ("../2025-03-03", 0, 2), ("/2025-03-03", 0, 2),            # open start, a whole last day
    ("2025-03-28T06:00:00Z/..", 27, 29), ("2025-03-28T06:00:00Z/", 27, 29),
    ("2025-03-05T13:00:00%2B07:00", 4, 4), ("2025-03-05T13:00:00+07:00", 4, 4), ("2025-03-05T13:00:00", 4, 4),  # offset, local time
    ("2024-01-01/2024-12-31", None, None),
])
def test_datetime_selects_by_observation_time(api_client, temporal, window, first, last):
    expected = [] if first is None else [s.id for s in SAMPLES[first:last + 1]]
    body = items(api_client, temporal, f"datetime={window}&limit=100")
    assert [f["id"] for f in body["features"]] == expected


def test_datetime_is_ignored_by_layers_without_time(api_client, world):
    body = items(api_client, world.public, "datetime=2000-01-01")
    assert body["numberMatched"] == 2


def test_paging_reaches_every_feature_once_and_keeps_the_other_parameters(api_client, temporal):
    ids, pages = fetch_all(api_client, f"/ogc/collections/{temporal.slug}/items?limit=7"
                                       "&bbox=105.8,19.6,106,19.8&datetime=2025-03-02/..")
    assert ids == [s.id for s in SAMPLES[1:]] and pages == 5
    body = items(api_client, temporal, "limit=7&bbox=105.8,19.6,106,19.8")
    following = next(link["href"] for link in body["links"] if link["rel"] == "next")
    assert "limit=7" in following and "bbox=105.8%2C19.6%2C106%2C19.8" in following


def test_prev_links_walk_back(api_client, temporal):
    body = items(api_client, temporal, "limit=10")
    second = _follow(api_client, body, "next")
    third = _follow(api_client, second, "next")
    assert "next" not in {link["rel"] for link in third["links"]}
    back = _follow(api_client, third, "prev")
    assert [f["id"] for f in back["features"]] == [f["id"] for f in second["features"]]
    first = _follow(api_client, back, "prev")
    assert [f["id"] for f in first["features"]] == [f["id"] for f in body["features"]]
    assert "prev" not in {link["rel"] for link in first["links"]}


def test_default_limit_and_number_matched_cap(api_client, temporal, settings):
    assert items(api_client, temporal, "")["numberReturned"] == 10
    settings.IOC_OGC_NUMBER_MATCHED_CAP = 29
    assert "numberMatched" not in items(api_client, temporal, "")
    assert items(api_client, temporal, "bbox=105.85,19.70,105.86,19.70")["numberMatched"] == 2
    settings.IOC_OGC_NUMBER_MATCHED_CAP = 0  # never counted
    assert "numberMatched" not in items(api_client, temporal, "bbox=105.85,19.70,105.86,19.70")


def _follow(client, body: dict, rel: str) -> dict:
    href = next(link["href"] for link in body["links"] if link["rel"] == rel)
    parts = urlsplit(href)
    return client.get(f"{parts.path}?{parts.query}").json()


def test_sample_times_are_what_the_tests_assume():
    assert SAMPLES[4].observed_at.astimezone(VIETNAM).date().isoformat() == "2025-03-05"
    assert SAMPLES[0].observed_at == datetime(2025, 3, 1, 6, tzinfo=timezone.utc)
