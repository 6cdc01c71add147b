"""Client services: zero exclusion at intake, duplicate warnings, episodes, versioned edits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from clients import services
from clients.forms import ClientForm, ClientIntakeForm
from clients.models import Client, ClosureReason, Episode, ReferralSource
from ips.models import Program, Role, User
from ips.versioning import StaleVersionError
from tests.clients.factories import ClientFactory, days_ago
from tests.factories import ProgramFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db

# Words that would make a field a screening question (IPS zero exclusion): nobody is kept out
# for a diagnosis, "not being ready", symptoms, substance use or a criminal record.
SCREENING_WORDS = (
    "diagnos",
    "readiness",
    "ready",
    "symptom",
    "substance",
    "drug",
    "alcohol",
    "criminal",
    "convict",
    "offen",
    "arrest",
    "psychiatr",
    "medication",
    "eligib",
)


def screening_fields(names: list[str]) -> list[str]:
    return [name for name in names if any(word in name.lower() for word in SCREENING_WORDS)]


def model_field_names(model: type[models.Model]) -> list[str]:
    return [field.name for field in model._meta.get_fields()]


# --- Zero exclusion --------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Client, Episode])
def test_client_and_episode_have_no_screening_fields(model: type[models.Model]) -> None:
    names = model_field_names(model)
    assert "first_name" in names or "referred_on" in names  # the check looks at real fields

    assert screening_fields(names) == []


def test_intake_and_edit_forms_have_no_screening_fields(program: Program) -> None:
    intake = ClientIntakeForm(
        programs=Program.objects.filter(pk=program.pk), specialists=User.objects.none()
    )
    edit = ClientForm(instance=ClientFactory(program=program), specialists=User.objects.none())

    assert "referral_source" in intake.fields
    assert screening_fields(list(intake.fields)) == []
    assert screening_fields(list(edit.fields)) == []


def test_intake_form_requires_only_name_birth_date_and_referral(program: Program) -> None:
    form = ClientIntakeForm(
        programs=Program.objects.filter(pk=program.pk), specialists=User.objects.none()
    )

    required = {name for name, field in form.fields.items() if field.required}

    assert required == {
        "program",
        "first_name",
        "last_name",
        "birth_date",
        "referred_on",
        "referral_source",
    }


def test_enroll_takes_anyone_with_a_name_birth_date_and_referral(program: Program) -> None:
    client = services.client_enroll(
        program=program,
        first_name="Jamie",
        last_name="Rivera",
        birth_date=dt.date(1988, 2, 29),
        referred_on=days_ago(1),
        referral_source=ReferralSource.SELF,
    )

    client.refresh_from_db()
    assert client.status == "referred"
    assert client.specialist is None
    assert client.current_episode is not None
    assert client.current_episode.referred_on == days_ago(1)
    assert client.current_episode.referral_source == ReferralSource.SELF
    assert client.profile.pk is not None  # the career profile starts empty with the client


def test_enroll_with_enrollment_date_is_enrolled(program: Program, specialist: User) -> None:
    client = services.client_enroll(
        program=program,
        specialist=specialist,
        first_name="Jamie",
        last_name="Rivera",
        birth_date=dt.date(1988, 2, 29),
        referred_on=days_ago(5),
        referral_source=ReferralSource.MH_PRACTITIONER,
        enrolled_on=days_ago(2),
    )

    assert client.status == "enrolled"
    assert client.current_episode.enrolled_on == days_ago(2)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("referred_on", "The referral date cannot be in the future."),
        ("birth_date", "The date of birth cannot be in the future."),
        ("enrolled_on", "The enrollment date cannot be in the future."),
    ],
)
def test_enroll_rejects_future_dates(program: Program, field: str, message: str) -> None:
    data = {
        "program": program,
        "first_name": "Jamie",
        "last_name": "Rivera",
        "birth_date": dt.date(1988, 2, 29),
        "referred_on": days_ago(3),
        "referral_source": ReferralSource.SELF,
        field: days_ago(-1),
    }

    with pytest.raises(ValidationError) as error:
        services.client_enroll(**data)

    assert error.value.message_dict == {field: [message]}
    assert Client.objects.count() == 0
    assert Episode.objects.count() == 0


def test_enroll_rejects_enrollment_before_referral(program: Program) -> None:
    with pytest.raises(
        ValidationError, match=re.escape("Enrollment cannot come before the referral.")
    ):
        services.client_enroll(
            program=program,
            first_name="Jamie",
            last_name="Rivera",
            birth_date=dt.date(1988, 2, 29),
            referred_on=days_ago(3),
            referral_source=ReferralSource.SELF,
            enrolled_on=days_ago(4),
        )

    assert Client.objects.count() == 0  # the whole intake is rolled back


def test_enroll_rejects_a_specialist_of_another_program(
    program: Program, other_program: Program
) -> None:
    elsewhere = StaffRoleFactory(role=Role.SPECIALIST, program=other_program).user

    with pytest.raises(ValidationError) as error:
        services.client_enroll(
            program=program,
            specialist=elsewhere,
            first_name="Jamie",
            last_name="Rivera",
            birth_date=dt.date(1988, 2, 29),
            referred_on=days_ago(3),
            referral_source=ReferralSource.SELF,
        )

    assert error.value.message_dict == {
        "specialist": ["Assign a specialist of the client's program."]
    }
    assert Client.objects.count() == 0


# --- Duplicate warning ---------------------------------------------------------------------------


def test_possible_duplicates_match_name_and_birth_date_case_insensitively_in_the_agency(
    program: Program, other_program: Program, outsider_program: Program
) -> None:
    same_program = ClientFactory(
        program=program, first_name="Jamie", last_name="Rivera", birth_date=dt.date(1988, 2, 29)
    )
    same_agency = ClientFactory(
        program=other_program,
        first_name="JAMIE",
        last_name="rivera",
        birth_date=dt.date(1988, 2, 29),
    )
    ClientFactory(  # another agency's client is none of this agency's business
        program=outsider_program,
        first_name="Jamie",
        last_name="Rivera",
        birth_date=dt.date(1988, 2, 29),
    )
    ClientFactory(  # same name, another birth date
        program=program, first_name="Jamie", last_name="Rivera", birth_date=dt.date(1988, 3, 1)
    )
    ClientFactory(  # archived records do not warn
        program=program,
        first_name="Jamie",
        last_name="Rivera",
        birth_date=dt.date(1988, 2, 29),
        archived=True,
    )

    found = services.client_possible_duplicates(
        program=program, first_name=" jamie ", last_name="RIVERA", birth_date=dt.date(1988, 2, 29)
    )

    assert {client.pk for client in found} == {same_program.pk, same_agency.pk}


def test_no_duplicates_for_another_agency(program: Program, outsider_program: Program) -> None:
    ClientFactory(
        program=outsider_program,
        first_name="Jamie",
        last_name="Rivera",
        birth_date=dt.date(1988, 2, 29),
    )

    assert (
        services.client_possible_duplicates(
            program=program, first_name="Jamie", last_name="Rivera", birth_date=dt.date(1988, 2, 29)
        )
        == []
    )


# --- Closing and re-enrolling -------------------------------------------------------------------


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    """Referred 90 days ago, enrolled 83 days ago, still enrolled."""
    return ClientFactory(program=program, specialist=specialist)


def close(client: Client, days: int = 10) -> Client:
    return services.client_close(
        client=client,
        version=client.version,
        closed_on=days_ago(days),
        closure_reason=ClosureReason.WORKING_STEADILY,
    )


def test_close_ends_the_current_episode(client_: Client) -> None:
    closed = close(client_)

    closed.refresh_from_db()
    assert closed.status == "closed"
    assert closed.current_episode.closed_on == days_ago(10)
    assert closed.current_episode.closure_reason == ClosureReason.WORKING_STEADILY


def test_close_refuses_an_already_closed_client(client_: Client) -> None:
    closed = close(client_)

    with pytest.raises(ValidationError, match="already closed"):
        close(closed, days=5)

    closed.current_episode.refresh_from_db()
    assert closed.current_episode.closed_on == days_ago(10)


def test_close_refuses_a_future_date(client_: Client) -> None:
    with pytest.raises(ValidationError) as error:
        close(client_, days=-1)

    assert error.value.message_dict == {"closed_on": ["This date cannot be in the future."]}
    client_.current_episode.refresh_from_db()
    assert client_.current_episode.closed_on is None


def test_reenroll_after_close_keeps_the_earlier_episode(client_: Client) -> None:
    first = client_.current_episode
    closed = close(client_)

    again = services.client_reenroll(
        client=closed,
        version=closed.version,
        referred_on=days_ago(3),
        referral_source=ReferralSource.SELF,
        enrolled_on=days_ago(2),
    )

    again.refresh_from_db()
    assert again.episodes.count() == 2
    assert again.current_episode != first
    assert again.status == "enrolled"
    assert (again.current_episode.referred_on, again.current_episode.closed_on) == (
        days_ago(3),
        None,
    )
    first.refresh_from_db()
    assert (first.referred_on, first.enrolled_on, first.closed_on) == (
        days_ago(90),
        days_ago(83),
        days_ago(10),
    )
    assert first.closure_reason == ClosureReason.WORKING_STEADILY


@pytest.mark.parametrize("days", [10, 11])
def test_reenroll_referral_must_come_after_the_last_closure(client_: Client, days: int) -> None:
    closed = close(client_, days=10)

    with pytest.raises(ValidationError) as error:
        services.client_reenroll(
            client=closed,
            version=closed.version,
            referred_on=days_ago(days),
            referral_source=ReferralSource.SELF,
        )

    assert error.value.message_dict == {
        "referred_on": ["The new referral must come after the last closure."]
    }
    assert closed.episodes.count() == 1


def test_reenroll_the_day_after_closure_is_allowed(client_: Client) -> None:
    closed = close(client_, days=10)

    again = services.client_reenroll(
        client=closed,
        version=closed.version,
        referred_on=days_ago(9),
        referral_source=ReferralSource.SELF,
    )

    assert again.episodes.count() == 2
    assert again.status == "referred"


def test_a_client_still_enrolled_cannot_reenroll(client_: Client) -> None:
    with pytest.raises(ValidationError, match="still enrolled"):
        services.client_reenroll(
            client=client_,
            version=client_.version,
            referred_on=days_ago(1),
            referral_source=ReferralSource.SELF,
        )

    assert client_.episodes.count() == 1


def test_reenroll_refuses_a_stale_version(client_: Client) -> None:
    closed = close(client_)

    with pytest.raises(StaleVersionError):
        services.client_reenroll(
            client=closed,
            version=closed.version - 1,
            referred_on=days_ago(3),
            referral_source=ReferralSource.SELF,
        )

    assert closed.episodes.count() == 1


# --- Editing --------------------------------------------------------------------------------------


def test_update_changes_details_and_current_episode_and_bumps_the_version(
    client_: Client, other_specialist: User
) -> None:
    updated = services.client_update(
        client=client_,
        version=client_.version,
        changes={"phone": "555-0100", "specialist": other_specialist, "enrolled_on": days_ago(80)},
    )

    updated.refresh_from_db()
    assert updated.phone == "555-0100"
    assert updated.specialist == other_specialist
    assert updated.current_episode.enrolled_on == days_ago(80)
    assert updated.version == client_.version + 1


def test_update_refuses_a_stale_version(client_: Client) -> None:
    services.client_update(client=client_, version=client_.version, changes={"phone": "first"})

    with pytest.raises(StaleVersionError) as error:
        services.client_update(client=client_, version=client_.version, changes={"phone": "second"})

    assert error.value.current.phone == "first"
    client_.refresh_from_db()
    assert client_.phone == "first"


def test_update_refuses_fields_it_does_not_own(client_: Client, other_program: Program) -> None:
    with pytest.raises(ValidationError, match="cannot be changed here: program"):
        services.client_update(
            client=client_, version=client_.version, changes={"program": other_program}
        )

    client_.refresh_from_db()
    assert client_.program_id != other_program.pk


def test_update_refuses_a_specialist_of_another_program(client_: Client) -> None:
    elsewhere = StaffRoleFactory(role=Role.SPECIALIST, program=ProgramFactory()).user
    before = client_.specialist_id

    with pytest.raises(ValidationError) as error:
        services.client_update(
            client=client_, version=client_.version, changes={"specialist": elsewhere}
        )

    assert error.value.message_dict == {
        "specialist": ["Assign a specialist of the client's program."]
    }
    client_.refresh_from_db()
    assert client_.specialist_id == before
