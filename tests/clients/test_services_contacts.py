"""Contacts, follow-along supports and benefits referrals: dated within an episode, never ahead."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError

from clients import services
from clients.models import EMPLOYMENT_PURPOSES, BenefitsReferral, Client, Contact, Support
from ips.models import Program, User
from ips.versioning import StaleVersionError
from tests.clients.factories import (
    BenefitsReferralFactory,
    ClientFactory,
    ContactFactory,
    JobFactory,
    days_ago,
)

pytestmark = pytest.mark.django_db

OUTSIDE = "This date is outside the client's enrollment (from referral to closure)."


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    """Referred 90 days ago, enrolled 83 days ago, still enrolled."""
    return ClientFactory(program=program, specialist=specialist)


@pytest.fixture
def closed_client(program: Program, specialist: User) -> Client:
    """Referred 90 days ago, closed 10 days ago."""
    return ClientFactory(program=program, specialist=specialist, closed=True)


def log(client: Client, specialist: User, day: dt.date, **overrides: object) -> Contact:
    data: dict[str, object] = {
        "client": client,
        "specialist": specialist,
        "contacted_on": day,
        "minutes": 30,
        "purpose": Contact.Purpose.JOB_SEARCH,
        **overrides,
    }
    return services.contact_log(**data)  # type: ignore[arg-type]


# --- Contacts -------------------------------------------------------------------------------------


def test_contact_log_defaults_to_in_person_in_the_community_with_the_client(
    client_: Client, specialist: User
) -> None:
    contact = log(client_, specialist, days_ago(0))

    contact.refresh_from_db()
    assert (contact.mode, contact.place, contact.with_whom) == (
        Contact.Mode.IN_PERSON,
        Contact.Place.COMMUNITY,
        Contact.WithWhom.CLIENT,
    )
    assert contact.specialist == specialist
    assert contact.contacted_on == days_ago(0)


def test_contact_log_rejects_future_date(client_: Client, specialist: User) -> None:
    with pytest.raises(ValidationError) as error:
        log(client_, specialist, days_ago(-1))

    assert error.value.message_dict == {
        "contacted_on": ["The contact date cannot be in the future."]
    }
    assert Contact.objects.count() == 0


def test_contact_log_rejects_a_date_before_the_referral(client_: Client, specialist: User) -> None:
    with pytest.raises(ValidationError) as error:
        log(client_, specialist, days_ago(91))

    assert error.value.message_dict == {"contacted_on": [OUTSIDE]}
    assert Contact.objects.count() == 0


def test_contact_log_accepts_the_referral_day(client_: Client, specialist: User) -> None:
    assert log(client_, specialist, days_ago(90)).pk is not None


@pytest.mark.parametrize(("days", "allowed"), [(10, True), (11, True), (9, False), (0, False)])
def test_contact_of_a_closed_client_must_fall_within_the_episode(
    closed_client: Client, specialist: User, days: int, allowed: bool
) -> None:
    if allowed:
        assert log(closed_client, specialist, days_ago(days)).pk is not None
        return
    with pytest.raises(ValidationError) as error:
        log(closed_client, specialist, days_ago(days))

    assert error.value.message_dict == {"contacted_on": [OUTSIDE]}
    assert Contact.objects.count() == 0


def test_contact_in_an_earlier_episode_is_allowed_after_reenrollment(
    closed_client: Client, specialist: User
) -> None:
    again = services.client_reenroll(
        client=closed_client,
        version=closed_client.version,
        referred_on=days_ago(3),
        referral_source="self",
    )

    assert log(again, specialist, days_ago(20)).pk is not None  # first episode
    assert log(again, specialist, days_ago(1)).pk is not None  # current episode
    with pytest.raises(ValidationError, match=re.escape("outside the client's enrollment")):
        log(again, specialist, days_ago(5))  # between the two
    assert Contact.objects.filter(client=again).count() == 2


def test_contact_log_refuses_an_archived_client(program: Program, specialist: User) -> None:
    archived = ClientFactory(program=program, archived=True)

    with pytest.raises(ValidationError, match="archived"):
        log(archived, specialist, days_ago(1))

    assert Contact.objects.count() == 0


@pytest.mark.parametrize("minutes", [0, -5, 1441])
def test_contact_log_rejects_minutes_out_of_range(
    client_: Client, specialist: User, minutes: int
) -> None:
    with pytest.raises(ValidationError) as error:
        log(client_, specialist, days_ago(1), minutes=minutes)

    assert "minutes" in error.value.message_dict
    assert Contact.objects.count() == 0


def test_contact_update_refuses_a_future_date(client_: Client, specialist: User) -> None:
    contact = log(client_, specialist, days_ago(3))

    with pytest.raises(ValidationError) as error:
        services.contact_update(
            contact=contact, version=contact.version, changes={"contacted_on": days_ago(-2)}
        )

    assert error.value.message_dict == {
        "contacted_on": ["The contact date cannot be in the future."]
    }
    contact.refresh_from_db()
    assert (contact.contacted_on, contact.version) == (days_ago(3), 1)


def test_contact_update_refuses_a_date_after_closure(
    closed_client: Client, specialist: User
) -> None:
    contact = log(closed_client, specialist, days_ago(20))

    with pytest.raises(ValidationError) as error:
        services.contact_update(
            contact=contact, version=contact.version, changes={"contacted_on": days_ago(5)}
        )

    assert error.value.message_dict == {"contacted_on": [OUTSIDE]}
    contact.refresh_from_db()
    assert contact.contacted_on == days_ago(20)


def test_contact_update_refuses_a_stale_version(client_: Client, specialist: User) -> None:
    contact = log(client_, specialist, days_ago(3))
    services.contact_update(contact=contact, version=1, changes={"minutes": 50})

    with pytest.raises(StaleVersionError):
        services.contact_update(contact=contact, version=1, changes={"minutes": 10})

    contact.refresh_from_db()
    assert (contact.minutes, contact.version) == (50, 2)


def test_archived_contacts_leave_the_last_contact_date(client_: Client, specialist: User) -> None:
    ContactFactory(client=client_, specialist=specialist, contacted_on=days_ago(40))
    ContactFactory(client=client_, specialist=specialist, contacted_on=days_ago(2), archived=True)

    row = Client.objects.with_last_contact().get(pk=client_.pk)

    assert row.last_contact_on == days_ago(40)


# --- Supports -------------------------------------------------------------------------------------


def test_support_record_links_one_of_the_clients_jobs(client_: Client, specialist: User) -> None:
    job = JobFactory(client=client_)

    support = services.support_record(
        client=client_,
        specialist=specialist,
        provided_on=days_ago(1),
        kind=Support.Kind.ON_THE_JOB,
        job=job,
        note="Met the shift manager",
    )

    support.refresh_from_db()
    assert (support.job, support.specialist, support.note) == (
        job,
        specialist,
        "Met the shift manager",
    )


def test_support_record_refuses_another_clients_job(
    client_: Client, specialist: User, program: Program
) -> None:
    someone_elses = JobFactory(client=ClientFactory(program=program))

    with pytest.raises(ValidationError) as error:
        services.support_record(
            client=client_,
            specialist=specialist,
            provided_on=days_ago(1),
            kind=Support.Kind.ON_THE_JOB,
            job=someone_elses,
        )

    assert error.value.message_dict == {"job": ["Choose one of this client's jobs."]}
    assert Support.objects.count() == 0


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "The support date cannot be in the future."), (91, OUTSIDE)],
)
def test_support_record_rejects_dates_outside_the_episode_or_ahead(
    client_: Client, specialist: User, days: int, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.support_record(
            client=client_,
            specialist=specialist,
            provided_on=days_ago(days),
            kind=Support.Kind.OFF_THE_JOB,
        )

    assert error.value.message_dict == {"provided_on": [message]}
    assert Support.objects.count() == 0


def test_supports_continue_long_after_a_job_started(client_: Client, specialist: User) -> None:
    """Follow-along supports are time-unlimited: no cut-off after the job start."""
    job = JobFactory(client=client_, started_on=days_ago(80))

    support = services.support_record(
        client=client_,
        specialist=specialist,
        provided_on=days_ago(0),
        kind=Support.Kind.WITH_EMPLOYER,
        job=job,
    )

    assert support.pk is not None


# --- Benefits referrals ---------------------------------------------------------------------------


def refer(client: Client, **overrides: object) -> BenefitsReferral:
    data: dict[str, object] = {
        "client": client,
        "referred_on": days_ago(20),
        "counselor": "WIPA office",
        "benefits": ["ssdi", "ssi"],
        **overrides,
    }
    return services.benefits_referral_record(**data)  # type: ignore[arg-type]


def test_benefits_referral_stores_benefits_in_a_fixed_order_without_repeats(
    client_: Client, specialist: User
) -> None:
    referral = refer(client_, benefits=["medicaid", "ssi", "ssi"], actor=specialist)

    referral.refresh_from_db()
    assert referral.benefits == ["ssi", "medicaid"]
    assert referral.created_by == specialist


def test_benefits_referral_rejects_unknown_benefits(client_: Client) -> None:
    with pytest.raises(ValidationError) as error:
        refer(client_, benefits=["ssi", "lottery"])

    assert error.value.message_dict == {"benefits": ["Unknown benefits: lottery"]}
    assert BenefitsReferral.objects.count() == 0


def test_benefits_planning_cannot_be_completed_before_the_referral(client_: Client) -> None:
    with pytest.raises(ValidationError) as error:
        refer(client_, referred_on=days_ago(20), planning_completed_on=days_ago(21))

    assert error.value.message_dict == {
        "planning_completed_on": ["Planning cannot be completed before the referral."]
    }
    assert BenefitsReferral.objects.count() == 0


def test_benefits_planning_on_the_referral_day_is_allowed(client_: Client) -> None:
    referral = refer(client_, referred_on=days_ago(20), planning_completed_on=days_ago(20))

    assert referral.planning_completed_on == days_ago(20)


@pytest.mark.parametrize(
    ("field", "days", "message"),
    [
        ("referred_on", -1, "The referral date cannot be in the future."),
        ("planning_completed_on", -1, "The planning date cannot be in the future."),
        ("referred_on", 95, OUTSIDE),
    ],
)
def test_benefits_referral_rejects_bad_dates(
    client_: Client, field: str, days: int, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        refer(client_, **{field: days_ago(days)})

    assert error.value.message_dict == {field: [message]}
    assert BenefitsReferral.objects.count() == 0


def test_benefits_referral_update_records_planning_completed(client_: Client) -> None:
    referral = BenefitsReferralFactory(client=client_, referred_on=days_ago(20))

    updated = services.benefits_referral_update(
        referral=referral, version=1, changes={"planning_completed_on": days_ago(5)}
    )

    updated.refresh_from_db()
    assert (updated.planning_completed_on, updated.version) == (days_ago(5), 2)


def test_benefits_referral_update_refuses_planning_before_referral(client_: Client) -> None:
    referral = BenefitsReferralFactory(client=client_, referred_on=days_ago(20))

    with pytest.raises(
        ValidationError, match=re.escape("Planning cannot be completed before the referral.")
    ):
        services.benefits_referral_update(
            referral=referral, version=1, changes={"planning_completed_on": days_ago(30)}
        )

    referral.refresh_from_db()
    assert (referral.planning_completed_on, referral.version) == (None, 1)


@pytest.mark.parametrize(
    ("mode", "place"),
    [
        (Contact.Mode.IN_PERSON, Contact.Place.COMMUNITY),
        (Contact.Mode.PHONE, Contact.Place.REMOTE),
        (Contact.Mode.VIDEO, Contact.Place.REMOTE),
        (Contact.Mode.EMAIL, Contact.Place.REMOTE),
    ],
)
def test_contact_place_defaults_from_the_mode(
    client_: Client, specialist: User, mode: str, place: str
) -> None:
    contact = log(client_, specialist, days_ago(1), mode=mode)

    assert contact.place == place


def test_contact_place_given_wins_over_the_mode(client_: Client, specialist: User) -> None:
    contact = log(
        client_, specialist, days_ago(1), mode=Contact.Mode.PHONE, place=Contact.Place.OFFICE
    )

    assert contact.place == Contact.Place.OFFICE


def test_other_work_is_logged_but_is_not_an_employment_service(
    client_: Client, specialist: User
) -> None:
    contact = log(client_, specialist, days_ago(1), purpose=Contact.Purpose.CRISIS)

    assert contact.purpose == Contact.Purpose.CRISIS
    assert Contact.Purpose.CRISIS not in EMPLOYMENT_PURPOSES
    assert Contact.Purpose.OUTREACH in EMPLOYMENT_PURPOSES


def test_support_records_who_gave_it(client_: Client, specialist: User) -> None:
    support = services.support_record(
        client=client_,
        specialist=specialist,
        provided_on=days_ago(1),
        kind=Support.Kind.CAREER,
        provider=Support.Provider.FAMILY,
    )

    assert (support.kind, support.provider, support.specialist) == (
        Support.Kind.CAREER,
        Support.Provider.FAMILY,
        specialist,
    )
