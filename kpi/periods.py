"""Periods of a KPI: a start date plus a periodicity (day, month, quarter, year); the end is
derived. Pure Python, no Django: the model stores `period_start` and `periodicity`, and the
database checks the start is aligned (kpi.models.KpiValue).

Labels: "2025-07-14" (day), "2025-07" (month), "2025-Q3" (quarter), "2025" (year)."""
import re
from dataclasses import dataclass
from datetime import date, timedelta

DAY, MONTH, QUARTER, YEAR = "DAY", "MONTH", "QUARTER", "YEAR"
PERIODICITIES = (DAY, MONTH, QUARTER, YEAR)
MONTHS_IN = {MONTH: 1, QUARTER: 3, YEAR: 12}

_LABELS = [
    (DAY, re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]00:00(?::00)?)?$")),
    (MONTH, re.compile(r"^(\d{4})[-/](\d{1,2})$")),
    (QUARTER, re.compile(r"^(\d{4})-?[Qq]([1-4])$")),
    (YEAR, re.compile(r"^(\d{4})(?:\.0+)?$")),
]


class PeriodError(ValueError):
    """A label or date that is not a period (the message says why, in Vietnamese)."""


def is_aligned(start: date, periodicity: str) -> bool:
    """Whether `start` is the first day of a period of `periodicity`."""
    if periodicity == DAY:
        return True
    if start.day != 1:
        return False
    return {MONTH: True, QUARTER: start.month in (1, 4, 7, 10), YEAR: start.month == 1}[periodicity]


def floor(day: date, periodicity: str) -> date:
    """The start of the period of `periodicity` that contains `day`."""
    if periodicity == DAY:
        return day
    if periodicity == MONTH:
        return day.replace(day=1)
    if periodicity == QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def shift(start: date, periodicity: str, steps: int) -> date:
    """The start of the period `steps` periods after (negative: before) the one at `start`."""
    if periodicity == DAY:
        return start + timedelta(days=steps)
    months = start.year * 12 + start.month - 1 + steps * MONTHS_IN[periodicity]
    return date(months // 12, months % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """One period: its first day and its periodicity."""

    start: date
    periodicity: str

    def __post_init__(self) -> None:
        if self.periodicity not in PERIODICITIES:
            raise PeriodError(f"Chu kỳ không hợp lệ: {self.periodicity}.")
        if not is_aligned(self.start, self.periodicity):
            raise PeriodError(f"{self.start.isoformat()} không phải ngày đầu của một kỳ "
                              f"{self.periodicity.lower()}.")

    @property
    def end(self) -> date:
        """The first day after the period (the end is exclusive)."""
        return shift(self.start, self.periodicity, 1)

    @property
    def label(self) -> str:
        """"2025", "2025-Q3", "2025-07" or "2025-07-14"."""
        if self.periodicity == DAY:
            return self.start.isoformat()
        if self.periodicity == MONTH:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if self.periodicity == QUARTER:
            return f"{self.start.year:04d}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year:04d}"

    def previous(self) -> "Period":
        """The period just before."""
        return Period(shift(self.start, self.periodicity, -1), self.periodicity)

    def next(self) -> "Period":
        """The period just after."""
        return Period(self.end, self.periodicity)

    def contains(self, day: date) -> bool:
        """Whether `day` lies in the period."""
        return self.start <= day < self.end


def containing(day: date, periodicity: str) -> Period:
    """The period of `periodicity` that contains `day`."""
    return Period(floor(day, periodicity), periodicity)


def parse(label: str) -> Period:
    """A period from its label; the label's shape gives the periodicity ("2025-07" is a month).

    Also accepts what spreadsheets make of dates: "2025/07/14", "2025-07-14 00:00:00", "2025.0"."""
    text = str(label).strip()
    for periodicity, pattern in _LABELS:
        match = pattern.match(text)
        if not match:
            continue
        parts = [int(g) for g in match.groups()]
        try:
            if periodicity == DAY:
                start = date(*parts)
            elif periodicity == MONTH:
                start = date(parts[0], parts[1], 1)
            elif periodicity == QUARTER:
                start = date(parts[0], 3 * (parts[1] - 1) + 1, 1)
            else:
                start = date(parts[0], 1, 1)
        except ValueError as exc:
            raise PeriodError(f"Kỳ “{text[:40]}” không có thật (tháng, ngày ngoài lịch).") from exc
        return Period(start, periodicity)
    raise PeriodError(f"Không đọc được kỳ “{text[:40]}”: dùng 2025, 2025-Q3, 2025-07 hoặc "
                      "2025-07-14.")


def parse_as(label: str, periodicity: str) -> Period:
    """A period of `periodicity` named by `label`: a label of that periodicity, or any date or
    coarser label, floored ("2025-07-14" as a month is 2025-07; "2025" as a month is 2025-01)."""
    period = parse(label)
    return containing(period.start, periodicity)


def between(first: Period, last: Period) -> list[Period]:
    """Every period from `first` to `last`, both included (same periodicity)."""
    periods, current = [], first
    while current <= last:
        periods.append(current)
        current = current.next()
    return periods


def count_between(first: date, last: date, periodicity: str) -> int:
    """How many periods from the one at `first` to the one at `last` (inclusive)."""
    if periodicity == DAY:
        return (last - first).days + 1
    months = (last.year - first.year) * 12 + last.month - first.month
    return months // MONTHS_IN[periodicity] + 1

