"""What counts as a competitive job (`../shared/ips-reference.md` 4.1), counted by hand.

Harbor Works' minimum wage is 15.00. Each case is one client enrolled since 2025-01-02 with one
job started 2025-02-01, and February's outcome numbers say whether it counted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clients import services
from clients.models import Job, SetAsideKind
from ips.calendar import Period
from ips.models import MinimumWage, Program
from outcomes.selectors import program_outcomes
from tests.clients.factories import ClientFactory, EmployerFactory

pytestmark = pytest.mark.django_db

FEB = Period.parse("2025-02")


@pytest.fixture
def wage_15(program: Program) -> Program:
    MinimumWage.objects.create(program=program, effective_on=dt.date(2024, 1, 1), hourly=15)
    return program


def _job(program: Program, **fields: object) -> Job:
    client = ClientFactory(
        program=program, referred_on=dt.date(2025, 1, 1), enrolled_on=dt.date(2025, 1, 2)
    )
    values: dict[str, object] = {
        "employer": EmployerFactory(program=program),
        "title": "Server",
        "job_type": "food_service",
        "started_on": dt.date(2025, 2, 1),
        "hours_per_week": Decimal("20"),
        "hourly_wage": Decimal("16.00"),
        **fields,
    }
    return services.job_start_record(client=client, **values)


def _working(program: Program) -> int:
    return program_outcomes([program.pk], FEB)[program.pk].working


@pytest.mark.parametrize(("tips", "competitive"), [("13.00", True), ("12.86", False)])
def test_a_tipped_server_on_2_13_works_when_tips_reach_the_minimum(
    wage_15: Program, tips: str, competitive: bool
) -> None:
    """$2.13 + $13.00 = $15.13 reaches $15.00; $2.13 + $12.86 = $14.99 does not."""
    job = _job(wage_15, hourly_wage=Decimal("2.13"), tips_per_hour=Decimal(tips))

    assert job.competitive is competitive
    assert _working(wage_15) == int(competitive)


def test_commission_counts_like_tips(wage_15: Program) -> None:
    job = _job(wage_15, hourly_wage=Decimal("10.00"), tips_per_hour=Decimal("5.00"))

    assert job.competitive is True


def test_self_employment_needs_no_employer_and_counts_only_where_the_program_opts_in(
    wage_15: Program,
) -> None:
    job = _job(wage_15, employer=None, self_employed=True, hourly_wage=Decimal("18.00"))

    assert job.employer is None
    assert job.competitive is False  # the program has not opted in
    assert _working(wage_15) == 0

    wage_15.counts_self_employment = True
    wage_15.save()

    job.refresh_from_db()
    assert job.competitive is True
    assert _working(wage_15) == 1


def test_self_employment_under_the_minimum_is_not_competitive(wage_15: Program) -> None:
    Program.objects.filter(pk=wage_15.pk).update(counts_self_employment=True)
    wage_15.refresh_from_db()

    job = _job(wage_15, employer=None, self_employed=True, hourly_wage=Decimal("9.00"))

    assert job.competitive is False


@pytest.mark.parametrize("kind", [SetAsideKind.ENCLAVE, SetAsideKind.WORK_CREW])
def test_naming_a_set_aside_kind_sets_the_job_aside(wage_15: Program, kind: str) -> None:
    """An enclave or a work crew pays $16.00, over the minimum: still not competitive."""
    job = _job(wage_15, set_aside_kind=kind)

    assert (job.set_aside, job.competitive) == (True, False)
    assert _working(wage_15) == 0
