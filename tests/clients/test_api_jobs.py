"""The jobs API (/api/v1/jobs/): `competitive` derived, starts and ends validated, versioned."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.models import Client, Job
from employers.models import Employer
from ips.models import AuditEvent, Program, User
from tests.clients.factories import ClientFactory, EmployerFactory, JobFactory, api_as, days_ago
from tests.factories import MinimumWageFactory
from tests.helpers import API_LIST_READ, assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = reverse("api:job-list")


def detail(job: Job) -> str:
    return reverse("api:job-detail", kwargs={"pk": job.pk})


def titles(response: object) -> set[str]:
    return {row["title"] for row in response.json()["results"]}  # type: ignore[attr-defined]


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    MinimumWageFactory(program=program, effective_on=dt.date(2020, 1, 1), hourly=Decimal("15.00"))
    return ClientFactory(program=program, specialist=specialist)


@pytest.fixture
def employer(program: Program) -> Employer:
    return EmployerFactory(program=program, name="Harbourside Bakery")


@pytest.fixture
def jobs(
    client_: Client, employer: Employer, other_program: Program, outsider_program: Program
) -> dict[str, Job]:
    """One job per place a job can be, titled after it."""
    return {
        "own": JobFactory(client=client_, employer=employer, title="own"),
        "other_program": JobFactory(client=ClientFactory(program=other_program), title="other"),
        "outsider": JobFactory(client=ClientFactory(program=outsider_program), title="outsider"),
        "archived": JobFactory(client=client_, employer=employer, archived=True, title="archived"),
    }


def new_job(client: Client, employer: Employer, **overrides: object) -> dict[str, object]:
    return {
        "client": client.pk,
        "employer": employer.pk,
        "title": "Line cook",
        "job_type": "food_service",
        "started_on": days_ago(2).isoformat(),
        "hours_per_week": "25.00",
        "hourly_wage": "17.25",
        **overrides,
    }


def post(user: User, body: dict[str, object]) -> object:
    return api_as(user).post(LIST, body, content_type="application/json")


# --- Lists ----------------------------------------------------------------------------------------


def test_list_shows_the_programs_live_jobs_with_competitive_derived(
    specialist: User, jobs: dict[str, Job], client_: Client, employer: Employer
) -> None:
    JobFactory(client=client_, employer=employer, title="set aside", set_aside=True)
    JobFactory(client=client_, employer=employer, title="low pay", hourly_wage=Decimal("9.00"))

    response = api_as(specialist).get(LIST)

    assert response.status_code == 200
    rows = {row["title"]: row for row in response.json()["results"]}
    assert set(rows) == {"own", "set aside", "low pay"}
    assert {title: row["competitive"] for title, row in rows.items()} == {
        "own": True,
        "set aside": False,
        "low pay": False,
    }
    assert rows["own"] == {
        "id": jobs["own"].pk,
        "client": client_.pk,
        "employer": employer.pk,
        "title": "own",
        "job_type": "food_service",
        "started_on": jobs["own"].started_on.isoformat(),
        "ended_on": None,
        "end_reason": "",
        "hours_per_week": "20.00",
        "hourly_wage": "16.50",
        "tips_per_hour": "0.00",
        "self_employed": False,
        "set_aside": False,
        "set_aside_kind": "",
        "competitive": True,
        "version": 1,
    }


def test_director_lists_the_agencys_jobs(director: User, jobs: dict[str, Job]) -> None:
    assert titles(api_as(director).get(LIST)) == {"own", "other"}


@pytest.mark.parametrize("persona", ["reviewer", "admin", "no_role_user"])
def test_roles_without_client_access_list_no_jobs(
    persona: str, request: pytest.FixtureRequest, jobs: dict[str, Job]
) -> None:
    assert api_as(request.getfixturevalue(persona)).get(LIST).json()["count"] == 0


def test_list_filters_by_competitive_employer_and_start_dates(
    specialist: User, jobs: dict[str, Job], client_: Client, employer: Employer
) -> None:
    JobFactory(client=client_, title="recent", hourly_wage=Decimal("9.00"), started_on=days_ago(3))
    api = api_as(specialist)

    assert titles(api.get(LIST, {"competitive": "false"})) == {"recent"}
    assert titles(api.get(LIST, {"employer": employer.pk})) == {"own"}
    assert titles(api.get(LIST, {"started_on_after": days_ago(10).isoformat()})) == {"recent"}
    assert titles(api.get(LIST, {"started_on_before": days_ago(10).isoformat()})) == {"own"}


def test_list_query_count_is_constant(specialist: User, client_: Client) -> None:
    def add_rows(count: int) -> None:
        for _ in range(count):
            JobFactory(client=ClientFactory(program=client_.program))

    # token + user, count, jobs with the minimum wage in force as subqueries; the read of the
    # clients listed
    assert assert_constant_queries(api_as(specialist), LIST, add_rows) == 3 + API_LIST_READ


# --- Retrieve -------------------------------------------------------------------------------------


def test_retrieve_is_audited_against_the_client(specialist: User, jobs: dict[str, Job]) -> None:
    job = jobs["own"]

    response = api_as(specialist).get(detail(job))

    assert response.status_code == 200
    assert response.json()["competitive"] is True
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.subject_client_id, event.agency_id) == (
        AuditEvent.Action.API,
        str(job.pk),
        job.client_id,
        job.client.program.agency_id,
    )


@pytest.mark.parametrize(
    ("persona", "key"),
    [
        ("outsider_director", "own"),
        ("reviewer", "own"),
        ("specialist", "other_program"),
        ("specialist", "archived"),
    ],
)
def test_an_invisible_job_is_404_to_read_and_to_write(
    persona: str, key: str, request: pytest.FixtureRequest, jobs: dict[str, Job]
) -> None:
    api = api_as(request.getfixturevalue(persona))
    job = jobs[key]

    assert api.get(detail(job)).status_code == 404
    patch = api.patch(detail(job), {"version": 1, "title": "X"}, content_type="application/json")
    assert patch.status_code == 404
    job.refresh_from_db()
    assert (job.title, job.version) == (key if key != "other_program" else "other", 1)
    assert not AuditEvent.objects.exists()


# --- Create ---------------------------------------------------------------------------------------


def test_specialist_records_a_job_start(
    specialist: User, client_: Client, employer: Employer
) -> None:
    response = post(specialist, new_job(client_, employer))

    assert response.status_code == 201, response.json()
    job = Job.objects.get()
    assert response.json()["id"] == job.pk
    assert response.json()["competitive"] is True
    assert (job.title, job.hours_per_week, job.hourly_wage, job.created_by) == (
        "Line cook",
        Decimal("25.00"),
        Decimal("17.25"),
        specialist,
    )


def test_a_job_start_may_be_next_week(
    specialist: User, client_: Client, employer: Employer
) -> None:
    response = post(specialist, new_job(client_, employer, started_on=days_ago(-7).isoformat()))

    assert response.status_code == 201


def test_a_job_created_with_an_end_is_stored_ended(
    specialist: User, client_: Client, employer: Employer
) -> None:
    body = new_job(
        client_,
        employer,
        started_on=days_ago(60).isoformat(),
        ended_on=days_ago(20).isoformat(),
        end_reason="temporary_ended",
    )

    response = post(specialist, body)

    assert response.status_code == 201, response.json()
    assert (response.json()["ended_on"], response.json()["end_reason"]) == (
        days_ago(20).isoformat(),
        "temporary_ended",
    )
    job = Job.objects.get()
    assert (job.ended_on, job.end_reason, job.version) == (days_ago(20), "temporary_ended", 1)
    assert not Job.objects.live().held_on(days_ago(1)).exists()


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"ended_on": days_ago(5).isoformat()}, {"__all__": ["Give the reason the job ended."]}),
        (
            {"end_reason": "quit"},
            {"ended_on": ["Give the date the job ended, or leave out the end reason."]},
        ),
        (
            {"ended_on": days_ago(90).isoformat(), "end_reason": "quit"},
            {"ended_on": ["The end date cannot be before the start date."]},
        ),
        (
            {"ended_on": days_ago(-1).isoformat(), "end_reason": "quit"},
            {"ended_on": ["The end date cannot be in the future."]},
        ),
    ],
)
def test_a_job_created_with_an_end_is_held_to_the_ending_rules(
    specialist: User,
    client_: Client,
    employer: Employer,
    overrides: dict[str, str],
    errors: dict[str, list[str]],
) -> None:
    body = new_job(client_, employer, started_on=days_ago(60).isoformat(), **overrides)

    response = post(specialist, body)

    assert response.status_code == 400
    assert response.json() == errors
    assert not Job.objects.exists()


def test_director_may_not_record_a_job(director: User, client_: Client, employer: Employer) -> None:
    response = post(director, new_job(client_, employer))

    assert response.status_code == 403
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"hours_per_week": "-5"}, "hours_per_week", "Hours per week must be more than zero."),
        ({"hours_per_week": "0"}, "hours_per_week", "Hours per week must be more than zero."),
        ({"hourly_wage": "-1.00"}, "hourly_wage", "The hourly wage cannot be negative."),
        (
            {"hourly_wage": "15.555"},
            "hourly_wage",
            "Ensure that there are no more than 2 decimal places.",
        ),
        ({"started_on": "03/04/2025"}, "started_on", "Date has wrong format."),
    ],
)
def test_bad_job_input_is_400_and_records_nothing(
    specialist: User,
    client_: Client,
    employer: Employer,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = post(specialist, new_job(client_, employer, **overrides))

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert response.json()[field][0].startswith(message)
    assert not Job.objects.exists()


def test_a_job_for_a_client_of_another_program_is_400(
    specialist: User, other_program: Program, employer: Employer
) -> None:
    elsewhere = ClientFactory(program=other_program)

    response = post(specialist, new_job(elsewhere, employer))

    assert response.status_code == 400
    assert response.json() == {
        "client": ["Choose a client of a program where you may record client work."]
    }
    assert not Job.objects.exists()


def test_an_employer_of_another_program_is_400(
    supervisor: User, client_: Client, other_program: Program
) -> None:
    # The supervisor edits both programs, so both ids resolve; the service refuses the mix.
    supervisor.roles.create(role="supervisor", agency=other_program.agency, program=other_program)
    foreign = EmployerFactory(program=other_program)

    response = post(supervisor, new_job(client_, foreign))

    assert response.status_code == 400
    assert response.json() == {"employer": ["Choose an employer of the client's program."]}
    assert not Job.objects.exists()


def test_an_employer_the_caller_cannot_edit_is_400(
    specialist: User, client_: Client, outsider_program: Program
) -> None:
    response = post(specialist, new_job(client_, EmployerFactory(program=outsider_program)))

    assert response.status_code == 400
    assert response.json() == {"employer": ["Choose an employer of the client's program."]}
    assert not Job.objects.exists()


# --- Update: corrections and job ends -------------------------------------------------------------


def test_specialist_ends_a_job(specialist: User, jobs: dict[str, Job]) -> None:
    job = jobs["own"]

    response = api_as(specialist).patch(
        detail(job),
        {"version": 1, "ended_on": days_ago(1).isoformat(), "end_reason": "better_job"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["ended_on"], response.json()["version"]) == (
        days_ago(1).isoformat(),
        2,
    )
    job.refresh_from_db()
    assert (job.ended_on, job.end_reason) == (days_ago(1), "better_job")


def test_an_end_before_the_start_is_400_and_changes_nothing(
    specialist: User, jobs: dict[str, Job]
) -> None:
    job = jobs["own"]

    response = api_as(specialist).patch(
        detail(job),
        {
            "version": 1,
            "ended_on": (job.started_on - dt.timedelta(days=1)).isoformat(),
            "end_reason": "quit",
            "title": "Renamed",
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"ended_on": ["The end date cannot be before the start date."]}
    job.refresh_from_db()
    assert (job.ended_on, job.title, job.version) == (None, "own", 1)


def test_an_end_without_a_reason_is_400(specialist: User, jobs: dict[str, Job]) -> None:
    response = api_as(specialist).patch(
        detail(jobs["own"]),
        {"version": 1, "ended_on": days_ago(1).isoformat()},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"__all__": ["Give the reason the job ended."]}
    jobs["own"].refresh_from_db()
    assert jobs["own"].ended_on is None


def test_a_future_end_is_400(specialist: User, jobs: dict[str, Job]) -> None:
    response = api_as(specialist).patch(
        detail(jobs["own"]),
        {"version": 1, "ended_on": days_ago(-3).isoformat(), "end_reason": "quit"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"ended_on": ["The end date cannot be in the future."]}


def test_a_negative_wage_correction_is_400(specialist: User, jobs: dict[str, Job]) -> None:
    response = api_as(specialist).patch(
        detail(jobs["own"]), {"version": 1, "hourly_wage": "-3"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"hourly_wage": ["The hourly wage cannot be negative."]}
    jobs["own"].refresh_from_db()
    assert jobs["own"].hourly_wage == Decimal("16.50")


def test_stale_version_is_409_and_changes_nothing(
    specialist: User, other_specialist: User, jobs: dict[str, Job]
) -> None:
    job = jobs["own"]
    api_as(other_specialist).patch(
        detail(job), {"version": 1, "title": "Head baker"}, content_type="application/json"
    )

    response = api_as(specialist).patch(
        detail(job), {"version": 1, "title": "Cashier"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    job.refresh_from_db()
    assert (job.title, job.version) == ("Head baker", 2)


def test_director_may_not_change_or_archive_a_job(director: User, jobs: dict[str, Job]) -> None:
    job = jobs["own"]
    api = api_as(director)

    put = api.put(detail(job), {"version": 1}, content_type="application/json")
    archive = api.post(
        reverse("api:job-archive", kwargs={"pk": job.pk}),
        {"version": 1, "reason": "No."},
        content_type="application/json",
    )

    assert (put.status_code, archive.status_code) == (403, 403)
    job.refresh_from_db()
    assert (job.archived_at, job.version) == (None, 1)


def test_specialist_archives_a_job(specialist: User, jobs: dict[str, Job]) -> None:
    job = jobs["own"]

    response = api_as(specialist).post(
        reverse("api:job-archive", kwargs={"pk": job.pk}),
        {"version": 1, "reason": "Entered twice."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert titles(api_as(specialist).get(LIST)) == set()


# --- Self-employment, tips, set-aside kinds ------------------------------------------------------


def test_a_self_employed_job_is_recorded_without_an_employer(
    specialist: User, client_: Client, employer: Employer
) -> None:
    body = new_job(client_, employer, self_employed=True, hourly_wage="22.00")
    del body["employer"]

    response = post(specialist, body)

    assert response.status_code == 201, response.json()
    assert (response.json()["employer"], response.json()["self_employed"]) == (None, True)
    # Harbor Works has not opted in to counting self-employment.
    assert response.json()["competitive"] is False


def test_a_job_without_an_employer_that_is_not_self_employment_is_400(
    specialist: User, client_: Client, employer: Employer
) -> None:
    body = new_job(client_, employer)
    del body["employer"]

    response = post(specialist, body)

    assert response.status_code == 400
    assert response.json() == {
        "employer": ["Choose the employer, or mark the job as self-employment."]
    }
    assert not Job.objects.exists()


def test_a_tipped_job_and_its_set_aside_kind_are_recorded(
    specialist: User, client_: Client, employer: Employer
) -> None:
    tipped = post(
        specialist, new_job(client_, employer, hourly_wage="2.13", tips_per_hour="14.00")
    ).json()
    crew = post(specialist, new_job(client_, employer, set_aside_kind="work_crew")).json()

    assert (tipped["tips_per_hour"], tipped["competitive"]) == ("14.00", True)
    assert (crew["set_aside"], crew["set_aside_kind"], crew["competitive"]) == (
        True,
        "work_crew",
        False,
    )
