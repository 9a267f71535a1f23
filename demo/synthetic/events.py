"""Event layers: daily, weekly and seasonal rhythms, traffic accidents and security
incidents, sampled lazily in seeded chunks (``event_features``, ``event_count``).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Point

from .common import (
    BASE_ACCIDENTS,
    BASE_INCIDENTS,
    CHUNK,
    CITY,
    KM_LAT,
    KM_LON,
    SAM_SON,
    TET,
    TZ,
    CommuneInfo,
    FeatureRecord,
    _Communes,
    _communes,
    _read,
    _rng,
    _Road,
    _roads,
    _to_km,
    short_name,
)

# --- event layers: time ------------------------------------------------------------

# Relative intensity by local hour: night lows around 3–5 am, evening peaks.
# The layers event_features writes (the loader drops their surplus when the scale goes down).
EVENT_LAYERS = ("traffic-accidents", "security-incidents")

_HOURLY = {
    "traffic-accidents": np.array([.35, .25, .2, .2, .3, .6, 1.1, 1.5, 1.2, .9, .9, 1., 1.1, .9,
                                   .9, 1.1, 1.4, 1.8, 1.9, 1.6, 1.3, 1., .7, .5]),
    "security-incidents": np.array([.55, .4, .3, .22, .2, .25, .45, .7, .9, 1., 1., 1., .95, .9,
                                    .95, 1.05, 1.2, 1.4, 1.65, 1.8, 1.75, 1.5, 1.1, .8]),
}
_WEEKLY = {"traffic-accidents": np.array([.95, .92, .93, .95, 1.05, 1.2, 1.15]),  # Mon..Sun
           "security-incidents": np.array([.95, .93, .95, .97, 1.05, 1.15, 1.1])}
_TET_BOOST = {"traffic-accidents": 0.9, "security-incidents": 0.4}
_SUMMER_BOOST = 2.5  # Sầm Sơn beach season on top of the base rhythm


def _add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (Jan 31 + 1 -> Feb 28/29)."""
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, calendar.monthrange(d.year + y, m + 1)[1]))


def _smooth_step(x: np.ndarray) -> np.ndarray:
    """Logistic ramp, so seasons start and end over a week or two, not overnight."""
    return 1 / (1 + np.exp(-x))


def _intensity(layer: str, start: date, n_days: int, summer: bool) -> np.ndarray:
    """Expected events per (day, hour) bin, unnormalised, flattened day-major."""
    days = np.datetime64(start, "D") + np.arange(n_days)
    f = _WEEKLY[layer][(days.astype(np.int64) + 3) % 7]  # 1970-01-01 was a Thursday
    tet = np.array(TET, dtype="datetime64[D]")
    gap = (days[:, None] - tet[None, :]).astype(np.int64)
    near = gap[np.arange(n_days), np.abs(gap).argmin(axis=1)]
    f = f * (1 + _TET_BOOST[layer] * np.exp(-0.5 * ((near - 1) / 5.0) ** 2))  # peak just after
    doy = (days - days.astype("datetime64[Y]")).astype(np.int64)
    season = _smooth_step((doy - 125) / 6) * _smooth_step((240 - doy) / 6)  # ~May 5–Aug 28
    f = f * (1 + (_SUMMER_BOOST if summer else 0.1) * season)
    return (f[:, None] * _HOURLY[layer][None, :]).ravel()


class _Clock:
    """Draws local timestamps from the (day, hour) intensity of one profile."""

    def __init__(self, layer: str, start: date, n_days: int, summer: bool):
        self.cdf = np.cumsum(_intensity(layer, start, n_days, summer))
        self.mass = float(self.cdf[-1])

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Seconds since the window start."""
        b = np.searchsorted(self.cdf, rng.random(n) * self.mass, side="right")
        return b * 3600 + (rng.random(n) * 3600).astype(np.int64)


def _draw_times(rng: np.random.Generator, summer: np.ndarray,
                clocks: tuple[_Clock, _Clock]) -> np.ndarray:
    """Seconds since the window start: base clock, or the beach-season clock where ``summer``."""
    secs = np.empty(len(summer), np.int64)
    for flag, clock in ((False, clocks[0]), (True, clocks[1])):
        secs[summer == flag] = clock.draw(rng, int((summer == flag).sum()))
    return secs


def _pick(rng: np.random.Generator, tables: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Vectorised categorical draw per record from ``tables[0]`` (e.g. day) or, where
    ``second`` is true, ``tables[1]`` (e.g. night, expressway)."""
    cdf = np.cumsum(tables, axis=1)
    cdf /= cdf[:, -1:]
    rows = cdf[second.astype(int)]
    return (rng.random(len(second))[:, None] > rows).sum(axis=1).clip(0, tables.shape[1] - 1)


# --- event layers: traffic accidents ---------------------------------------------

_SEVERITY = ("va_cham", "it_nghiem_trong", "nghiem_trong", "rat_nghiem_trong",
             "dac_biet_nghiem_trong")
_SEVERITY_P = np.array([[.40, .33, .19, .06, .02], [.30, .32, .25, .09, .04]])  # day, night
_VEHICLES = ("xe_may", "o_to_con", "o_to_tai", "xe_khach", "xe_dap", "nguoi_di_bo", "khac")
# Motorbikes, bicycles and pedestrians are banned from expressways (row 1).
_VEHICLE_P = np.array([[.62, .13, .12, .04, .05, .03, .01], [0, .45, .38, .12, 0, 0, .05]])
_CAUSES = ("vuot_toc_do", "ruou_bia", "sai_phan_lan", "khong_nhuong_duong", "mat_tap_trung",
           "phuong_tien", "khac")
_CAUSE_P = np.array([[.22, .10, .22, .18, .18, .05, .05], [.25, .35, .12, .08, .12, .04, .04]])


@dataclass(frozen=True)
class _Spot:
    """One mixture component of accident locations along a road."""

    road: int
    lo: float  # uniform draw on [lo, hi] km when sigma == 0, else normal(lo, sigma)
    hi: float
    sigma: float
    weight: float
    summer: bool


def _accident_spots(roads: list[_Road], blackspot: tuple[float, float],
                    summer_ratio: float) -> list[_Spot]:
    """Uniform background per road (50 %), town clusters (40 %), the QL47 corridor to
    Sầm Sơn with its beach season (5 %) and the R01 black spot on QL47 (5 %), before the
    summer components are scaled up by the extra mass of their clock."""
    spots: list[_Spot] = []
    per_km = {"QL1A": 1.6, "QL47": 1.0, "QL45": 1.0, "HCM": 0.8}  # expressway CT01: 0.6
    weights = [per_km.get(r.road_id, 0.6) * r.cum[-1] for r in roads]
    for k, (r, w) in enumerate(zip(roads, weights)):
        spots.append(_Spot(k, 0, r.cum[-1], 0, 0.50 * w / sum(weights), False))
    towns = [(k, i) for k, r in enumerate(roads) for i, m in enumerate(r.methods)
             if m == "town_point"]
    town_w = [4.0 if math.dist(roads[k].xy[i] / [KM_LON, KM_LAT], CITY) < 0.03 else
              3.0 if math.dist(roads[k].xy[i] / [KM_LON, KM_LAT], SAM_SON) < 0.03 else 1.0
              for k, i in towns]
    for (k, i), w in zip(towns, town_w):
        coast = roads[k].road_id == "QL47" and w == 3.0
        spots.append(_Spot(k, roads[k].cum[i], 0, 1.5,
                           0.40 * w / sum(town_w) * (summer_ratio if coast else 1), coast))
    ql47 = next(k for k, r in enumerate(roads) if r.road_id == "QL47")
    line = LineString(roads[ql47].xy)
    d_city, d_sea, d_black = (line.project(Point(*_to_km(*p))) for p in (CITY, SAM_SON, blackspot))
    spots.append(_Spot(ql47, min(d_city, d_sea), max(d_city, d_sea), 0, 0.05 * summer_ratio, True))
    spots.append(_Spot(ql47, d_black, 0, 0.3, 0.05, False))
    return spots


def _accident_sites(rng: np.random.Generator, n: int, spots: list[_Spot], roads: list[_Road],
                    cx: _Communes) -> tuple[np.ndarray, ...]:
    """n points along the roads, kept only inside the province (the commune union)."""
    p = np.array([s.weight for s in spots])
    parts: list[tuple[np.ndarray, ...]] = []
    got = 0
    for _ in range(200):
        if got >= n:
            return tuple(np.concatenate(col)[:n] for col in zip(*parts))
        m = int((n - got) * 1.1) + 16
        comp = rng.choice(len(spots), size=m, p=p / p.sum())
        x, y, road = np.empty(m), np.empty(m), np.empty(m, np.int64)
        for c in np.unique(comp):
            s, sel, length = spots[c], comp == c, roads[spots[c].road].cum[-1]
            k = int(sel.sum())
            d = rng.normal(s.lo, s.sigma, k) if s.sigma else rng.uniform(s.lo, s.hi, k)
            d = np.abs(d)  # reflect at the road ends instead of clipping: no pile-up there
            d = np.where(d > length, 2 * length - d, d)
            x[sel], y[sel] = roads[s.road].point_at(d, rng.normal(0, 0.015, k))
            road[sel] = s.road
        ci = cx.locate(x, y)
        summer = np.array([s.summer for s in spots])[comp]
        keep = ci >= 0
        parts.append((x[keep], y[keep], road[keep], summer[keep], ci[keep]))
        got += int(keep.sum())
    raise ValueError("the roads hardly cross the given communes; pass the whole province")


def _accident_chunk(rng: np.random.Generator, n: int, first: int, ctx: _EventContext
                    ) -> Iterator[FeatureRecord]:
    """``n`` accidents numbered from ``first``: place, time, then severity and parties."""
    x, y, road, summer, ci = _accident_sites(rng, n, ctx.spots, ctx.roads, ctx.cx)
    secs = _draw_times(rng, summer, ctx.accident_clocks)
    hour = (secs // 3600) % 24
    night = (hour >= 21) | (hour < 5)
    express = np.array([r.road_id.startswith("CT") for r in ctx.roads])[road]
    sev = _pick(rng, _SEVERITY_P, night)
    deaths = np.select([sev == 2, sev == 3, sev == 4], [1, 2, 3 + rng.poisson(0.7, n)], 0)
    injuries = np.select([sev == 1, sev == 2, sev == 3, sev == 4],
                         [1 + rng.poisson(0.6, n), rng.poisson(0.8, n), rng.poisson(1.5, n),
                          rng.poisson(3.0, n)], 0)
    v1, v2 = _pick(rng, _VEHICLE_P, express), _pick(rng, _VEHICLE_P, express)
    second = rng.random(n) < 0.75  # most crashes involve a second party
    cause = _pick(rng, _CAUSE_P, night)
    points = shapely.points(x, y)
    cols = zip(points, secs.tolist(), sev.tolist(), deaths.tolist(), injuries.tolist(),
               v1.tolist(), v2.tolist(), second.tolist(), cause.tolist(), road.tolist(),
               ci.tolist())
    for k, (pt, s, sv, de, inj, a, b, two, ca, rd, c) in enumerate(cols):
        vehicles = [_VEHICLES[a]] if not two or a == b else [_VEHICLES[a], _VEHICLES[b]]
        props = {"severity": _SEVERITY[sv], "vehicle_types": vehicles, "deaths": de,
                 "injuries": inj, "road_id": ctx.roads[rd].road_id, "cause": _CAUSES[ca],
                 "commune_code": ctx.cx.items[c].code, "is_synthetic": True}
        yield FeatureRecord("traffic-accidents", f"demo-acc-{first + k:07d}", pt, props,
                            ctx.t0 + timedelta(seconds=s))


# --- event layers: security incidents -----------------------------------------------

_INCIDENTS = ("theft", "fraud", "assault", "traffic_violation", "public_order", "fire", "drugs",
              "other")
_INCIDENT_P = np.array([[.28, .20, .08, .22, .09, .03, .04, .06],   # day: scams by phone
                        [.30, .05, .15, .16, .18, .04, .07, .05]])  # night: fights, disorder
_INC_SEVERITY = ("thap", "trung_binh", "cao")
_INC_SEVERITY_P = np.array([[.55, .33, .12], [.25, .45, .30]])  # other / assault, fire, drugs
_STATUS = ("tiep_nhan", "dang_xu_ly", "da_xu_ly")
_NOTES = {
    "tiep_nhan": ("Đã tiếp nhận tin báo, phân công cán bộ xác minh.",
                  "Tiếp nhận qua đường dây nóng, chờ xác minh."),
    "dang_xu_ly": ("Công an {unit} đang xác minh, làm rõ.",
                   "Đã lấy lời khai ban đầu, đang thu thập tài liệu."),
    "da_xu_ly": ("Đã xử phạt vi phạm hành chính.", "Đã chuyển hồ sơ cơ quan điều tra.",
                 "Hòa giải thành tại cơ sở.", "Đã xác minh, không có dấu hiệu vi phạm."),
}


def _incident_status(rng: np.random.Generator, age_days: np.ndarray) -> np.ndarray:
    """Recent reports are still open; old ones are mostly closed."""
    p = np.select([age_days[:, None] < 2, age_days[:, None] < 30],
                  [np.array([[.6, .4, 0]]), np.array([[.05, .55, .4]])], np.array([[0, .07, .93]]))
    return (rng.random(len(age_days))[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(0, 2)


def _incident_chunk(rng: np.random.Generator, n: int, first: int, ctx: _EventContext
                    ) -> Iterator[FeatureRecord]:
    """``n`` incidents numbered from ``first``: commune by urban-ness, point, time, details."""
    ci = rng.choice(len(ctx.cx.items), size=n, p=ctx.incident_p)
    x, y = ctx.cx.sample(rng, ci)
    secs = _draw_times(rng, ctx.cx.sam_son[ci], ctx.incident_clocks)
    night = ((secs // 3600) % 24 >= 21) | ((secs // 3600) % 24 < 5)
    kind = _pick(rng, _INCIDENT_P, night)
    sev = _pick(rng, _INC_SEVERITY_P, np.isin(kind, (2, 5, 6)))
    status = _incident_status(rng, (ctx.window_s - secs) / 86400)
    note = rng.integers(0, 4, n)
    phone = np.where(rng.random(n) < 0.6, rng.integers(0, 10_000, n), -1)
    cols = zip(shapely.points(x, y), secs.tolist(), ci.tolist(), kind.tolist(), sev.tolist(),
               status.tolist(), note.tolist(), phone.tolist())
    for k, (pt, s, c, kd, sv, st, nt, ph) in enumerate(cols):
        commune = ctx.cx.items[c]
        notes = _NOTES[_STATUS[st]]
        props = {"incident_type": _INCIDENTS[kd], "severity": _INC_SEVERITY[sv],
                 "status": _STATUS[st],
                 "status_note": notes[nt % len(notes)].format(
                     unit=f"{commune.division_type} {short_name(commune.name)}"),
                 "commune_code": commune.code, "is_synthetic": True}
        if ph >= 0:
            props["reporter_phone"] = f"090000{ph:04d}"  # fake range, never a real subscriber
        yield FeatureRecord("security-incidents", f"demo-inc-{first + k:07d}", pt, props,
                            ctx.t0 + timedelta(seconds=s))


# --- event layers: public API ---------------------------------------------------------

class _EventContext:
    """Everything the event chunks share: communes, roads, clocks and mixture weights."""

    def __init__(self, fixtures_dir: Path, communes: Sequence[CommuneInfo], start: date,
                 months: int):
        self.cx = _communes(fixtures_dir, communes)
        self.roads = _roads(fixtures_dir)
        self.t0 = datetime(start.year, start.month, start.day, tzinfo=TZ)
        n_days = (_add_months(start, months) - start).days
        self.window_s = n_days * 86400
        self.accident_clocks = (_Clock("traffic-accidents", start, n_days, False),
                                _Clock("traffic-accidents", start, n_days, True))
        self.incident_clocks = (_Clock("security-incidents", start, n_days, False),
                                _Clock("security-incidents", start, n_days, True))
        # Summer-profile places get more events in total, not just a different shape.
        acc_ratio = self.accident_clocks[1].mass / self.accident_clocks[0].mass
        black = next(r for r in _read(fixtures_dir, "pois.csv") if r["id"] == "R01")
        self.spots = _accident_spots(self.roads, (float(black["lon"]), float(black["lat"])),
                                     acc_ratio)
        inc_ratio = self.incident_clocks[1].mass / self.incident_clocks[0].mass
        w = self.cx.urban * np.where(self.cx.sam_son, inc_ratio, 1.0)
        self.incident_p = w / w.sum()


def _check_scale(scale: int) -> None:
    """Reject negative or non-integer scales early."""
    if not isinstance(scale, int) or scale < 0:
        raise ValueError(f"scale must be a non-negative int, got {scale!r}")


def event_count(*, scale: int) -> int:
    """Exact number of records ``event_features(scale=scale)`` yields (for progress bars)."""
    _check_scale(scale)
    return (BASE_ACCIDENTS + BASE_INCIDENTS) * scale


def event_features(*, fixtures_dir: Path, communes: Sequence[CommuneInfo], scale: int = 1,
                   start: date = date(2024, 6, 1), months: int = 18) -> Iterator[FeatureRecord]:
    """Traffic accidents, then security incidents, over ``months`` from ``start``.

    At ``scale=1``: 1,200 accidents and 6,000 incidents; ``scale`` multiplies both.
    Records are produced lazily in chunks of ``CHUNK``; chunk ``k`` of a layer always
    uses ``default_rng([SEED, layer, k])``, so the output is identical on every run.
    Bad arguments raise here, not at the first ``next()``.
    """
    _check_scale(scale)
    if months < 1:
        raise ValueError("months must be >= 1")
    return _events(Path(fixtures_dir), communes, scale, start, months)


def _events(fixtures_dir: Path, communes: Sequence[CommuneInfo], scale: int, start: date,
            months: int) -> Iterator[FeatureRecord]:
    """The lazy body of ``event_features``."""
    ctx = _EventContext(fixtures_dir, communes, start, months)
    for layer, total, make in (("traffic-accidents", BASE_ACCIDENTS * scale, _accident_chunk),
                               ("security-incidents", BASE_INCIDENTS * scale, _incident_chunk)):
        for k, first in enumerate(range(0, total, CHUNK)):
            yield from make(_rng(layer, k), min(CHUNK, total - first), first, ctx)
