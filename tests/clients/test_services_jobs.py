"""Jobs: competitiveness derived from the program's minimum-wage schedule, starts, ends, edits."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from clients import services
from clients.models import Client, Job, JobEndReason, JobType
from employers.models import Employer
from ips import services as ips_services
from ips.models import MinimumWage, Program, User
from ips.services import record_archive
from ips.versioning import StaleVersionError
from tests.clients.factories import ClientFactory, EmployerFactory, JobFactory, days_ago
from tests.factories import MinimumWageFactory

pytestmark = pytest.mark.django_db

OLD_MINIMUM = Decimal("15.00")
NEW_MINIMUM = Decimal("16.50")
RAISE_DAY = dt.date(2025, 7, 1)  # the new, higher minimum takes effect on this day


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    return ClientFactory(program=program, specialist=specialist)


@pytest.fixture
def employer(program: Program) -> Employer:
    return EmployerFactory(program=program, name="Harbourside Bakery")


@pytest.fixture
def schedule(program: Program) -> None:
    """Harbor Works' schedule: 15.00 from 2025-01-01, 16.50 from 2025-07-01."""
    MinimumWageFactory(program=program, effective_on=dt.date(2025, 1, 1), hourly=OLD_MINIMUM)
    MinimumWageFactory(program=program, effective_on=RAISE_DAY, hourly=NEW_MINIMUM)


def competitive(job: Job) -> bool:
    return Job.objects.with_competitive().get(pk=job.pk).competitive


def job_on(client: Client, employer: Employer, started_on: dt.date, wage: str, **kw: object) -> Job:
    return JobFactory(
        client=client, employer=employer, started_on=started_on, hourly_wage=Decimal(wage), **kw
    )


# --- Competitive derivation ---------------------------------------------------------------------


def stored_and_computed() -> dict[str, tuple[bool, bool]]:
    """{title: (stored flag, flag worked out now from the schedule)} for every job."""
    rows = Job.objects.with_computed_competitive().values_list(
        "title", "competitive", "computed_competitive"
    )
    return {title: (stored, computed) for title, stored, computed in rows}


def test_the_stored_flag_follows_the_schedule_and_the_job(
    client_: Client, employer: Employer, program: Program, other_program: Program
) -> None:
    """Jobs before, on and after a raise, equal to and a cent under the minimum, set aside, and
    in another program; the flags as the schedule and the jobs change."""
    ips_services.minimum_wage_add(
        program=program, effective_on=dt.date(2025, 1, 1), hourly=OLD_MINIMUM
    )
    job_on(client_, employer, dt.date(2024, 6, 1), "15.00", title="before the schedule")
    job_on(client_, employer, RAISE_DAY, "16.00", title="after the raise")
    job_on(client_, employer, dt.date(2025, 3, 1), "14.99", title="a cent under")
    job_on(client_, employer, dt.date(2025, 3, 1), "40.00", title="set aside", set_aside=True)
    edited = job_on(client_, employer, dt.date(2025, 3, 1), "15.50", title="edited")
    elsewhere = ClientFactory(program=other_program)
    job_on(elsewhere, EmployerFactory(program=other_program), RAISE_DAY, "16.00", title="other")
    flags = stored_and_computed()
    assert all(stored == computed for stored, computed in flags.values())
    assert {title for title, (stored, _) in flags.items() if stored} == {
        "before the schedule",
        "after the raise",
        "edited",
    }

    ips_services.minimum_wage_add(program=program, effective_on=RAISE_DAY, hourly=NEW_MINIMUM)
    assert stored_and_computed()["after the raise"] == (False, False)
    assert stored_and_computed()["other"] == (False, False)  # no schedule there at all

    edited = services.job_update(
        job=edited, version=edited.version, changes={"hourly_wage": Decimal("14.00")}
    )
    assert edited.competitive is False
    assert stored_and_computed()["edited"] == (False, False)
    # the audit trail records what people changed, not the flag derived from it
    entries = LogEntry.objects.get_for_object(edited)
    assert "hourly_wage" in entries.get(action=LogEntry.Action.UPDATE).changes_dict
    assert all("competitive" not in entry.changes_dict for entry in entries)

    MinimumWage.objects.get(program=program, effective_on=RAISE_DAY).delete()
    flags = stored_and_computed()
    assert flags["after the raise"] == (True, True)
    assert all(stored == computed for stored, computed in flags.values())


@pytest.mark.usefixtures("schedule")
def test_wage_equal_to_the_minimum_in_force_is_competitive(
    client_: Client, employer: Employer
) -> None:
    job = job_on(client_, employer, dt.date(2025, 3, 10), "15.00")

    assert competitive(job) is True


@pytest.mark.usefixtures("schedule")
def test_one_cent_below_the_minimum_is_not_competitive(client_: Client, employer: Employer) -> None:
    job = job_on(client_, employer, dt.date(2025, 3, 10), "14.99")

    assert competitive(job) is False


@pytest.mark.usefixtures("schedule")
def test_a_set_aside_job_is_never_competitive(client_: Client, employer: Employer) -> None:
    job = job_on(client_, employer, dt.date(2025, 3, 10), "30.00", set_aside=True)

    assert competitive(job) is False


@pytest.mark.usefixtures("schedule")
@pytest.mark.parametrize(("wage", "expected"), [("15.00", True), ("14.99", False)])
def test_a_job_started_before_the_first_entry_uses_the_earliest_entry(
    client_: Client, employer: Employer, wage: str, expected: bool
) -> None:
    job = job_on(client_, employer, dt.date(2024, 6, 1), wage)

    assert competitive(job) is expected


@pytest.mark.usefixtures("schedule")
@pytest.mark.parametrize(("wage", "expected"), [("15.00", False), ("16.50", True)])
def test_a_job_started_the_day_a_higher_minimum_takes_effect_uses_it(
    client_: Client, employer: Employer, wage: str, expected: bool
) -> None:
    job = job_on(client_, employer, RAISE_DAY, wage)

    assert competitive(job) is expected


@pytest.mark.usefixtures("schedule")
def test_a_job_started_the_day_before_a_higher_minimum_uses_the_old_one(
    client_: Client, employer: Employer
) -> None:
    job = job_on(client_, employer, RAISE_DAY - dt.timedelta(days=1), "15.00")

    assert competitive(job) is True


@pytest.mark.usefixtures("schedule")
def test_the_minimum_wage_annotation_is_the_one_in_force(
    client_: Client, employer: Employer, program: Program
) -> None:
    days = [dt.date(2024, 6, 1), RAISE_DAY - dt.timedelta(days=1), RAISE_DAY, dt.date(2026, 1, 1)]
    jobs = [job_on(client_, employer, day, "20.00") for day in days]

    annotated = {job.pk: job.minimum_wage for job in Job.objects.with_competitive()}

    assert [annotated[job.pk] for job in jobs] == [
        OLD_MINIMUM,
        OLD_MINIMUM,
        NEW_MINIMUM,
        NEW_MINIMUM,
    ]
    # the SQL and the Python reading of the schedule agree
    assert [program.minimum_wage_on(day) for day in days] == [annotated[j.pk] for j in jobs]


def test_a_program_with_no_schedule_has_no_competitive_jobs(
    client_: Client, employer: Employer
) -> None:
    job = job_on(client_, employer, dt.date(2025, 3, 10), "99.00")

    assert competitive(job) is False
    assert not Job.objects.competitive().exists()


def test_another_programs_schedule_does_not_apply(
    client_: Client, employer: Employer, other_program: Program
) -> None:
    MinimumWageFactory(program=other_program, effective_on=dt.date(2025, 1, 1), hourly=OLD_MINIMUM)
    MinimumWageFactory(
        program=client_.program, effective_on=dt.date(2025, 1, 1), hourly=Decimal("18.00")
    )

    job = job_on(client_, employer, dt.date(2025, 3, 10), "16.00")

    assert competitive(job) is False


@pytest.mark.usefixtures("schedule")
def test_competitive_filter_keeps_only_competitive_jobs(
    client_: Client, employer: Employer
) -> None:
    good = job_on(client_, employer, dt.date(2025, 3, 10), "15.00", title="good")
    job_on(client_, employer, dt.date(2025, 3, 10), "14.99", title="low")
    job_on(client_, employer, dt.date(2025, 3, 10), "15.00", title="set aside", set_aside=True)

    assert list(Job.objects.competitive()) == [good]


# --- Recording a job start ------------------------------------------------------------------------


def start(client: Client, employer: Employer, **overrides: object) -> Job:
    data: dict[str, object] = {
        "client": client,
        "employer": employer,
        "title": "Line cook",
        "job_type": JobType.FOOD_SERVICE,
        "started_on": days_ago(5),
        "hours_per_week": Decimal("20"),
        "hourly_wage": Decimal("17.25"),
        **overrides,
    }
    return services.job_start_record(**data)  # type: ignore[arg-type]


def test_job_start_records_the_job_and_who_recorded_it(
    client_: Client, employer: Employer, specialist: User
) -> None:
    job = start(client_, employer, actor=specialist)

    job.refresh_from_db()
    assert (job.title, job.started_on, job.hourly_wage) == (
        "Line cook",
        days_ago(5),
        Decimal("17.25"),
    )
    assert job.created_by == specialist
    assert job.version == 1


def test_a_job_start_may_be_in_the_future(client_: Client, employer: Employer) -> None:
    job = start(client_, employer, started_on=days_ago(-7))  # an offer starting next week

    assert job.started_on == days_ago(-7)


def test_several_overlapping_jobs_are_allowed(
    client_: Client, employer: Employer, program: Program
) -> None:
    MinimumWageFactory(program=program, effective_on=dt.date(2020, 1, 1))
    first = start(client_, employer, started_on=days_ago(30), title="Barista")
    second = start(
        client_, EmployerFactory(program=program), started_on=days_ago(10), title="Clerk"
    )

    assert set(client_.jobs.all()) == {first, second}
    held = Job.objects.held_on(days_ago(1)).filter(client=client_)
    assert set(held) == {first, second}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"hours_per_week": Decimal("-5")},
            "hours_per_week",
            "Ensure this value is greater than or equal to 0.01.",
        ),
        (
            {"hours_per_week": Decimal("0")},
            "hours_per_week",
            "Ensure this value is greater than or equal to 0.01.",
        ),
        (
            {"hourly_wage": Decimal("-0.01")},
            "hourly_wage",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"hourly_wage": Decimal("15.005")},
            "hourly_wage",
            "Ensure that there are no more than 2 decimal places.",
        ),
    ],
)
def test_job_start_rejects_bad_hours_and_wages(
    client_: Client, employer: Employer, overrides: dict[str, Decimal], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        start(client_, employer, **overrides)

    assert message in error.value.message_dict[field]
    assert Job.objects.count() == 0


def test_job_start_rejects_an_employer_of_another_program(
    client_: Client, other_program: Program
) -> None:
    elsewhere = EmployerFactory(program=other_program)

    with pytest.raises(ValidationError) as error:
        start(client_, elsewhere)

    assert error.value.message_dict == {"employer": ["Choose an employer of the client's program."]}
    assert Job.objects.count() == 0


def test_job_start_rejects_an_archived_employer(client_: Client, employer: Employer) -> None:
    record_archive(record=employer, version=employer.version, reason="Closed", actor=None)
    employer.refresh_from_db()

    with pytest.raises(
        ValidationError, match=re.escape("Choose an employer of the client's program.")
    ):
        start(client_, employer)

    assert Job.objects.count() == 0


def test_job_start_rejects_an_archived_client(program: Program, employer: Employer) -> None:
    archived = ClientFactory(program=program, archived=True)

    with pytest.raises(ValidationError, match="archived"):
        start(archived, employer)

    assert Job.objects.count() == 0


# --- Ending and editing --------------------------------------------------------------------------


def test_a_job_ending_does_not_close_the_client(client_: Client, employer: Employer) -> None:
    job = start(client_, employer, started_on=days_ago(30))

    ended = services.job_end_record(
        job=job, version=job.version, ended_on=days_ago(2), end_reason=JobEndReason.LAID_OFF
    )

    ended.refresh_from_db()
    assert (ended.ended_on, ended.end_reason) == (days_ago(2), JobEndReason.LAID_OFF)
    client_.refresh_from_db()
    assert client_.status == "enrolled"
    assert client_.current_episode.closed_on is None


def test_job_end_rejects_an_end_before_the_start(client_: Client, employer: Employer) -> None:
    job = start(client_, employer, started_on=days_ago(10))

    with pytest.raises(ValidationError) as error:
        services.job_end_record(
            job=job, version=job.version, ended_on=days_ago(11), end_reason=JobEndReason.QUIT
        )

    assert error.value.message_dict == {
        "ended_on": ["The end date cannot be before the start date."]
    }
    job.refresh_from_db()
    assert (job.ended_on, job.version) == (None, 1)


def test_job_end_the_day_it_started_is_allowed(client_: Client, employer: Employer) -> None:
    job = start(client_, employer, started_on=days_ago(10))

    ended = services.job_end_record(
        job=job, version=job.version, ended_on=days_ago(10), end_reason=JobEndReason.QUIT
    )

    assert ended.ended_on == days_ago(10)


def test_job_end_rejects_a_future_end(client_: Client, employer: Employer) -> None:
    job = start(client_, employer, started_on=days_ago(10))

    with pytest.raises(ValidationError) as error:
        services.job_end_record(
            job=job, version=job.version, ended_on=days_ago(-1), end_reason=JobEndReason.QUIT
        )

    assert error.value.message_dict == {"ended_on": ["The end date cannot be in the future."]}
    job.refresh_from_db()
    assert job.ended_on is None


def test_job_end_needs_a_reason(client_: Client, employer: Employer) -> None:
    job = start(client_, employer, started_on=days_ago(10))

    with pytest.raises(ValidationError, match=re.escape("Give the reason the job ended.")):
        services.job_end_record(job=job, version=job.version, ended_on=days_ago(1), end_reason="")

    job.refresh_from_db()
    assert job.ended_on is None


def test_clearing_the_end_reopens_the_job_and_clears_the_reason(
    client_: Client, employer: Employer
) -> None:
    job = JobFactory(client=client_, employer=employer, ended=True)

    reopened = services.job_update(job=job, version=job.version, changes={"ended_on": None})

    reopened.refresh_from_db()
    assert (reopened.ended_on, reopened.end_reason) == (None, "")


def test_job_update_refuses_a_stale_version(client_: Client, employer: Employer) -> None:
    job = start(client_, employer)
    services.job_update(job=job, version=1, changes={"title": "Head cook"})

    with pytest.raises(StaleVersionError) as error:
        services.job_update(job=job, version=1, changes={"title": "Dishwasher"})

    assert error.value.current.title == "Head cook"
    job.refresh_from_db()
    assert (job.title, job.version) == ("Head cook", 2)


def test_job_update_refuses_an_employer_of_another_program(
    client_: Client, employer: Employer, other_program: Program
) -> None:
    job = start(client_, employer)

    with pytest.raises(
        ValidationError, match=re.escape("Choose an employer of the client's program.")
    ):
        services.job_update(
            job=job, version=1, changes={"employer": EmployerFactory(program=other_program)}
        )

    job.refresh_from_db()
    assert job.employer == employer


# --- Self-employment, tips, set-aside kinds ------------------------------------------------------


def test_a_job_without_an_employer_must_be_self_employment(program: Program) -> None:
    client = ClientFactory(program=program)

    with pytest.raises(ValidationError) as error:
        services.job_start_record(
            client=client,
            employer=None,
            title="Dog walker",
            job_type="other",
            started_on=days_ago(3),
            hours_per_week=Decimal("10"),
            hourly_wage=Decimal("20"),
        )

    assert error.value.message_dict["employer"] == [
        "Choose the employer, or mark the job as self-employment."
    ]
    assert not Job.objects.exists()


def test_a_self_employed_job_is_recorded_without_an_employer(program: Program) -> None:
    client = ClientFactory(program=program)

    job = services.job_start_record(
        client=client,
        employer=None,
        self_employed=True,
        title="Dog walker",
        job_type="other",
        started_on=days_ago(3),
        hours_per_week=Decimal("10"),
        hourly_wage=Decimal("20"),
    )

    assert (job.employer, job.self_employed) == (None, True)


def test_negative_tips_are_refused(program: Program) -> None:
    client = ClientFactory(program=program)

    with pytest.raises(ValidationError) as error:
        services.job_start_record(
            client=client,
            employer=EmployerFactory(program=program),
            title="Server",
            job_type="food_service",
            started_on=days_ago(3),
            hours_per_week=Decimal("10"),
            hourly_wage=Decimal("2.13"),
            tips_per_hour=Decimal("-1"),
        )

    assert "tips_per_hour" in error.value.message_dict
    assert not Job.objects.exists()
