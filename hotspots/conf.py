"""Settings of the hotspots app, read lazily from `django.conf.settings` with defaults
(`IOC_HOTSPOTS_…`).

IOC_HOTSPOTS_CELL_DEFAULT, IOC_HOTSPOTS_CELL_MIN, IOC_HOTSPOTS_CELL_MAX
    Cell size in metres (a square's side, a hexagon's width across flats): default 2,000,
    allowed 1,000–10,000 (outside: 400). At 1 km the province is ~11,000 cells.
IOC_HOTSPOTS_DEFAULT_DAYS
    The window when `since` is not given: this many local days up to `until` (default 30).
IOC_HOTSPOTS_MAX_DAYS
    Longest window one request may ask for, in local days, both ends included (default 731:
    two years, a leap day included; longer: 400).
IOC_HOTSPOTS_TOP
    Hot cells listed in the summary, hottest first (default 10).
IOC_HOTSPOTS_GRID_LATITUDE
    The latitude the grid's metres are measured at (default 19.9, the middle of Thanh Hóa):
    cells stay within 0.5 % of their nominal size from 19.3° to 20.7° N.
IOC_HOTSPOTS_STUDY_AREA_SECONDS
    How long a process keeps the cells covering a ground (the province, a user's communes) before
    reading the outlines again (default 600).
"""
from django.conf import settings

DEFAULTS = {
    "IOC_HOTSPOTS_CELL_DEFAULT": 2000,
    "IOC_HOTSPOTS_CELL_MIN": 1000,
    "IOC_HOTSPOTS_CELL_MAX": 10000,
    "IOC_HOTSPOTS_DEFAULT_DAYS": 30,
    "IOC_HOTSPOTS_MAX_DAYS": 731,
    "IOC_HOTSPOTS_TOP": 10,
    "IOC_HOTSPOTS_GRID_LATITUDE": 19.9,
    "IOC_HOTSPOTS_STUDY_AREA_SECONDS": 600,
}


def get(name: str):
    """The setting `name`, or its default."""
    return getattr(settings, name, DEFAULTS[name])
