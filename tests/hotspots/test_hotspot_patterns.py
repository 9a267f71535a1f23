"""GET /api/hotspots/patterns/: incidents by day of week × hour of day in Vietnam time (UTC+7),
equal to a hand count; local days bound the window."""
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from tests.hotspots.conftest import INLAND, place

pytestmark = pytest.mark.django_db
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK = "since=2026-03-01&until=2026-03-08"  # Sunday to Sunday, local days


def _matrix(client, query: str = WEEK) -> dict:
    response = client.get(f"/api/hotspots/patterns/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_late_evening_utc_is_the_next_morning_in_vietnam(sign_in):
    # Sunday 1 March 2026, 23:30 UTC = Monday 2 March, 06:30 in Vietnam
    place([INLAND], at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    answer = _matrix(sign_in("province_leader"))
    assert answer["days"][0] == "mon" and answer["timezone"] == "Asia/Ho_Chi_Minh"
    assert answer["matrix"][0][6] == 1 and answer["total"] == 1
    assert answer["by_day"][0] == 1 and answer["by_hour"][6] == 1
    assert answer["peak"] == {"day": "mon", "hour": 6, "count": 1}
    assert sum(answer["matrix"][6]) == 0  # nothing on the Sunday it was in UTC


def test_the_matrix_equals_a_hand_count_in_vietnam_time(sign_in):
    rng = np.random.default_rng(38)
    start = datetime(2026, 2, 28, 17, 0, tzinfo=UTC)  # 1 March 00:00 in Vietnam
    moments = [start + timedelta(minutes=int(m)) for m in rng.integers(0, 8 * 24 * 60, 300)]
    for moment in moments:
        place([INLAND], at=moment)
    hand = Counter((m.astimezone(VIETNAM).isoweekday() - 1, m.astimezone(VIETNAM).hour)
                   for m in moments)
    answer = _matrix(sign_in("province_leader"))
    assert answer["matrix"] == [[hand[(d, h)] for h in range(24)] for d in range(7)]
    assert answer["total"] == 300


def test_the_window_is_in_local_days(sign_in):
    # 8 March 2026, 16:30 UTC = 23:30 in Vietnam (inside); 17:30 UTC = 00:30 on the 9th (outside)
    place([INLAND], at=datetime(2026, 3, 8, 16, 30, tzinfo=UTC))
    place([INLAND], at=datetime(2026, 3, 8, 17, 30, tzinfo=UTC))
    # 28 February, 17:00 UTC = 1 March 00:00 in Vietnam (inside); a second earlier (outside)
    place([INLAND], at=datetime(2026, 2, 28, 17, 0, tzinfo=UTC))
    place([INLAND], at=datetime(2026, 2, 28, 16, 59, 59, tzinfo=UTC))
    client = sign_in("province_leader")
    answer = _matrix(client)
    assert answer["total"] == 2
    assert answer["matrix"][6][23] == 1 and answer["matrix"][6][0] == 1  # both Sundays
    assert client.get(f"/api/hotspots/?{WEEK}").json()["summary"]["incidents"] == 2


def test_labels_are_vietnamese_first_and_english_on_request(sign_in):
    client = sign_in("province_leader")
    vietnamese = _matrix(client)
    assert vietnamese["day_labels"][0] == "Thứ Hai" and vietnamese["day_labels"][6] == "Chủ Nhật"
    english = client.get(f"/api/hotspots/patterns/?{WEEK}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["day_labels"][0] == "Monday" and english["days"] == vietnamese["days"]
    legend = client.get("/api/hotspots/", HTTP_ACCEPT_LANGUAGE="en").json()["summary"]["legend"]
    assert legend[0] == {"class": "hot_99", "label": "Hot spot, 99% confidence"}
