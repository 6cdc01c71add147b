"""What a report shows: the trend's rates, the definitions, the tables (hand-computed 2025-Q1
of `conftest.py`: rate 4/9)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from ips.calendar import Period
from outcomes.models import OutcomeRollup
from outcomes.reports.context import (
    Scope,
    definitions_used,
    report_context,
    report_period,
)
from outcomes.services import outcome_rollup

pytestmark = pytest.mark.django_db

Q2 = Period.parse("2025-Q2")


def _context(quarter: SimpleNamespace, period: Period = Q2) -> dict:
    scope = Scope(agency=quarter.program.agency, program=quarter.program)
    return report_context(scope, period, generated_at=timezone.now())


def test_trend_covers_eight_quarters_with_the_earlier_rates_counted_live(
    quarter: SimpleNamespace,
) -> None:
    points = _context(quarter)["trend"]

    assert [point.label for point in points] == [
        "2023-Q3",
        "2023-Q4",
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
    ]
    # Nobody was enrolled before 2024-05-01 (H): no rate, not 0 %.
    assert [point.rate for point in points[:3]] == [None, None, None]
    assert points[6].rate == 4 / 9


def test_trend_reads_a_stored_roll_up_where_there_is_one(quarter: SimpleNamespace) -> None:
    outcome_rollup(period=Period.parse("2025-Q1"), program_ids=[quarter.program.pk])
    # A roll-up stored before late data came in still says what it said then.
    OutcomeRollup.objects.filter(program=quarter.program, period="2025-Q1").update(rate=0.5)

    points = _context(quarter)["trend"]

    assert points[6].rate == 0.5


def test_monthly_report_trend_covers_twelve_months(quarter: SimpleNamespace) -> None:
    context = _context(quarter, Period.parse("2025-03"))

    assert [point.label for point in context["trend"]][::11] == ["2024-04", "2025-03"]
    assert context["outcome"].period.label == "2025-03"
    assert context["kind_label"] == "Monthly"


def test_last_point_of_the_trend_is_the_headline_rate(quarter: SimpleNamespace) -> None:
    context = _context(quarter, Period.parse("2025-Q1"))

    assert context["trend"][-1].rate == context["outcome"].rate == 4 / 9


def test_definitions_are_written_for_people_without_code() -> None:
    """No identifiers (`minimum_wage`, `with_first_events`), no "None" or "NULL", no quotes
    from code: the words a board member reads."""
    used = {row.term: row.text for row in definitions_used()}
    text = " ".join([*used, *used.values()])

    assert not re.search(r"\w_\w|`|\bNone\b|\bNULL\b|\(\)", text), text
    assert used["Caseload (clients served)"].startswith("Everyone enrolled on at least one day")
    assert "40 %" in used["Out-of-work rate"]
    assert "31 %" in used["Benchmarks"]
    assert "50 %" in used["Benchmarks"]


def test_every_number_of_the_headline_has_a_definition(quarter: SimpleNamespace) -> None:
    context = _context(quarter, Period.parse("2025-Q1"))
    terms = " ".join(row.term.lower() for row in context["definitions"])

    for word in ("caseload", "working", "out-of-work", "job starts", "endings", "90 days"):
        assert word in terms, word
    assert "enrollments and closures" in terms


def test_an_open_period_is_preliminary_and_as_of_today(quarter: SimpleNamespace) -> None:
    with time_machine.travel(dt.datetime(2025, 3, 20, 15, tzinfo=dt.UTC), tick=False):
        context = _context(quarter, Period.parse("2025-Q1"))

    assert context["preliminary"] is True
    assert context["as_of"] == dt.date(2025, 3, 20)
    assert context["headline"][-3].label == (
        "Competitive jobs held as of 20 Mar 2025 (the period has not ended)"
    )


def test_a_closed_period_is_compared_with_the_same_period_a_year_before(
    quarter: SimpleNamespace,
) -> None:
    """2024-Q1: nobody was enrolled yet (H enrolled 2024-05-01): no rate a year before."""
    context = _context(quarter, Period.parse("2025-Q1"))

    assert context["preliminary"] is False
    assert context["year_before"].period.label == "2024-Q1"
    rate = next(row for row in context["headline"] if row.testid == "rate")
    assert (rate.value, rate.before) == ("44.4 %", "—")


def test_the_paper_size_is_the_agencys(quarter: SimpleNamespace) -> None:
    agency = quarter.program.agency
    assert _context(quarter)["page_size"] == "letter"  # America/New_York

    agency.paper_size = "a4"
    agency.save()

    assert _context(quarter)["page_size"] == "A4"


@pytest.mark.parametrize("label", ["2025-W03", "2025-02-03", "2025-Q0", ""])
def test_only_months_and_quarters_make_reports(label: str) -> None:
    with pytest.raises(ValueError, match="2026-Q1"):
        report_period(label)


def test_report_period_accepts_months_and_quarters() -> None:
    assert report_period("2025-02").first == dt.date(2025, 2, 1)
    assert report_period("2025-Q4").last == dt.date(2025, 12, 31)
