"""GET /api/v1/outcomes/?program=ID&period=2025-Q1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from ips.calendar import Period
from ips.models import Program, User
from outcomes import services
from outcomes.models import OutcomeRollup

pytestmark = pytest.mark.django_db


def _get(client: Client, program: Program | int, period: str) -> object:
    pk = program.pk if isinstance(program, Program) else program
    return client.get(reverse("api:outcomes"), {"program": pk, "period": period})


def test_live_numbers_when_not_rolled_up(
    quarter: SimpleNamespace, login_as: Callable[[User], Client], director: User
) -> None:
    response = _get(login_as(director), quarter.program, "2025-Q1")

    assert response.status_code == 200
    body = response.json()
    assert body["program"] == quarter.program.pk
    assert body["period"] == "2025-Q1"
    assert (body["period_start"], body["period_end"]) == ("2025-01-01", "2025-03-31")
    assert (body["caseload"], body["working"], body["job_starts"]) == (9, 4, 3)
    assert (body["first_job_starts"], body["in_education"]) == (1, 1)
    assert body["rate"] == 0.4444  # 4/9 rounded to 4 places
    assert body["average_hourly_wage"] == 16.63
    assert body["job_endings_by_reason"] == {"quit": 1}
    # The out-of-work rate: B and F were working when referred (3 of the other 7 work).
    assert (body["out_of_work_caseload"], body["out_of_work_working"]) == (7, 3)
    assert body["out_of_work_rate"] == 0.4286
    assert (body["new_enrollments"], body["closures"]) == (3, 2)
    assert body["closures_by_reason"] == {"moved": 2}
    assert (body["jobs_reaching_90_days"], body["jobs_kept_90_days"]) == (1, 0)
    assert body["retention_90_rate"] == 0.0
    assert (body["not_yet_contacted"], body["contacted_within_30_days"]) == (1, 2)
    assert body["no_first_job_yet"] == 2
    assert (body["as_of"], body["preliminary"]) == ("2025-03-31", False)
    assert body["computed_at"] is None
    assert OutcomeRollup.objects.count() == 0  # a read stores nothing


def test_stored_rollup_is_served_with_its_time(
    quarter: SimpleNamespace, login_as: Callable[[User], Client], supervisor: User
) -> None:
    services.outcome_rollup(period=Period.parse("2025-Q1"))
    # Make the stored row differ from a live count, to tell which one is served.
    OutcomeRollup.objects.filter(program=quarter.program).update(working=5, rate=5 / 9)

    body = _get(login_as(supervisor), quarter.program, "2025-Q1").json()

    stored = OutcomeRollup.objects.get(program=quarter.program)
    assert (body["working"], body["rate"]) == (5, 0.5556)
    assert dt.datetime.fromisoformat(body["computed_at"]) == stored.computed_at


def test_empty_program_rate_is_null(
    other_program: Program, login_as: Callable[[User], Client], director: User
) -> None:
    body = _get(login_as(director), other_program, "2025-03").json()

    assert (body["caseload"], body["working"], body["rate"]) == (0, 0, None)


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2025-13", "Give the period as a month (2026-03) or a quarter (2026-Q1)."),
        ("2025-W02", "Give the period as a month (2026-03) or a quarter (2026-Q1)."),
        ("", "This field may not be blank."),
    ],
)
def test_bad_period_is_400_with_a_message(
    quarter: SimpleNamespace,
    login_as: Callable[[User], Client],
    director: User,
    period: str,
    message: str,
) -> None:
    response = _get(login_as(director), quarter.program, period)

    assert response.status_code == 400
    assert response.json() == {"period": [message]}
    assert OutcomeRollup.objects.count() == 0


def test_missing_program_is_400(login_as: Callable[[User], Client], director: User) -> None:
    response = login_as(director).get(reverse("api:outcomes"), {"period": "2025-Q1"})

    assert response.status_code == 400
    assert "program" in response.json()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("supervisor", 200),
        ("director", 200),
        ("specialist", 403),
        ("reviewer", 403),
        ("admin", 403),
        ("outsider_director", 404),
        ("no_role_user", 404),
    ],
)
def test_who_reads_a_programs_outcomes(
    quarter: SimpleNamespace,
    login_as: Callable[[User], Client],
    request: pytest.FixtureRequest,
    persona: str,
    status: int,
) -> None:
    response = _get(login_as(request.getfixturevalue(persona)), quarter.program, "2025-Q1")

    assert response.status_code == status
    if status != 200:
        assert "caseload" not in response.json()


def test_supervisor_gets_404_for_another_program_of_the_agency(
    other_program: Program, login_as: Callable[[User], Client], supervisor: User
) -> None:
    assert _get(login_as(supervisor), other_program, "2025-Q1").status_code == 404


def test_director_reads_every_program_of_the_agency_only(
    other_program: Program,
    outsider_program: Program,
    login_as: Callable[[User], Client],
    director: User,
) -> None:
    client = login_as(director)

    assert _get(client, other_program, "2025-Q1").status_code == 200
    assert _get(client, outsider_program, "2025-Q1").status_code == 404
    assert _get(client, outsider_program.pk + 1000, "2025-Q1").status_code == 404


def test_schema_documents_the_outcomes_endpoint() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)

    operation = schema["paths"]["/api/v1/outcomes/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"program", "period"} <= names
