"""Per-specialist numbers credit the specialist assigned at the time (`ips-reference.md` 4.3):
a reassignment never changes a past period, the quarter supervisors set goals on.

Hand count of 2025-Q1 (`conftest.py`): S holds A B E, O holds F G H, nobody D J K.
S: caseload 3, working A E = 2, starts E 02-01 = 1. O: 3, working F H = 2, starts F 01-15 and
F 03-15 = 2. Nobody: 3, 0, 0.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from clients import services
from clients.models import SpecialistAssignment
from ips.calendar import Period
from ips.models import User
from outcomes.reports.context import Scope, job_start_rows
from outcomes.selectors import specialist_outcomes

pytestmark = pytest.mark.django_db

Q1 = Period.parse("2025-Q1")
BEFORE = {"S": (3, 2, 1), "O": (3, 2, 2), None: (3, 0, 0)}


def _table(quarter: SimpleNamespace, specialist: User, other: User, period: Period = Q1) -> dict:
    names = {specialist.pk: "S", other.pk: "O", None: None}
    return {
        names[row.specialist]: (row.caseload, row.working, row.job_starts)
        for row in specialist_outcomes(quarter.program.pk, period)
    }


def _reassign(client: object, to: User, on: dt.datetime) -> None:
    with time_machine.travel(on, tick=False):
        client.refresh_from_db()  # type: ignore[attr-defined]
        services.client_update(
            client=client,  # type: ignore[arg-type]
            version=client.version,  # type: ignore[attr-defined]
            changes={"specialist": to},
        )


def test_reassigning_after_the_quarter_leaves_it_unchanged(
    quarter: SimpleNamespace, specialist: User, other_specialist: User
) -> None:
    assert _table(quarter, specialist, other_specialist) == BEFORE

    _reassign(quarter.e, other_specialist, dt.datetime(2025, 4, 15, 15, tzinfo=dt.UTC))

    assert _table(quarter, specialist, other_specialist) == BEFORE
    spells = list(
        SpecialistAssignment.objects.filter(client=quarter.e).values_list(
            "specialist", "started_on", "ended_on"
        )
    )
    assert spells == [
        (specialist.pk, None, dt.date(2025, 4, 14)),
        (other_specialist.pk, dt.date(2025, 4, 15), None),
    ]


def test_a_reassignment_within_the_quarter_credits_both_for_their_part(
    quarter: SimpleNamespace, specialist: User, other_specialist: User
) -> None:
    """E moves from S to O on 03-20: S held E while her job began (02-01) and O while she kept
    it, so E is on both caseloads and working for both; her start stays with S."""
    _reassign(quarter.e, other_specialist, dt.datetime(2025, 3, 20, 15, tzinfo=dt.UTC))

    assert _table(quarter, specialist, other_specialist) == {
        "S": (3, 2, 1),
        "O": (4, 3, 2),
        None: (3, 0, 0),
    }
    january = _table(quarter, specialist, other_specialist, Period.parse("2025-01"))
    assert january["O"][0] == 3  # F G H: E was not O's yet


def test_the_job_starts_table_names_the_specialist_at_the_start(
    quarter: SimpleNamespace, specialist: User, other_specialist: User
) -> None:
    _reassign(quarter.e, other_specialist, dt.datetime(2025, 4, 15, 15, tzinfo=dt.UTC))

    rows = job_start_rows(Scope(agency=quarter.program.agency, program=quarter.program), Q1)

    by_day = {row.started_on: row.specialist for row in rows}
    assert by_day[dt.date(2025, 2, 1)] == specialist.get_full_name()


def test_a_second_change_on_the_same_day_corrects_that_days_spell(
    quarter: SimpleNamespace, specialist: User, other_specialist: User
) -> None:
    on = dt.datetime(2025, 4, 15, 15, tzinfo=dt.UTC)
    _reassign(quarter.e, other_specialist, on)
    _reassign(quarter.e, specialist, on)

    spells = SpecialistAssignment.objects.filter(client=quarter.e).order_by("pk")
    assert [(s.specialist_id, s.started_on) for s in spells] == [
        (specialist.pk, None),
        (specialist.pk, dt.date(2025, 4, 15)),
    ]
