"""The job pages say what makes a job competitive: the program's minimum wage in force on the
start date beside the wage, and, for a job that is not competitive, why (after saving, on the
edit page and in the client page's list). Wages show with "$"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client, Job, SetAsideKind, not_competitive_reasons
from employers.models import Employer
from ips.models import Program, User
from tests.clients.factories import ClientFactory, EmployerFactory, JobFactory, days_ago
from tests.factories import MinimumWageFactory

pytestmark = pytest.mark.django_db

LoginAs = Callable[[User], HttpClient]


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    MinimumWageFactory(program=program, effective_on=dt.date(2024, 1, 1), hourly=Decimal("12.00"))
    MinimumWageFactory(program=program, effective_on=days_ago(60), hourly=Decimal("15.00"))
    return ClientFactory(program=program, specialist=specialist)


@pytest.fixture
def employer(program: Program) -> Employer:
    return EmployerFactory(program=program, name="Harbourside Bakery")


def job_start(employer: Employer, **overrides: object) -> dict[str, object]:
    return {
        "employer": employer.pk,
        "title": "Line cook",
        "job_type": "food_service",
        "started_on": days_ago(2).isoformat(),
        "hours_per_week": "25",
        "hourly_wage": "9.50",
        **overrides,
    }


def test_job_start_form_shows_the_minimum_wage_in_force_and_the_schedule(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    page = (
        login_as(specialist)
        .get(reverse("clients:job_new", kwargs={"pk": client_.pk}))
        .content.decode()
    )

    today = days_ago(0)
    assert f"The program&#x27;s minimum wage on {today:%Y-%m-%d}: $15.00." in page
    assert (
        f'data-minimum-wages="[[&quot;2024-01-01&quot;, &quot;12.00&quot;], '
        f'[&quot;{days_ago(60):%Y-%m-%d}&quot;, &quot;15.00&quot;]]"'
    ) in page


def test_job_start_form_shows_the_wage_in_force_on_the_date_typed(
    login_as: LoginAs, client_: Client, employer: Employer, specialist: User
) -> None:
    # An invalid form re-rendered for an older start date shows that date's minimum wage.
    started = days_ago(70)
    response = login_as(specialist).post(
        reverse("clients:job_new", kwargs={"pk": client_.pk}),
        job_start(employer, started_on=started.isoformat(), hours_per_week=""),
    )

    assert f"minimum wage on {started:%Y-%m-%d}: $12.00." in response.content.decode()
    assert Job.objects.count() == 0


def test_saving_a_job_below_the_minimum_wage_says_why_it_is_not_competitive(
    login_as: LoginAs, client_: Client, employer: Employer, specialist: User
) -> None:
    http = login_as(specialist)

    response = http.post(reverse("clients:job_new", kwargs={"pk": client_.pk}), job_start(employer))

    assert response.status_code == 302
    assert not Job.objects.get().competitive
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Job start recorded. Not competitive: $9.50 an hour is below the $15.00 minimum wage."
    ]
    page = http.get(reverse("clients:detail", kwargs={"pk": client_.pk})).content.decode()
    assert "$9.50/h" in page
    assert "($9.50 an hour is below the $15.00 minimum wage)" in page
    assert "at $9.50/h (not competitive)" in page


def test_the_edit_page_says_why_a_saved_job_is_not_competitive(
    login_as: LoginAs, client_: Client, employer: Employer, specialist: User
) -> None:
    job = JobFactory(
        client=client_, employer=employer, set_aside=True, set_aside_kind=SetAsideKind.WORK_CREW
    )

    page = (
        login_as(specialist)
        .get(reverse("clients:job_edit", kwargs={"pk": job.pk}))
        .content.decode()
    )

    assert "Saved as not competitive: set-aside job (Mobile work crew)." in page


def test_a_competitive_job_gives_no_reason_on_the_client_page(
    login_as: LoginAs, client_: Client, employer: Employer, specialist: User
) -> None:
    JobFactory(client=client_, employer=employer, hourly_wage=Decimal("16.50"))

    page = (
        login_as(specialist)
        .get(reverse("clients:detail", kwargs={"pk": client_.pk}))
        .content.decode()
    )

    assert "$16.50/h" in page
    assert 'data-testid="why-not-competitive"' not in page


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"set_aside": True, "set_aside_kind": ""}, ["set-aside job"]),
        ({"self_employed": True}, ["self-employment not counted in this program"]),
        ({"minimum_wage": None}, ["the program has no minimum-wage schedule"]),
        ({"pay": Decimal("14.99")}, ["$14.99 an hour is below the $15.00 minimum wage"]),
        ({}, []),
    ],
)
def test_not_competitive_reasons_follow_the_definition(
    changes: dict[str, object], reasons: list[str]
) -> None:
    job = {
        "set_aside": False,
        "set_aside_kind": "",
        "self_employed": False,
        "counts_self_employment": False,
        "pay": Decimal("15.00"),
        "minimum_wage": Decimal("15.00"),
    }
    assert not_competitive_reasons(**{**job, **changes}) == reasons  # type: ignore[arg-type]
