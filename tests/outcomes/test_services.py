"""Storing roll-ups: idempotent, all-or-nothing, and picking up late data on a re-run."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import IntegrityError

from ips.calendar import Period
from ips.models import Program
from outcomes import services
from outcomes.models import ROLLUP_NUMBERS, OutcomeRollup
from outcomes.selectors import program_outcomes
from tests.clients.factories import JobFactory

pytestmark = pytest.mark.django_db

Q1 = Period.parse("2025-Q1")


def _stored(period: Period) -> dict[int, tuple]:
    rows = OutcomeRollup.objects.filter(period=period.label)
    return {row.program_id: tuple(getattr(row, name) for name in ROLLUP_NUMBERS) for row in rows}


def test_rollup_stores_every_program_with_the_live_numbers(
    quarter: SimpleNamespace, other_program: Program, outsider_program: Program
) -> None:
    stored = services.outcome_rollup(period=Q1)

    assert stored == Program.objects.count() == 3
    row = OutcomeRollup.objects.get(program=quarter.program, period="2025-Q1")
    assert (row.kind, row.first_day, row.last_day) == ("quarter", Q1.first, Q1.last)
    assert (row.caseload, row.working, row.job_starts, row.in_education) == (9, 4, 3, 1)
    assert row.rate == 4 / 9
    assert row.job_endings_by_reason == {"quit": 1}
    assert (row.out_of_work_caseload, row.out_of_work_working, row.closures) == (7, 3, 2)
    live = program_outcomes([quarter.program.pk], Q1)[quarter.program.pk]
    assert row.to_outcome() == replace(live, computed_at=row.computed_at)
    empty = OutcomeRollup.objects.get(program=other_program, period="2025-Q1")
    assert (empty.caseload, empty.rate) == (0, None)


def test_running_twice_leaves_identical_rows(
    quarter: SimpleNamespace, other_program: Program
) -> None:
    services.outcome_rollup(period=Q1)
    first = _stored(Q1)
    first_ids = set(OutcomeRollup.objects.values_list("pk", flat=True))

    services.outcome_rollup(period=Q1)

    assert _stored(Q1) == first
    assert set(OutcomeRollup.objects.values_list("pk", flat=True)) == first_ids
    assert OutcomeRollup.objects.count() == 2


def test_late_data_is_picked_up_by_re_running_the_closed_period(quarter: SimpleNamespace) -> None:
    """D enrolled on 03-31; a job D started that day is entered later. Re-running 2025-Q1
    counts D as working: 5 of 9."""
    services.outcome_rollup(period=Q1, program_ids=[quarter.program.pk])
    JobFactory(
        client=quarter.d,
        employer=quarter.employer,
        started_on=dt.date(2025, 3, 31),
        hourly_wage=Decimal("16.00"),
    )
    stale = OutcomeRollup.objects.get(program=quarter.program, period="2025-Q1")
    assert (stale.working, stale.job_starts) == (4, 3)

    services.outcome_rollup(period=Q1, program_ids=[quarter.program.pk])

    fresh = OutcomeRollup.objects.get(program=quarter.program, period="2025-Q1")
    assert (fresh.working, fresh.job_starts, fresh.first_job_starts) == (5, 4, 2)
    assert fresh.rate == 5 / 9
    assert fresh.pk == stale.pk


def test_a_run_failing_halfway_stores_nothing(
    quarter: SimpleNamespace, other_program: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that dies after computing (here: one program's row is refused by the database)
    leaves the rows of the previous run as they were, for every program."""
    services.outcome_rollup(period=Q1)
    before = _stored(Q1)
    JobFactory(client=quarter.d, employer=quarter.employer, started_on=dt.date(2025, 3, 31))
    real = services.program_outcomes

    def broken_second_program(ids: list[int], period: Period) -> dict:
        outcomes = real(ids, period)
        bad = outcomes[other_program.pk]
        outcomes[other_program.pk] = replace(bad, caseload=-1)
        return outcomes

    monkeypatch.setattr(services, "program_outcomes", broken_second_program)
    with pytest.raises(IntegrityError):
        services.outcome_rollup(period=Q1)

    assert _stored(Q1) == before


def test_rollup_refuses_a_week(quarter: SimpleNamespace) -> None:
    with pytest.raises(ValueError, match="month"):
        services.outcome_rollup(period=Period.parse("2025-W02"))

    assert OutcomeRollup.objects.count() == 0


@pytest.mark.parametrize(
    ("today", "closed", "open_"),
    [
        (dt.date(2025, 4, 1), ["2025-03", "2025-Q1"], ["2025-04", "2025-Q2"]),
        (dt.date(2025, 3, 31), ["2025-02", "2024-Q4"], ["2025-03", "2025-Q1"]),
        (dt.date(2025, 1, 1), ["2024-12", "2024-Q4"], ["2025-01", "2025-Q1"]),
    ],
)
def test_closed_and_open_periods(today: dt.date, closed: list[str], open_: list[str]) -> None:
    assert [p.label for p in services.last_closed_periods(today)] == closed
    assert [p.label for p in services.open_periods(today)] == open_


def test_a_backfill_stores_through_copy_the_same_rows(
    quarter: SimpleNamespace, other_program: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many periods at once, stored through COPY (forced here from one row): the same numbers
    as each period rolled up alone, the same rows on a second run, a bad row fails them all."""
    periods = [Period.parse(label) for label in ("2025-01", "2025-02", "2025-03", "2025-Q1")]
    for period in periods:
        services.outcome_rollup(period=period)
    alone = {period.label: _stored(period) for period in periods}
    OutcomeRollup.objects.all().delete()
    monkeypatch.setattr(services, "COPY_FROM_ROWS", 1)

    assert services.outcome_rollups(periods=periods) == 8
    assert {period.label: _stored(period) for period in periods} == alone
    ids = set(OutcomeRollup.objects.values_list("pk", flat=True))
    services.outcome_rollups(periods=periods)
    assert set(OutcomeRollup.objects.values_list("pk", flat=True)) == ids
    row = OutcomeRollup.objects.get(program=quarter.program, period="2025-Q1")
    assert (row.caseload, row.working, row.job_endings_by_reason) == (9, 4, {"quit": 1})

    real = services.program_outcomes_by_period

    def one_bad_row(ids: list[int], periods: list[Period]) -> dict:
        outcomes = real(ids, periods)
        key = (other_program.pk, "2025-02")
        outcomes[key] = replace(outcomes[key], working=-1)
        return outcomes

    monkeypatch.setattr(services, "program_outcomes_by_period", one_bad_row)
    JobFactory(client=quarter.d, employer=quarter.employer, started_on=dt.date(2025, 3, 31))
    with pytest.raises(IntegrityError):
        services.outcome_rollups(periods=periods)
    assert {period.label: _stored(period) for period in periods} == alone
