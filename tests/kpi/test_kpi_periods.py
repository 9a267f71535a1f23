"""Periods: labels in and out, alignment with the periodicity, arithmetic across years."""
from datetime import date

import pytest

from kpi import periods
from kpi.periods import DAY, MONTH, QUARTER, YEAR, Period, PeriodError


@pytest.mark.parametrize("label, start, periodicity", [
    ("2025", date(2025, 1, 1), YEAR), ("2025-Q3", date(2025, 7, 1), QUARTER),
    ("2025q1", date(2025, 1, 1), QUARTER), ("2025-07", date(2025, 7, 1), MONTH),
    ("2025-7", date(2025, 7, 1), MONTH), ("2025-07-14", date(2025, 7, 14), DAY),
    ("2025/07/14", date(2025, 7, 14), DAY), ("2025-07-14 00:00:00", date(2025, 7, 14), DAY),
    ("2025.0", date(2025, 1, 1), YEAR), (" 2024-Q4 ", date(2024, 10, 1), QUARTER),
])
def test_labels_name_their_periodicity(label, start, periodicity):
    assert periods.parse(label) == Period(start, periodicity)


@pytest.mark.parametrize("label", ["", "25", "2025-13", "2025-Q5", "2025-02-30", "July 2025",
                                   "2025-07-14T10:00", "2025-W28", "20250714"])
def test_what_is_no_period_is_refused(label):
    with pytest.raises(PeriodError):
        periods.parse(label)


@pytest.mark.parametrize("period, label, end", [
    (Period(date(2025, 7, 14), DAY), "2025-07-14", date(2025, 7, 15)),
    (Period(date(2024, 12, 1), MONTH), "2024-12", date(2025, 1, 1)),
    (Period(date(2025, 10, 1), QUARTER), "2025-Q4", date(2026, 1, 1)),
    (Period(date(2025, 1, 1), YEAR), "2025", date(2026, 1, 1)),
])
def test_label_and_derived_end(period, label, end):
    assert period.label == label and period.end == end
    assert periods.parse(label) == period
    assert period.contains(period.start) and not period.contains(end)
    assert period.next().start == end and period.next().previous() == period


@pytest.mark.parametrize("start, periodicity", [
    (date(2025, 7, 2), MONTH), (date(2025, 8, 1), QUARTER), (date(2025, 2, 1), YEAR),
    (date(2025, 7, 1), "WEEK")])
def test_a_start_must_align_with_the_periodicity(start, periodicity):
    with pytest.raises(PeriodError):
        Period(start, periodicity)


def test_floor_shift_and_counts_cross_years():
    day = date(2025, 2, 14)
    assert [periods.floor(day, p) for p in (DAY, MONTH, QUARTER, YEAR)] == [
        day, date(2025, 2, 1), date(2025, 1, 1), date(2025, 1, 1)]
    assert periods.shift(date(2025, 1, 1), MONTH, -1) == date(2024, 12, 1)
    assert periods.shift(date(2025, 10, 1), QUARTER, 2) == date(2026, 4, 1)
    assert periods.shift(date(2024, 2, 28), DAY, 2) == date(2024, 3, 1)
    assert periods.count_between(date(2024, 11, 1), date(2025, 2, 1), MONTH) == 4
    span = periods.between(Period(date(2024, 10, 1), QUARTER), Period(date(2025, 4, 1), QUARTER))
    assert [p.label for p in span] == ["2024-Q4", "2025-Q1", "2025-Q2"]


def test_parse_as_floors_a_date_or_a_finer_label_into_the_periodicity():
    assert periods.parse_as("2025-07-14", MONTH) == Period(date(2025, 7, 1), MONTH)
    assert periods.parse_as("2025-08", QUARTER) == Period(date(2025, 7, 1), QUARTER)
    assert periods.parse_as("2025", MONTH) == Period(date(2025, 1, 1), MONTH)
