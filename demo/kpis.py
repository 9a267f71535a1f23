"""Demo KPI values and targets (the catalogue itself is reference data: kpi/migrations/0003).

Plausible synthetic series from January 2024 (the year of the cited figures) — at least 24
periods — to the last complete period, for the province, each current commune (commune-grain
KPIs) and the 26 pre-reform districts (district-grain KPIs), anchored on the data kit's cited
facts (fixtures/thanh-hoa/stats.csv, sources in SOURCES.md): 2024 tourist arrivals and revenue
of the province by month (S55, S61, S62) and Sầm Sơn's year (S16), the tourism plans for 2024
and 2025 (S16, S62), GRDP and its growth (S56, S57, S68), budget revenue (S56) and industrial
production growth (S58). The 2024 school enrolment is recorded against the 547 pre-reform
communes and the 2025 one against the 166 new ones, so both generations show through the
crosswalk. Ratios with parts (dossiers on time %, online %, negative press %, attacks blocked %)
are not stored: they come from their parts. Computed KPIs are refreshed from the demo's own
incidents and event layers (kpi_refresh).

Deterministic: noise is drawn per KPI from a fixed seed, indexed from 2020, so a period keeps
its value as the window moves; a second run writes nothing. Provenance: one run of kind DEMO."""
import csv
import zlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db import transaction
from django.utils import timezone

from kpi import periods
from kpi.models import Kpi, KpiTarget, ProvenanceKind
from kpi.refresh import kpis_refresh, kpis_refresh_scheduled
from kpi.services import ValueRow, run_finish, run_start, values_upsert
from kpi.units import CURRENT, PRE_REFORM, reform
from layers.models import AdminUnit, DivisionType

from .sources import FIXTURES_DIR
from .synthetic.common import TET

SEED = 38
ANCHOR, EPOCH = date(2024, 1, 1), date(2020, 1, 1)
SPAN = {periods.DAY: 730, periods.MONTH: 24, periods.QUARTER: 8, periods.YEAR: 2}
GROWTH = {2024: 1.0, 2025: 1.07, 2026: 1.13, 2027: 1.19}
DEMO = "Demo"  # the note of demo targets, which a reload replaces (others are left alone)
# 2024 shape of January–April arrivals (the sources give the four months' total) and
# August–December (millions, synthetic); Sầm Sơn's beach season as shares of its year.
JAN_APR, AUG_DEC = [1.05, 1.45, 0.95, 1.505], [1.70, 0.75, 0.45, 0.40, 0.45]
SAM_SON = "382"
SAM_SON_SHARE = [.02, .03, .02, .07, .13, .25, .26, .13, .04, .02, .015, .015]
SAM_SON_REVENUE_2024 = 17_100.0  # billion VND (S16, in the note of its 8.86 M visits)
SAM_SON_OCCUPANCY = [25, 35, 25, 45, 70, 92, 95, 75, 40, 28, 22, 24]
TOURISM_WEIGHT = {"380": 12, "399": 6, "407": 5, "386": 3, "395": 3, "393": 2, "402": 2,
                  "381": 2}
MOUNTAIN = {"384", "385", "386", "387", "388", "389", "396", "402"}
BEDS_BASE = {"380": 118, "381": 104, "382": 96, "407": 101}
DENGUE = [1, 1, 1, 1, 1.2, 1.5, 2, 3, 3.5, 3, 2, 1.3]
BUDGET_SHARE = [9, 6, 7, 8, 8, 8.5, 8, 8, 8, 8.5, 9, 12]
GRDP_GROWTH = {(2024, 1): 10.9, (2024, 3): 11.8, (2025, 1): 9.2, (2025, 2): 9.8,
               (2025, 3): 10.3, (2025, 4): 10.9, (2026, 1): 9.0, (2026, 2): 9.5,
               (2026, 3): 9.9, (2026, 4): 10.4}
TET_MONTHS = {(d.year, d.month) for d in TET}


def _facts() -> dict[tuple[str, str, str], float]:
    with open(FIXTURES_DIR / "stats.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = {}
    for row in rows:
        try:
            found[(row["unit_code"], row["indicator"], row["period"])] = float(row["value"])
        except ValueError:
            continue  # "19°18′N–20°40′N" and the like
    return found


@dataclass
class Ctx:
    """What the generators share: the catalogue, the units, the facts and the rows so far."""

    kpis: dict[str, Kpi]
    today: date
    facts: dict
    province: int
    districts: list  # (id, code) of the districts on 2025-06-30
    communes: list   # (id, code, is_ward) of the current communes
    old_communes: list  # (id, code, is_ward) of the communes on 2025-06-30
    rows: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)  # (code, unit id, period start) → note
    targets: list = field(default_factory=list)

    def window(self, periodicity: str) -> list[periods.Period]:
        last = periods.containing(self.today, periodicity).previous()
        first = min(periods.floor(ANCHOR, periodicity),
                    periods.shift(last.start, periodicity, 1 - SPAN[periodicity]))
        return periods.between(periods.Period(first, periodicity), last)

    def noise(self, name: str, units: int, window: list, sigma: float) -> np.ndarray:
        """N(0, sigma) per unit and period; a period's draw does not depend on the window."""
        offset = periods.count_between(periods.floor(EPOCH, window[0].periodicity),
                                       window[0].start, window[0].periodicity) - 1
        rng = np.random.default_rng([SEED, zlib.crc32(name.encode())])
        return rng.normal(0, sigma, size=(units, offset + len(window)))[:, offset:]

    def unit_noise(self, name: str, units: int, sigma: float) -> np.ndarray:
        """N(0, sigma) per unit, a column: a unit's lasting offset."""
        rng = np.random.default_rng([SEED, zlib.crc32(name.encode())])
        return rng.normal(0, sigma, size=(units, 1))

    def add(self, code: str, unit_id: int, period: periods.Period, value: float) -> None:
        kpi = self.kpis[code]
        self.rows.append(ValueRow(kpi.id, unit_id, kpi.periodicity, period.start,
                                  round(float(value), kpi.decimals),
                                  self.notes.get((code, unit_id, period.start), "")))

    def add_units(self, code: str, units: list, window: list, matrix: np.ndarray,
                  province: np.ndarray | None = None) -> None:
        """Rows per unit × period; the province: `province`, or the units' sum."""
        matrix = np.round(matrix, self.kpis[code].decimals)
        for i, unit in enumerate(units):
            for j, period in enumerate(window):
                self.add(code, unit[0], period, matrix[i, j])
        totals = matrix.sum(axis=0) if province is None else province
        for j, period in enumerate(window):
            self.add(code, self.province, period, totals[j])

    def add_province(self, code: str, window: list, values) -> None:
        for period, value in zip(window, values):
            self.add(code, self.province, period, value)

    def target(self, code: str, start: date, value: float, unit_id: int | None = None,
               source: str = "") -> None:
        note = f"{DEMO}: chỉ tiêu minh họa" if not source else f"{DEMO}: kế hoạch ({source})"
        self.targets.append((self.kpis[code].id, unit_id, start, round(value, 6), note))


def _month(period: periods.Period) -> int:
    return period.start.month - 1


def _split(total: float, weights: np.ndarray, digits: int) -> np.ndarray:
    """`total` over units by weights, rounded, the rounding's remainder on the largest."""
    parts = np.round(total * weights / weights.sum(), digits)
    parts[int(np.argmax(weights))] += round(total - parts.sum(), digits)
    return parts


# ---- tourism ---------------------------------------------------------------------------------

def _province_tourism_2024(f: dict) -> tuple[list[float], list[float]]:
    """Monthly arrivals (visits) and revenue (billion VND) of 2024 on the cited totals."""
    jan_may, may = f[("38", "tourist_arrivals", "2024-01..2024-05")], f[
        ("38", "tourist_arrivals", "2024-05")]
    h1 = f[("38", "tourist_arrivals", "2024-H1")]
    jan_jul = f[("38", "tourist_arrivals", "2024-01..2024-07")]
    arrivals = [(jan_may - may) * s / sum(JAN_APR) for s in JAN_APR]
    arrivals += [may, h1 - jan_may, jan_jul - h1] + [m * 1e6 for m in AUG_DEC]
    rev_h1 = f[("38", "tourism_revenue", "2024-H1")]
    rev_jul = f[("38", "tourism_revenue", "2024-01..2024-07")]
    revenue = [rev_h1 * a / sum(arrivals[:6]) for a in arrivals[:6]] + [rev_jul - rev_h1]
    return arrivals, revenue + [a * 2.2e6 / 1e9 for a in arrivals[7:]]  # 2.2 M VND a visit


def tourism(ctx: Ctx) -> None:
    """Arrivals, revenue, room occupancy by pre-reform district; Sầm Sơn's beach season."""
    window, f = ctx.window(periods.MONTH), ctx.facts
    codes = [code for _, code in ctx.districts]
    ss, n = codes.index(SAM_SON), len(codes)
    weights = np.array([TOURISM_WEIGHT.get(c, 1.0) for c in codes])
    weights[ss] = 0.0
    arrivals_2024, revenue_2024 = _province_tourism_2024(f)
    ss_year = f[(SAM_SON, "tourist_arrivals", "2024")]
    noise = {k: ctx.noise(f"tourism-{k}", n, window, 0.05) for k in "aro"}
    arrivals, revenue, occupancy = (np.zeros((n, len(window))) for _ in range(3))
    for j, period in enumerate(window):
        m, growth = _month(period), GROWTH.get(period.start.year, 1.0)
        ss_a, ss_r = ss_year * SAM_SON_SHARE[m], SAM_SON_REVENUE_2024 * SAM_SON_SHARE[m]
        rest_a, rest_r = arrivals_2024[m] - ss_a, revenue_2024[m] - ss_r
        if period.start.year == 2024:  # the cited year: the province's months hold exactly
            arrivals[:, j] = _split(rest_a, weights * (1 + noise["a"][:, j]), -1)
            revenue[:, j] = _split(rest_r, weights * (1 + noise["r"][:, j]), 1)
        else:
            arrivals[:, j] = rest_a * growth * weights / weights.sum() * (1 + noise["a"][:, j])
            revenue[:, j] = rest_r * growth * weights / weights.sum() * (1 + noise["r"][:, j])
            ss_a, ss_r = (ss_a * growth * (1 + noise["a"][ss, j]),
                          ss_r * growth * (1 + noise["r"][ss, j]))
        arrivals[ss, j], revenue[ss, j] = ss_a, ss_r
        occupancy[:, j] = 38 + 14 * arrivals_2024[m] / max(arrivals_2024) + 60 * noise["o"][:, j]
        occupancy[ss, j] = SAM_SON_OCCUPANCY[m] * (1 + noise["o"][ss, j] / 2)
    arrivals, occupancy = np.round(arrivals, -1), np.clip(occupancy, 5, 100)
    _tourism_notes(ctx, window, f)
    ctx.add_units("tourist-arrivals", ctx.districts, window, arrivals)
    ctx.add_units("tourism-revenue", ctx.districts, window, revenue)
    weighted = (occupancy * arrivals / arrivals.sum(axis=0)).sum(axis=0)  # by arrivals
    ctx.add_units("room-occupancy", ctx.districts, window, occupancy, province=weighted)
    _tourism_targets(ctx, window, f, arrivals_2024, revenue_2024, ss)


def _tourism_notes(ctx: Ctx, window: list, f: dict) -> None:
    p = ctx.province
    cited = {(5, "tourist-arrivals"): "1.815.000 lượt trong tháng 5/2024 (S62)",
             (6, "tourist-arrivals"): "lũy kế 6 tháng 2024: 9,8 triệu lượt (S55)",
             (7, "tourist-arrivals"): "lũy kế 7 tháng 2024: 12,9 triệu lượt (S61)",
             (6, "tourism-revenue"): "lũy kế 6 tháng 2024: 19.848,5 tỷ đồng (S55)",
             (7, "tourism-revenue"): "lũy kế 7 tháng 2024: 27.868 tỷ đồng (S61)"}
    for (month, code), note in cited.items():
        ctx.notes[(code, p, date(2024, month, 1))] = note
    ctx.notes[("tourist-arrivals", p, date(2024, 4, 1))] = (
        "tháng 1–5/2024: 6,77 triệu lượt (S62); phân theo tháng: mô phỏng")
    sam_son = next(i for i, c in ctx.districts if c == SAM_SON)
    ctx.notes[("tourist-arrivals", sam_son, date(2024, 12, 1))] = (
        "cả năm 2024: 8,86 triệu lượt, 17.100 tỷ đồng (S16); phân theo tháng: mô phỏng")


def _tourism_targets(ctx: Ctx, window, f, arrivals_2024, revenue_2024, ss) -> None:
    shares = np.array(arrivals_2024) / sum(arrivals_2024)
    rev_shares = np.array(revenue_2024) / sum(revenue_2024)
    plans = {2024: (f[("38", "tourist_arrivals_target", "2024 plan")], None, "S62"),
             2025: (f[("38", "tourist_arrivals_target", "2025 plan")],
                    f[("38", "tourism_revenue_target", "2025 plan")], "S16")}
    ss_plan = f[(SAM_SON, "tourist_arrivals_target", "2025 plan")]
    sam_son = ctx.districts[ss][0]
    for period in window:
        year, m = period.start.year, _month(period)
        arrivals, revenue, source = plans.get(year, (plans[2025][0] * 1.08 ** (year - 2025),
                                                     plans[2025][1] * 1.08 ** (year - 2025), ""))
        ctx.target("tourist-arrivals", period.start, arrivals * shares[m], ctx.province, source)
        if revenue:
            ctx.target("tourism-revenue", period.start, revenue * rev_shares[m], ctx.province,
                       source)
        if year >= 2025:
            ctx.target("tourist-arrivals", period.start, ss_plan * 1.08 ** (year - 2025)
                       * SAM_SON_SHARE[m], sam_son, "S16" if year == 2025 else "")
    ctx.target("room-occupancy", ANCHOR, 60.0)


# ---- government, health, education (units) ---------------------------------------------------

def _commune_factor(ctx: Ctx, name: str, units: list, ward: float) -> np.ndarray:
    rng = np.random.default_rng([SEED, zlib.crc32(name.encode())])
    size = np.exp(rng.normal(0, 0.35, size=len(units)))
    return size * np.array([ward if is_ward else 1.0 for _, _, is_ward in units])


def government(ctx: Ctx) -> None:
    """Administrative dossiers by current commune (back-cast before the reform): received,
    online, resolved, on time — a dip of on-time handling in the reform's first months."""
    window, units = ctx.window(periods.MONTH), ctx.communes
    n = len(units)
    base = 520 * _commune_factor(ctx, "dossiers", units, 2.7)
    month = np.array([(0.7 if (p.start.year, p.start.month) in TET_MONTHS else 1.0)
                      * (1.15 if p.start.month == 12 else 1.0)
                      * (1.25 if p.start == date(2025, 7, 1) else 1.0)
                      * (1.03 ** (p.start.year - 2024)) for p in window])
    received = np.round(base[:, None] * month[None, :] * (1 + ctx.noise("dr", n, window, 0.06)))
    progress = np.array([periods.count_between(ANCHOR, p.start, periods.MONTH) for p in window])
    online_share = 0.42 + 0.36 * np.clip(progress / 34, 0, 1)
    online_share = np.clip(online_share[None, :] + ctx.noise("do", n, window, 0.02)
                           + ctx.unit_noise("do-unit", n, 0.06), 0.1, 0.97)
    resolved = np.round(received * np.clip(0.97 + ctx.noise("ds", n, window, 0.02), 0.8, 1))
    dip = np.array([{date(2025, 7, 1): .05, date(2025, 8, 1): .035, date(2025, 9, 1): .015}
                    .get(p.start, 0.0) for p in window])
    on_time = np.clip(0.985 - dip[None, :] + ctx.noise("dt", n, window, 0.006)
                      + ctx.unit_noise("dt-unit", n, 0.008), 0.8, 1.0)
    ctx.add_units("dossiers-received", units, window, received)
    ctx.add_units("dossiers-online", units, window, np.round(received * online_share))
    ctx.add_units("dossiers-resolved", units, window, resolved)
    ctx.add_units("dossiers-on-time", units, window, np.round(resolved * on_time))
    ctx.target("dossiers-on-time-pct", ANCHOR, 98.0)
    for start, share in ((ANCHOR, 60.0), (date(2025, 7, 1), 70.0), (date(2026, 1, 1), 80.0)):
        ctx.target("dossiers-online-pct", start, share)


def health(ctx: Ctx) -> None:
    """Notifiable disease cases by current commune (dengue season, a measles wave early 2025)
    and hospital bed occupancy by pre-reform district (regional hospitals)."""
    window, units = ctx.window(periods.MONTH), ctx.communes
    rate = 2.5 * _commune_factor(ctx, "disease", units, 2.0)
    season = np.array([DENGUE[_month(p)] * (1.6 if date(2025, 1, 1) <= p.start < date(2025, 5, 1)
                                            else 1.0) for p in window])
    rng = np.random.default_rng([SEED, zlib.crc32(b"cases")])
    offset = periods.count_between(EPOCH, window[0].start, periods.MONTH) - 1
    draws = rng.poisson(np.outer(rate, np.ones(offset + len(window))))[:, offset:]
    cases = np.round(draws * season[None, :])
    ctx.add_units("notifiable-disease-cases", units, window, cases)
    ctx.target("notifiable-disease-cases", ANCHOR, 1_000.0, ctx.province)
    districts = ctx.districts
    base = np.array([BEDS_BASE.get(c, 76 if c in MOUNTAIN else 92) for _, c in districts])
    flu = np.array([[1.06, 1.04, 1.0, .97, .96, .97, .99, 1.0, 1.04, 1.05, 1.01, 1.0][_month(p)]
                    for p in window])
    beds = base[:, None] * flu[None, :] + ctx.noise("beds", len(districts), window, 3.0)
    ctx.add_units("bed-occupancy", districts, window, beds,
                  province=np.round(beds.mean(axis=0), 1))
    ctx.target("bed-occupancy", ANCHOR, 95.0)


def education(ctx: Ctx) -> None:
    """Pupils: 2024 against the pre-reform communes, 2025 against the new ones; grade-1
    enrolment and graduation rates by pre-reform district."""
    window = ctx.window(periods.YEAR)
    totals = {2024: 712_400, 2025: 718_900, 2026: 723_500, 2027: 727_000}
    for period in window:
        year = period.start.year
        units = ctx.old_communes if year < 2025 else ctx.communes
        weights = _commune_factor(ctx, f"pupils-{len(units)}", units, 2.2)
        pupils = _split(totals.get(year, 725_000), weights, 0)
        for unit, value in zip(units, pupils):
            ctx.add("school-enrolment", unit[0], period, value)
        ctx.add("school-enrolment", ctx.province, period, pupils.sum())
        ctx.target("school-enrolment", period.start, totals.get(year, 725_000) - 3_000,
                   ctx.province)
    districts, n = ctx.districts, len(ctx.districts)
    mountain = np.array([c in MOUNTAIN for _, c in districts])
    grade1 = np.clip(99.6 - 0.5 * mountain[:, None] + ctx.noise("g1", n, window, 0.25), 97, 100)
    graduation = np.clip(98.7 - 1.6 * mountain[:, None] + ctx.noise("grad", n, window, 0.6)
                         + np.array([0.2 * (p.start.year - 2024) for p in window])[None, :],
                         90, 100)
    ctx.add_units("grade1-enrolment-rate", districts, window, grade1,
                  province=np.round(grade1.mean(axis=0), 1))
    ctx.add_units("graduation-rate", districts, window, graduation,
                  province=np.round(graduation.mean(axis=0), 2))
    ctx.target("grade1-enrolment-rate", ANCHOR, 99.5)
    ctx.target("graduation-rate", ANCHOR, 98.0)


# ---- province-only series ---------------------------------------------------------------------

def socio_economic(ctx: Ctx) -> None:
    """GRDP growth (quarterly, year to date), GRDP, budget revenue, investment, IIP growth."""
    f, p = ctx.facts, ctx.province
    quarters = ctx.window(periods.QUARTER)
    cited = {(2024, 2): (f[("38", "grdp_growth", "2024-H1 (estimate)")], "S68"),
             (2024, 4): (f[("38", "grdp_growth", "2024 (estimate)")], "S56")}
    growth = []
    for q in quarters:
        key = (q.start.year, (q.start.month - 1) // 3 + 1)
        value, source = cited.get(key, (GRDP_GROWTH.get(key, 10.0), ""))
        if source:
            ctx.notes[("grdp-growth", p, q.start)] = f"ước tính {value}% ({source})"
        growth.append(value)
    ctx.add_province("grdp-growth", quarters, growth)
    ctx.target("grdp-growth", ANCHOR, 10.0, p)
    years = ctx.window(periods.YEAR)
    grdp_2024 = f[("38", "grdp_current_prices", "2024 (estimate)")]
    ctx.notes[("grdp", p, date(2024, 1, 1))] = "ước tính 318.752 tỷ đồng (S57)"
    ctx.add_province("grdp", years, [grdp_2024 * 1.145 ** (y.start.year - 2024) for y in years])
    months = ctx.window(periods.MONTH)
    budget_2024 = f[("38", "state_budget_revenue", "2024 (estimate)")]
    ctx.notes[("budget-revenue", p, date(2024, 12, 1))] = "cả năm 2024: 54.341 tỷ đồng (S56)"
    noise = ctx.noise("budget", 1, months, 0.05)[0]
    ctx.add_province("budget-revenue", months, [
        budget_2024 * BUDGET_SHARE[_month(m)] / 100 * (1.0 if m.start.year == 2024 else
                                                      GROWTH.get(m.start.year, 1.1)
                                                      * (1 + noise[j]))
        for j, m in enumerate(months)])
    for year in range(2024, ctx.today.year + 1):
        for m in range(12):
            ctx.target("budget-revenue", date(year, m + 1, 1),
                       50_000 * 1.05 ** (year - 2024) * BUDGET_SHARE[m] / 100, p)
    investment = ctx.noise("investment", 1, quarters, 0.04)[0]
    ctx.add_province("investment-realised", quarters, [
        125_000 * [.22, .24, .25, .29][(q.start.month - 1) // 3]
        * GROWTH.get(q.start.year, 1.1) * (1 + investment[j]) for j, q in enumerate(quarters)])
    iip = ctx.noise("iip", 1, months, 3.0)[0]
    iip_2024 = f[("38", "industrial_production_index_growth", "2024 (estimate)")]
    ctx.add_province("iip-growth", months, [
        {2024: iip_2024, 2025: 12.0}.get(m.start.year, 10.0) + iip[j]
        - (9.0 if m.start == date(2025, 3, 1) else 0.0)  # a refinery turnaround (synthetic)
        for j, m in enumerate(months)])
    ctx.target("iip-growth", ANCHOR, 12.0, p)


def press_and_cyber(ctx: Ctx) -> None:
    """Daily press mentions and negative items; monthly cyber events and blocked attacks."""
    days = ctx.window(periods.DAY)
    weekday = np.array([0.75 if d.start.weekday() >= 5 else 1.0 for d in days])
    mentions = np.round(1_800 * weekday * (1 + ctx.noise("press", 1, days, 0.12)[0]))
    index = np.array([periods.count_between(EPOCH, d.start, periods.DAY) for d in days])
    crisis = (index % 97 < 3).astype(float)  # a three-day storm of bad news now and then
    share = np.clip(0.075 + 0.12 * crisis + ctx.noise("negative", 1, days, 0.02)[0], 0.01, 0.6)
    ctx.add_province("press-mentions", days, mentions)
    ctx.add_province("press-negative", days, np.round(mentions * share))
    ctx.target("press-negative-share", ANCHOR, 10.0)
    months = ctx.window(periods.MONTH)
    events = np.round(45_000 * (1 + ctx.noise("cyber", 1, months, 0.15)[0]))
    blocked = np.clip(0.996 + ctx.noise("blocked", 1, months, 0.003)[0], 0.97, 1.0)
    blocked[[j for j, m in enumerate(months) if m.start == date(2025, 10, 1)]] = 0.982
    ctx.add_province("cyber-events", months, events)
    ctx.add_province("cyber-attacks-blocked", months, np.round(events * blocked))
    ctx.target("cyber-blocked-pct", ANCHOR, 99.0)


COMPUTED_TARGETS = {  # province, per month (synthetic, around the demo events' level)
    "security-incidents": 320, "security-theft": 90, "security-fraud": 55,
    "security-assault": 30, "security-drugs": 15, "traffic-accidents": 65,
    "traffic-deaths": 25, "traffic-injuries": 55}
GENERAL_TARGETS = {"traffic-accidents-per-100k": 1.8, "incidents-on-time-pct": 90.0,
                   "citizen-satisfaction": 4.0}
GENERATORS = (tourism, government, health, education, socio_economic, press_and_cyber)


# ---- writing ---------------------------------------------------------------------------------

def _context(today: date) -> Ctx:
    units = reform(today)
    wards = set(AdminUnit.objects.filter(division_type=DivisionType.PHUONG)
                .values_list("id", flat=True))

    def leaves(generation: str) -> list:
        return [(i, units.units[i].code, i in wards) for i in units.leaves[generation]]

    districts = sorted(((i, units.units[i].code) for i in units.children),
                       key=lambda pair: pair[1])
    return Ctx(kpis={k.code: k for k in Kpi.objects.all()}, today=today, facts=_facts(),
               province=units.province_id, districts=districts, communes=leaves(CURRENT),
               old_communes=leaves(PRE_REFORM))


def _write_targets(ctx: Ctx) -> int:
    for code, value in COMPUTED_TARGETS.items():
        ctx.target(code, ANCHOR, value, ctx.province)
    for code, value in GENERAL_TARGETS.items():
        ctx.target(code, ANCHOR, value)
    planned = set(ctx.targets)
    existing = {(t.kpi_id, t.unit_id, t.effective_from, t.value, t.note): t.pk
                for t in KpiTarget.objects.filter(note__startswith=DEMO)}
    stale = [pk for key, pk in existing.items() if key not in planned]
    KpiTarget.objects.filter(pk__in=stale).delete()
    KpiTarget.objects.bulk_create([KpiTarget(kpi_id=k, unit_id=u, effective_from=s, value=v,
                                             note=n) for k, u, s, v, n in planned - set(existing)])
    return len(stale) + len(planned - set(existing))


@dataclass
class SeedReport:
    values: int
    written: int
    deleted: int
    targets_changed: int
    computed_written: int


def demo_kpis_seed(*, today: date | None = None, progress: bool = False,
                   full: bool = True) -> SeedReport:
    """Write the demo KPI values and targets, then refresh the computed KPIs: every period
    (`full`, after the demo data changed) or the recent ones (the scheduled refresh's)."""
    ctx = _context(today or timezone.localdate())
    for generate in GENERATORS:
        generate(ctx)
    with transaction.atomic():
        run = run_start(kind=ProvenanceKind.DEMO, file_name="demo/kpis.py")
        counts = values_upsert(rows=ctx.rows, run=run, source=ProvenanceKind.DEMO,
                               replace=[(kpi.id, None) for kpi in ctx.kpis.values()])
        targets = _write_targets(ctx)
        if counts.written or counts.deleted:
            run_finish(run, counts, read=len(ctx.rows))
        else:
            run.delete()  # nothing changed: no empty provenance run
    computed = kpis_refresh(progress=progress) if full else kpis_refresh_scheduled()
    return SeedReport(len(ctx.rows), counts.written, counts.deleted, targets,
                      sum(r.rows_inserted + r.rows_updated for r in computed))
