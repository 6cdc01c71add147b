"""`manage.py rollup_outcomes`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import CommandError, call_command

from ips.models import Program
from outcomes.models import OutcomeRollup
from tests.clients.factories import JobFactory

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("rollup_outcomes", *args, stdout=out)
    return out.getvalue()


def test_one_period_one_program(quarter: SimpleNamespace, other_program: Program) -> None:
    output = _run("--period", "2025-Q1", "--program", str(quarter.program.pk))

    assert "2025-Q1: 1 program roll-up(s) stored." in output
    row = OutcomeRollup.objects.get()
    assert (row.program_id, row.period, row.caseload, row.working) == (
        quarter.program.pk,
        "2025-Q1",
        9,
        4,
    )


def test_without_period_rolls_up_open_and_last_closed_periods(
    quarter: SimpleNamespace, other_program: Program
) -> None:
    with time_machine.travel(dt.datetime(2025, 4, 10, 12, tzinfo=dt.UTC)):
        _run()

    periods = set(OutcomeRollup.objects.values_list("period", flat=True))
    assert periods == {"2025-03", "2025-Q1", "2025-04", "2025-Q2"}
    assert OutcomeRollup.objects.count() == 8


def test_re_running_a_closed_period_picks_up_late_data(quarter: SimpleNamespace) -> None:
    _run("--period", "2025-03")
    JobFactory(
        client=quarter.d,
        employer=quarter.employer,
        started_on=dt.date(2025, 3, 31),
        hourly_wage=Decimal("16.00"),
    )
    assert OutcomeRollup.objects.get(period="2025-03").working == 3

    _run("--period", "2025-03")

    row = OutcomeRollup.objects.get(period="2025-03")
    assert (row.working, row.caseload, row.job_starts) == (4, 8, 2)
    assert row.rate == 0.5


@pytest.mark.parametrize("period", ["2025-13", "2025-W02", "Q1-2025", ""])
def test_bad_period_is_refused_and_changes_nothing(quarter: SimpleNamespace, period: str) -> None:
    _run("--period", "2025-Q1")
    before = list(OutcomeRollup.objects.values_list("pk", "computed_at"))

    with pytest.raises(
        CommandError, match=r"a month \(2026-03\) or a quarter \(2026-Q1\)"
    ) as refused:
        _run("--period", period)

    assert refused.value.returncode == 1  # manage.py exits with it

    assert list(OutcomeRollup.objects.values_list("pk", "computed_at")) == before


def test_unknown_program_is_refused_and_changes_nothing(quarter: SimpleNamespace) -> None:
    missing = Program.objects.order_by("-pk").first().pk + 1

    with pytest.raises(CommandError, match=f"no program with id {missing}"):
        _run("--period", "2025-Q1", "--program", str(missing))

    assert OutcomeRollup.objects.count() == 0
