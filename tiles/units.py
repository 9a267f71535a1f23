"""Unit generations for tiles: every day between two boundary dates shows the same units."""
import bisect
import threading
import time
from datetime import date

from django.db.models import Q

from layers.models import AdminUnit

REFRESH_SECONDS = 30.0
_lock = threading.Lock()
_boundaries: list[date] | None = None
_taken_at = 0.0


def _load() -> list[date]:
    days = set()
    for start, end in AdminUnit.objects.filter(
            Q(valid_from__isnull=False) | Q(valid_to__isnull=False)).values_list(
            "valid_from", "valid_to").distinct():
        days.update(d for d in (start, end) if d is not None)
    return sorted(days)


def unit_epoch(day: date) -> date:
    """The first day of the stretch of days on which the same unit versions are in force."""
    global _boundaries, _taken_at
    with _lock:
        if _boundaries is None or time.monotonic() - _taken_at > REFRESH_SECONDS:
            _boundaries, _taken_at = _load(), time.monotonic()
        boundaries = _boundaries
    i = bisect.bisect_right(boundaries, day)
    return boundaries[i - 1] if i else date.min


def reset_unit_epochs() -> None:
    global _boundaries
    with _lock:
        _boundaries = None
