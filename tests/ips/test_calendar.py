"""ips.calendar: the one parser of period and week labels, and the 30-day cutoff."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ips.calendar import Period, date_out_of_range, last_year, parse_week, signal_cutoff

THURSDAY = dt.date(2026, 3, 19)
MONDAY = dt.date(2026, 3, 16)


def test_parse_week_reads_iso_weeks_across_the_year_boundary() -> None:
    assert parse_week("2026-W12", default=THURSDAY).first == MONDAY
    assert parse_week("2026-W01", default=THURSDAY).first == dt.date(2025, 12, 29)
    assert parse_week("2020-W53", default=THURSDAY).last == dt.date(2021, 1, 3)


@pytest.mark.parametrize("label", [None, "", "  "])
def test_parse_week_without_a_label_is_the_week_of_the_default_day(label: str | None) -> None:
    week = parse_week(label, default=THURSDAY)

    assert (week.first, week.label) == (MONDAY, "2026-W12")


@pytest.mark.parametrize(
    "label",
    ["junk", "2026-W99", "2026-W54", "2026-W1", "2026-03", "2026-Q1"],
)
def test_parse_week_refuses_anything_else_with_one_message(label: str) -> None:
    with pytest.raises(ValueError, match="ISO week, such as 2026-W12"):
        parse_week(label, default=THURSDAY)


@pytest.mark.parametrize(
    ("label", "first", "last"),
    [
        ("2026-03", dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2026-W12", MONDAY, dt.date(2026, 3, 22)),
    ],
)
def test_period_parse_gives_the_closed_range(label: str, first: dt.date, last: dt.date) -> None:
    period = Period.parse(label)

    assert (period.first, period.last, period.label) == (first, last, label)


@pytest.mark.parametrize("label", ["2026-13", "2026-00", "2026-Q5", "2026-W60", "", None])
def test_period_parse_refuses_bad_and_far_away_labels(label: str | None) -> None:
    with pytest.raises(ValueError, match=r"month \(2026-03\), a quarter"):
        Period.parse(label)


@pytest.mark.parametrize(
    "label", ["0001-01", "9999-Q4", "1999-12", "2101-01", "9999-W52", "0001-W01", "1999-W52"]
)
def test_periods_outside_the_dated_range_are_refused(label: str) -> None:
    with pytest.raises(ValueError, match=f"year from 2000 to {last_year()}"):
        Period.parse(label)


@pytest.mark.parametrize("label", ["9999-W52", "0001-W01", "1999-W10"])
def test_weeks_outside_the_dated_range_are_refused(label: str) -> None:
    with pytest.raises(ValueError, match=f"year from 2000 to {last_year()}"):
        parse_week(label, default=THURSDAY)


def test_periods_run_from_2000_to_the_end_of_next_year() -> None:
    with time_machine.travel(dt.datetime(2026, 3, 19, 12, 0, tzinfo=dt.UTC), tick=False):
        assert Period.parse("2000-01").first == dt.date(2000, 1, 1)
        assert Period.parse("2027-Q4").last == dt.date(2027, 12, 31)
        assert parse_week("2027-W52", default=THURSDAY).label == "2027-W52"
        for label in ("2028-01", "2028-Q1", "2028-W01"):
            with pytest.raises(ValueError, match="year from 2000 to 2027"):
                Period.parse(label)


@pytest.mark.parametrize(
    ("day", "refused"),
    [
        (dt.date(1999, 12, 31), True),
        (dt.date(2000, 1, 1), False),
        (dt.date(2027, 12, 31), False),
        (dt.date(2028, 1, 1), True),
        (dt.date(1, 1, 1), True),
        (dt.date(9999, 12, 31), True),
    ],
)
def test_a_record_date_is_from_2000_to_the_end_of_next_year(day: dt.date, refused: bool) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 19, 12, 0, tzinfo=dt.UTC), tick=False):
        message = date_out_of_range(day)

    assert (message == "Give a date from 2000-01-01 to 2027-12-31.") is refused
    assert (message is None) is not refused


def test_period_parse_can_be_limited_to_some_kinds() -> None:
    with pytest.raises(ValueError, match="month"):
        Period.parse("2026-W12", kinds=("month", "quarter"))


def test_signal_cutoff_is_thirty_days_before() -> None:
    assert signal_cutoff(dt.date(2026, 3, 31)) == dt.date(2026, 3, 1)
