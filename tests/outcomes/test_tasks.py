"""The roll-up tasks, run eagerly against the real database, and their beat schedule."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings

from config.celery import app
from outcomes.models import OutcomeRollup
from outcomes.tasks import (
    outcome_rollup_closed_task,
    outcome_rollup_open_task,
    outcome_rollup_task,
)

pytestmark = pytest.mark.django_db

OUTCOME_ENTRIES = (
    "outcomes-rollup-closed-month",
    "outcomes-rollup-closed-quarter",
    "outcomes-rollup-open-periods",
)


def _at(day: dt.date) -> time_machine.travel:
    # Noon UTC is the same local date in America/New_York.
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC))


def test_schedule_entries_name_real_tasks_and_expire() -> None:
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE

    for name in OUTCOME_ENTRIES:
        entry = schedule[name]
        assert entry["task"] in app.tasks, name
        assert entry["options"]["expires"] > 0
    assert schedule["outcomes-rollup-closed-month"]["schedule"].day_of_month == {1}
    quarter = schedule["outcomes-rollup-closed-quarter"]["schedule"]
    assert (quarter.day_of_month, quarter.month_of_year) == ({1}, {1, 4, 7, 10})
    assert schedule["outcomes-rollup-closed-quarter"]["kwargs"] == {"kind": "quarter"}
    assert len(schedule["outcomes-rollup-open-periods"]["schedule"].day_of_month) == 31


def test_tasks_are_acknowledged_late() -> None:
    for task in (outcome_rollup_task, outcome_rollup_closed_task, outcome_rollup_open_task):
        assert task.acks_late is True


def test_rollup_task_twice_stores_the_same_rows(quarter: SimpleNamespace) -> None:
    first = outcome_rollup_task.apply(args=["2025-Q1"]).get()
    row = OutcomeRollup.objects.get(program=quarter.program, period="2025-Q1")
    second = outcome_rollup_task.apply(args=["2025-Q1"]).get()

    again = OutcomeRollup.objects.get(program=quarter.program, period="2025-Q1")
    assert first == second == 1
    assert (again.pk, again.caseload, again.working, again.rate) == (row.pk, 9, 4, 4 / 9)
    assert again.computed_at >= row.computed_at


def test_rollup_task_for_one_program(quarter: SimpleNamespace, other_program: object) -> None:
    outcome_rollup_task.apply(args=["2025-03", [quarter.program.pk]]).get()

    assert list(OutcomeRollup.objects.values_list("program_id", "period", "working")) == [
        (quarter.program.pk, "2025-03", 3)
    ]


def test_closed_quarter_task_on_the_first_of_april(quarter: SimpleNamespace) -> None:
    with _at(dt.date(2025, 4, 1)):
        label = outcome_rollup_closed_task.apply(kwargs={"kind": "quarter"}).get()
        month = outcome_rollup_closed_task.apply(kwargs={"kind": "month"}).get()

    assert (label, month) == ("2025-Q1", "2025-03")
    stored = dict(OutcomeRollup.objects.values_list("period", "caseload"))
    assert stored == {"2025-Q1": 9, "2025-03": 8}


def test_open_task_refreshes_the_current_month_and_quarter(quarter: SimpleNamespace) -> None:
    with _at(dt.date(2025, 3, 15)):
        labels = outcome_rollup_open_task.apply().get()

    assert labels == ["2025-03", "2025-Q1"]
    assert OutcomeRollup.objects.get(period="2025-Q1").working == 4


def test_rollup_task_with_a_bad_period_stores_nothing(quarter: SimpleNamespace) -> None:
    with pytest.raises(ValueError, match=r"a quarter \(2026-Q1\)"):
        outcome_rollup_task.apply(args=["2025-13"])

    assert OutcomeRollup.objects.count() == 0


def test_closed_task_refuses_an_unknown_kind(quarter: SimpleNamespace) -> None:
    with pytest.raises(ValueError, match="month"):
        outcome_rollup_closed_task.apply(kwargs={"kind": "week"})

    assert OutcomeRollup.objects.count() == 0


def test_the_closed_quarter_roll_up_prepares_its_reports_once(
    quarter: SimpleNamespace, django_capture_on_commit_callbacks
) -> None:
    """On 1 April the roll-up of 2025-Q1 also asks for the quarter's reports of the agency and
    of each program with a schedule (Harbor Works), so the director finds them ready; a second
    run asks for nothing more."""
    from outcomes.models import OutcomeReport

    with _at(dt.date(2025, 4, 1)), django_capture_on_commit_callbacks(execute=False) as sent:
        outcome_rollup_closed_task.apply(kwargs={"kind": "quarter"}).get()
        outcome_rollup_closed_task.apply(kwargs={"kind": "quarter"}).get()

    reports = OutcomeReport.objects.order_by("program_id")
    assert [(r.program_id, r.period, r.status) for r in reports] == [
        (quarter.program.pk, "2025-Q1", "pending"),
        (None, "2025-Q1", "pending"),
    ]
    assert len(sent) == 2  # one task per report, not one per run
    assert {r.requested_by_id for r in reports} == {None}


def test_the_nightly_run_prepares_the_last_closed_reports_left_undone(
    quarter: SimpleNamespace, django_capture_on_commit_callbacks
) -> None:
    from outcomes.models import OutcomeReport

    with _at(dt.date(2025, 4, 10)), django_capture_on_commit_callbacks(execute=False):
        outcome_rollup_open_task.apply().get()

    assert set(OutcomeReport.objects.values_list("period", flat=True)) == {"2025-03", "2025-Q1"}
