"""Incident hotspots and patterns, read through the one incident scope.

Only incidents the caller may read take part (`incidents.selectors.incident_list_visible`:
their sectors, their units), rejected and duplicate ones never. The statistic runs over the
caller's own ground: a province-wide caller's cells are those covering the province, a
unit-bound caller's those covering their communes — so a commune official's hot spots are hot
*relative to their own ground*, not to the province, and cannot reveal anything outside it."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from access.principal import Principal
from incidents.models import Incident
from incidents.selectors import incident_list_visible
from incidents.transitions import HIDDEN_STATES
from layers.models import AdminLevel, AdminUnit
from layers.selectors import valid_on

from . import conf
from .aggregate import cell_counts, ground_cells, study_area
from .errors import HotspotsForbidden, InvalidCell, InvalidWindow
from .gistar import NOT_SIGNIFICANT, gi_star
from .grid import HEX, SHAPES, Grid


@dataclass(frozen=True)
class Window:
    """Local days `since` to `until`, both included."""

    since: date
    until: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.since, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.until + timedelta(days=1), time.min))


def hotspot_window(*, since: date | None = None, until: date | None = None,
                   today: date | None = None) -> Window:
    """The window asked for: `until` defaults to today, `since` to IOC_HOTSPOTS_DEFAULT_DAYS
    local days up to `until`. Raises InvalidWindow when it ends before it starts or is longer
    than IOC_HOTSPOTS_MAX_DAYS."""
    until = until or today or timezone.localdate()
    since = since or until - timedelta(days=conf.get("IOC_HOTSPOTS_DEFAULT_DAYS") - 1)
    if since > until:
        raise InvalidWindow("'since' phải trước hoặc bằng 'until'.",
                            details={"since": since.isoformat(), "until": until.isoformat()})
    longest = conf.get("IOC_HOTSPOTS_MAX_DAYS")
    if (until - since).days + 1 > longest:
        raise InvalidWindow(f"Khoảng thời gian dài quá {longest} ngày.",
                            details={"since": since.isoformat(), "until": until.isoformat(),
                                     "max_days": longest})
    return Window(since, until)


def hotspot_incidents(*, principal: Principal, window: Window,
                      category: list[str] | None = None,
                      sector: str | None = None) -> QuerySet[Incident]:
    """The incidents a hotspot map or pattern counts: the caller's scope, the filters, created
    within the window, neither rejected nor duplicate. 403 for a caller who may not read
    incidents at all."""
    if not principal.has("incidents.view_incident"):
        raise HotspotsForbidden("Bạn không có quyền xem sự cố.")
    return (incident_list_visible(principal=principal, category=category or None,
                                  sector=sector or None, since=window.start, until=window.end)
            .exclude(status__in=HIDDEN_STATES).order_by())


def hotspot_grid(*, shape: str = HEX, cell_m: int | None = None) -> Grid:
    """The grid asked for (default cell IOC_HOTSPOTS_CELL_DEFAULT); InvalidCell outside the
    allowed sizes — a 10 m grid over the province would be 100 million cells."""
    cell_m = cell_m or conf.get("IOC_HOTSPOTS_CELL_DEFAULT")
    low, high = conf.get("IOC_HOTSPOTS_CELL_MIN"), conf.get("IOC_HOTSPOTS_CELL_MAX")
    if shape not in SHAPES or not low <= cell_m <= high:
        raise InvalidCell(f"Ô phải là {' hoặc '.join(SHAPES)}, cỡ từ {low} đến {high} mét.",
                          details={"shape": shape, "cell": cell_m})
    return Grid.of(shape=shape, cell_m=cell_m)


@dataclass(frozen=True)
class Hotspots:
    """Every cell of the study area (key order): index, count, Gi* z, p, class; the dominant
    category code and the commune (current generation) of most of its incidents, or None."""

    grid: Grid
    window: Window
    province_wide: bool
    i: np.ndarray
    j: np.ndarray
    count: np.ndarray
    z: np.ndarray
    p: np.ndarray
    classes: np.ndarray
    dominant_category: np.ndarray  # of str or None
    commune_code: np.ndarray
    mean: float
    std: float

    def shown(self) -> np.ndarray:
        """Indices of the cells a map draws: those with incidents and the significant ones."""
        return np.flatnonzero((self.count > 0) | (self.classes != NOT_SIGNIFICANT))

    def hottest(self, limit: int) -> np.ndarray:
        """Indices of up to `limit` hot cells, highest z first (then most incidents)."""
        hot = np.flatnonzero(np.char.startswith(self.classes.astype(str), "hot_"))
        order = np.lexsort((-self.count[hot], -self.z[hot]))
        return hot[order][:limit]


def hotspots(*, principal: Principal, category: list[str] | None = None,
             sector: str | None = None, since: date | None = None, until: date | None = None,
             cell_m: int | None = None, shape: str = HEX) -> Hotspots:
    """Incidents the caller may read, counted on a grid of `shape` cells `cell_m` metres across
    over local days [since, until], with the Getis–Ord Gi* of every cell of the caller's ground
    (hotspots/gistar.py)."""
    window = hotspot_window(since=since, until=until)
    grid = hotspot_grid(shape=shape, cell_m=cell_m)
    incidents = hotspot_incidents(principal=principal, window=window, category=category,
                                  sector=sector)
    counts = cell_counts(incidents=incidents, grid=grid)
    ground = ground_cells(units=ground_units(principal=principal), grid=grid)
    i, j, x, at = study_area(ground=ground, counts=counts)
    stat = gi_star(grid, i, j, x)
    dominant, commune = np.full(len(x), None, object), np.full(len(x), None, object)
    dominant[at], commune[at] = counts.category, counts.commune
    return Hotspots(
        grid=grid, window=window, province_wide=principal.province_wide, i=i, j=j, count=x,
        z=stat.z, p=stat.p, classes=stat.classes, mean=stat.mean, std=stat.std,
        dominant_category=dominant, commune_code=commune)


def ground_units(*, principal: Principal) -> list[int]:
    """Ids of the units in force today whose outlines make the caller's ground."""
    units = AdminUnit.objects.filter(valid_on(timezone.localdate()))
    if principal.province_wide:
        units = units.filter(level=AdminLevel.PROVINCE)
    else:
        units = units.filter(level=AdminLevel.COMMUNE, code__in=sorted(principal.cur_codes))
    return list(units.values_list("id", flat=True))


def commune_names(*, codes) -> dict[str, str]:
    """Names of communes in force today (the current generation), by code."""
    return dict(AdminUnit.objects.filter(valid_on(timezone.localdate()), level=AdminLevel.COMMUNE,
                                         code__in=sorted(set(codes) - {None}))
                .values_list("code", "name"))


@dataclass(frozen=True)
class Patterns:
    """Counts by day of week (Monday first) × hour of day, in Vietnam time: `matrix[d][h]`."""

    window: Window
    matrix: list[list[int]]

    @property
    def total(self) -> int:
        return sum(map(sum, self.matrix))


def hotspot_patterns(*, principal: Principal, category: list[str] | None = None,
                     sector: str | None = None, since: date | None = None,
                     until: date | None = None) -> Patterns:
    """When the incidents of a hotspot map happen: the same incidents, counted by local day of
    week and hour of the time they were received."""
    window = hotspot_window(since=since, until=until)
    incidents = hotspot_incidents(principal=principal, window=window, category=category,
                                  sector=sector)
    local = timezone.get_default_timezone()  # Asia/Ho_Chi_Minh
    rows = (incidents.annotate(hs_day=ExtractIsoWeekDay("created_at", tzinfo=local),
                               hs_hour=ExtractHour("created_at", tzinfo=local))
            .values_list("hs_day", "hs_hour").annotate(n=Count("id")))
    matrix = [[0] * 24 for _ in range(7)]
    for day, hour, n in rows:
        matrix[day - 1][hour] = n
    return Patterns(window=window, matrix=matrix)
