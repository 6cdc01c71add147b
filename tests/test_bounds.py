"""Bounds and plausibility: what a record may hold, refused alike by the pages (a form error) and
the API (400 naming the field), and periods and weeks in URLs held to the same years.

- dates from 2000-01-01 to the end of next year (`ips.calendar`), on every model people write;
- a date of birth not in the future nor more than 120 years ago, before every referral;
- at most 80 hours a week and 200.00 an hour for a job;
- notes of at most 4,000 characters (addresses 500, a review's summaries 10,000);
- periods and ISO weeks named in URLs within the same years: 400, never a 500, never a
  report queued.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client, Contact, Job
from ips.calendar import date_out_of_range, earliest_date, latest_date, today
from ips.models import NOTE_MAX_LENGTH, Program, User
from outcomes.models import OutcomeReport
from tests.api_world import RESOURCE_BY_NAME as RESOURCE
from tests.api_world import Resource, World, iso
from tests.api_world import world as world  # the fixture
from tests.clients.factories import ClientFactory, api_as, days_ago

pytestmark = pytest.mark.django_db

LoginAs = Callable[[User], HttpClient]
BEFORE_2000 = dt.date(1999, 12, 31)
RANGE = f"Give a date from 2000-01-01 to {latest_date().isoformat()}."
MIB_NOTE = "x" * (1 << 20)
TOO_LONG = f"Ensure this field has no more than {NOTE_MAX_LENGTH} characters."


def _post(http: HttpClient, url: str, body: dict[str, Any]) -> Any:
    return http.post(url, body, content_type="application/json")


def _patch(http: HttpClient, url: str, body: dict[str, Any]) -> Any:
    return http.patch(url, body, content_type="application/json")


# --- The range itself ---------------------------------------------------------------------------


def test_the_range_runs_from_2000_to_the_end_of_next_year() -> None:
    assert earliest_date() == dt.date(2000, 1, 1)
    assert latest_date() == dt.date(today().year + 1, 12, 31)
    assert date_out_of_range(latest_date()) is None
    assert date_out_of_range(latest_date() + dt.timedelta(days=1)) == RANGE


# --- Dates in every API write -------------------------------------------------------------------

# Each date field an API create takes: the resource, and the field.
DATED = [
    ("client", "referred_on"),
    ("client", "enrolled_on"),
    ("contact", "contacted_on"),
    ("job", "started_on"),
    ("support", "provided_on"),
    ("benefits-referral", "referred_on"),
    ("employer-contact", "contacted_on"),
    ("team-meeting", "held_on"),
    ("supervision-session", "held_on"),
    ("fidelity-review", "window_start"),
]


def _create(world: World, resource: Resource, field: str, day: dt.date) -> Any:
    body = {**resource.create(world), field: iso(day)}
    if field == "window_start":
        body["window_end"] = iso(max(day, dt.date(2026, 3, 31)))
    return _post(
        api_as(getattr(world, resource.writer)), reverse(f"api:{resource.basename}-list"), body
    )


@pytest.mark.parametrize(("basename", "field"), DATED, ids=[f"{r}.{f}" for r, f in DATED])
def test_an_api_create_dated_before_2000_is_refused_naming_the_field(
    world: World, basename: str, field: str
) -> None:
    resource = RESOURCE[basename]
    before = resource.model.objects.count()

    response = _create(world, resource, field, BEFORE_2000)

    assert response.status_code == 400
    assert response.json() == {field: [RANGE]}
    assert resource.model.objects.count() == before


@pytest.mark.parametrize(("basename", "field"), DATED, ids=[f"{r}.{f}" for r, f in DATED])
def test_an_api_create_dated_after_next_year_is_refused_naming_the_field(
    world: World, basename: str, field: str
) -> None:
    resource = RESOURCE[basename]
    before = resource.model.objects.count()

    response = _create(world, resource, field, latest_date() + dt.timedelta(days=1))

    assert response.status_code == 400
    assert field in response.json()
    assert resource.model.objects.count() == before


def test_a_job_may_start_up_to_the_end_of_next_year(world: World) -> None:
    response = _create(world, RESOURCE["job"], "started_on", latest_date())

    assert response.status_code == 201
    assert response.json()["started_on"] == latest_date().isoformat()


def test_a_patch_to_a_date_before_2000_is_refused_and_keeps_the_version(world: World) -> None:
    url = reverse("api:job-detail", kwargs={"pk": world.job.pk})

    response = _patch(api_as(world.specialist), url, {"version": 1, "started_on": iso(BEFORE_2000)})

    assert response.status_code == 400
    assert response.json() == {"started_on": [RANGE]}
    assert Job.objects.get(pk=world.job.pk).version == 1


def test_a_page_form_dated_before_2000_shows_the_range_next_to_the_field(
    world: World, login_as: LoginAs
) -> None:
    contact = world.contact

    response = login_as(world.specialist).post(
        reverse("clients:contact_edit", kwargs={"pk": contact.pk}),
        {
            "version": contact.version,
            "contacted_on": iso(BEFORE_2000),
            "minutes": 30,
            "mode": "in_person",
            "place": "community",
            "with_whom": "client",
            "purpose": "job_search",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["contacted_on"] == [RANGE]
    assert Contact.objects.get(pk=contact.pk).version == contact.version


def test_a_page_job_start_after_next_year_shows_the_range_next_to_the_field(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.specialist).post(
        reverse("clients:job_new", kwargs={"pk": world.client.pk}),
        {
            "employer": world.employer.pk,
            "title": "Line cook",
            "job_type": "food_service",
            "started_on": iso(latest_date() + dt.timedelta(days=1)),
            "hours_per_week": "25",
            "hourly_wage": "17.25",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["started_on"] == [RANGE]
    assert Job.objects.count() == 1


# --- Dates of birth and referrals -----------------------------------------------------------------


def _new_client(world: World, **overrides: object) -> dict[str, object]:
    return {**RESOURCE["client"].create(world), **overrides}


def test_a_date_of_birth_before_2000_is_a_date_of_birth_like_any_other(world: World) -> None:
    response = _post(
        api_as(world.specialist),
        reverse("api:client-list"),
        _new_client(world, birth_date="1948-02-29"),
    )

    assert response.status_code == 201
    assert response.json()["birth_date"] == "1948-02-29"


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (days_ago(-1), "The date of birth cannot be in the future."),
        (days_ago(365 * 121), "Give a date of birth within the last 120 years."),
    ],
)
def test_an_implausible_date_of_birth_is_refused(world: World, born: dt.date, message: str) -> None:
    before = Client.objects.count()

    response = _post(
        api_as(world.specialist),
        reverse("api:client-list"),
        _new_client(world, birth_date=iso(born)),
    )

    assert response.status_code == 400
    assert response.json() == {"birth_date": [message]}
    assert Client.objects.count() == before


def test_a_referral_before_the_date_of_birth_is_refused(world: World) -> None:
    body = _new_client(world, birth_date="2015-06-01", referred_on="2010-01-04")
    before = Client.objects.count()

    response = _post(api_as(world.specialist), reverse("api:client-list"), body)

    assert response.status_code == 400
    assert response.json() == {
        "referred_on": ["The referral cannot come before the client's date of birth."]
    }
    assert Client.objects.count() == before


def test_a_date_of_birth_moved_after_the_referral_is_refused_and_keeps_the_version(
    world: World,
) -> None:
    client = world.client
    referred = client.current_episode.referred_on
    url = reverse("api:client-detail", kwargs={"pk": client.pk})

    response = _patch(
        api_as(world.specialist),
        url,
        {"version": client.version, "birth_date": iso(referred + dt.timedelta(days=1))},
    )

    assert response.status_code == 400
    assert response.json() == {
        "birth_date": ["The date of birth must come before the client's referrals."]
    }
    client.refresh_from_db()
    assert (client.birth_date, client.version) == (dt.date(1990, 5, 17), 1)


def test_the_client_page_refuses_a_date_of_birth_after_the_referral(
    world: World, login_as: LoginAs
) -> None:
    client = world.client
    episode = client.current_episode

    response = login_as(world.specialist).post(
        reverse("clients:edit", kwargs={"pk": client.pk}),
        {
            "version": client.version,
            "first_name": client.first_name,
            "last_name": client.last_name,
            "birth_date": iso(episode.referred_on + dt.timedelta(days=1)),
            "referred_on": iso(episode.referred_on),
            "referral_source": episode.referral_source,
            "enrolled_on": iso(episode.enrolled_on),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "birth_date": ["The date of birth must come before the client's referrals."]
    }
    client.refresh_from_db()
    assert client.version == 1


# --- Hours, wages, note lengths -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours_per_week", "999.99", "Hours per week cannot be more than 80."),
        (
            "hourly_wage",
            "52000.00",
            "The hourly wage cannot be more than 200: give the pay for one hour.",
        ),
    ],
)
def test_implausible_hours_and_wages_are_refused_by_the_api(
    world: World, field: str, value: str, message: str
) -> None:
    body = {**RESOURCE["job"].create(world), field: value}

    response = _post(api_as(world.specialist), reverse("api:job-list"), body)

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert Job.objects.count() == 1


def test_80_hours_a_week_and_200_an_hour_are_accepted(world: World) -> None:
    body = {**RESOURCE["job"].create(world), "hours_per_week": "80", "hourly_wage": "200.00"}

    response = _post(api_as(world.specialist), reverse("api:job-list"), body)

    assert response.status_code == 201


def test_the_job_page_refuses_999_hours_a_week_next_to_the_field(
    world: World, login_as: LoginAs
) -> None:
    job = world.job

    response = login_as(world.specialist).post(
        reverse("clients:job_edit", kwargs={"pk": job.pk}),
        {
            "version": job.version,
            "employer": job.employer_id,
            "title": job.title,
            "job_type": job.job_type,
            "started_on": iso(job.started_on),
            "hours_per_week": "999.99",
            "hourly_wage": str(job.hourly_wage),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["hours_per_week"] == [
        "Hours per week cannot be more than 80."
    ]
    assert Job.objects.get(pk=job.pk).version == job.version


def test_a_note_of_a_mebibyte_is_refused_by_the_api(world: World) -> None:
    body = {**RESOURCE["contact"].create(world), "note": MIB_NOTE}
    before = Contact.objects.count()

    response = _post(api_as(world.specialist), reverse("api:contact-list"), body)

    assert response.status_code == 400
    assert response.json() == {"note": [TOO_LONG]}
    assert Contact.objects.count() == before


def test_a_note_of_4000_characters_is_accepted(world: World) -> None:
    body = {**RESOURCE["contact"].create(world), "note": "x" * NOTE_MAX_LENGTH}

    response = _post(api_as(world.specialist), reverse("api:contact-list"), body)

    assert response.status_code == 201


def test_a_note_of_a_mebibyte_is_refused_by_the_page_next_to_the_field(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.specialist).post(
        reverse("clients:contact_quick", kwargs={"pk": world.client.pk}),
        {
            "contacted_on": iso(days_ago(1)),
            "minutes": 30,
            "purpose": "job_search",
            "note": MIB_NOTE,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["note"] == [
        f"Ensure this value has at most {NOTE_MAX_LENGTH} characters (it has {1 << 20})."
    ]
    assert Contact.objects.count() == 1


def test_a_service_refuses_a_long_note_whatever_calls_it(world: World) -> None:
    from django.core.exceptions import ValidationError

    from clients import services

    with pytest.raises(ValidationError) as refused:
        services.contact_log(
            client=world.client,
            specialist=world.specialist,
            contacted_on=days_ago(1),
            minutes=30,
            purpose="job_search",
            note="x" * (NOTE_MAX_LENGTH + 1),
        )

    assert list(refused.value.message_dict) == ["note"]


# --- Every model people write holds its dates to the range --------------------------------------


def test_every_model_with_entered_dates_checks_them() -> None:
    from django.apps import apps
    from django.db import models

    from ips.models import PlausibleDates

    computed = {
        "outcomes.OutcomeRollup",  # from a period already in range, never entered
        "clients.SpecialistAssignment",  # the day of a reassignment, set by the save
    }
    unchecked = {
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label
        in {"ips", "clients", "employers", "supervision", "fidelity"} | {"outcomes"}
        and any(
            isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
            for field in model._meta.concrete_fields
        )
        and not issubclass(model, PlausibleDates)
    }

    assert unchecked == computed


# --- Periods and weeks in URLs ------------------------------------------------------------------

FAR_WEEKS = ["9999-W52", "0001-W01", "1999-W52"]
FAR_PERIODS = ["0001-01", "9999-12", "0001-Q1", "9999-Q4", "1999-Q4"]


@pytest.fixture
def director_world(world: World, director: User) -> World:
    world.director = director
    return world


@pytest.mark.parametrize("week", FAR_WEEKS)
def test_week_pages_and_the_api_refuse_far_weeks_with_400(
    director_world: World, login_as: LoginAs, week: str
) -> None:
    w = director_world
    browser = login_as(w.supervisor)
    program = {"program": w.program.pk, "week": week}

    assert browser.get(reverse("supervision:dashboard"), program).status_code == 400
    assert (
        browser.get(reverse("supervision:drilldown"), {**program, "metric": "caseload"}).status_code
        == 400
    )
    api = api_as(w.supervisor).get(reverse("api:supervision"), program)
    assert api.status_code == 400
    assert api.json() == {"week": [f"Give a year from 2000 to {today().year + 1}."]}
    own_week = login_as(w.specialist).get(reverse("employers:week"), {"week": week})
    assert own_week.status_code == 400


@pytest.mark.parametrize("period", FAR_PERIODS)
def test_report_pages_and_the_api_refuse_far_periods_with_400_and_queue_nothing(
    director_world: World, login_as: LoginAs, period: str
) -> None:
    w = director_world
    program_kwargs = {"scope": "program", "pk": w.program.pk}
    browser = login_as(w.director)
    api = api_as(w.director)

    answers = {
        "dashboard": browser.get(
            reverse("outcomes:dashboard", kwargs=program_kwargs), {"period": period}
        ),
        "table": browser.get(
            reverse(
                "outcomes:table_download",
                kwargs={**program_kwargs, "period": period, "table": "specialists"},
            )
        ),
        "generate": browser.post(
            reverse("outcomes:report_generate", kwargs={**program_kwargs, "period": period})
        ),
        "submission": browser.get(reverse("outcomes:submission_csv", kwargs={"period": period})),
        "api program report": api.get(
            reverse("api:program-report", kwargs={"pk": w.program.pk, "period": period})
        ),
        "api agency report": api.get(
            reverse("api:agency-report", kwargs={"pk": w.agency.pk, "period": period})
        ),
        "api outcomes": api.get(
            reverse("api:outcomes"), {"program": w.program.pk, "period": period}
        ),
    }

    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(
        answers, 400
    )
    assert not OutcomeReport.objects.exists()


def test_the_api_names_the_range_of_a_far_report_period(director_world: World) -> None:
    response = api_as(director_world.director).get(
        reverse("api:program-report", kwargs={"pk": director_world.program.pk, "period": "9999-Q4"})
    )

    assert response.json() == {"period": [f"Give a year from 2000 to {today().year + 1}."]}


def test_a_program_client_can_still_be_created_with_every_date_in_range(
    program: Program, specialist: User
) -> None:
    client = ClientFactory(program=program, specialist=specialist, referred_on=earliest_date())

    assert client.current_episode.referred_on == dt.date(2000, 1, 1)
