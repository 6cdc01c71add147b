"""Record pages about a client (jobs, contacts, supports, benefits referrals): bad input is
refused next to its field and changes nothing; stale edits are refused and can be saved again."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import BenefitsReferral, Client, Contact, Job, Support
from employers.models import Employer
from ips.models import Program, User
from tests.clients.factories import (
    BenefitsReferralFactory,
    ClientFactory,
    ContactFactory,
    EmployerFactory,
    JobFactory,
    days_ago,
)
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db

LoginAs = Callable[[User], HttpClient]
OUTSIDE = "This date is outside the client&#x27;s enrollment (from referral to closure)."


def hidden_value(page: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the page"
    return match.group(1)


def field_errors(response: object, field: str) -> list[str]:
    """The errors shown next to `field` (not at the top of the form)."""
    return list(response.context["form"].errors.get(field, []))  # type: ignore[attr-defined]


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    """Referred 90 days ago, enrolled 83 days ago, on Sam's caseload."""
    return ClientFactory(program=program, specialist=specialist, last_name="Rivera")


@pytest.fixture
def employer(program: Program) -> Employer:
    return EmployerFactory(program=program, name="Harbourside Bakery")


@pytest.fixture
def job(client_: Client, employer: Employer) -> Job:
    return JobFactory(client=client_, employer=employer, title="Barista", started_on=days_ago(30))


# --- Job start -------------------------------------------------------------------------------


def job_start(employer: Employer, **overrides: object) -> dict[str, object]:
    return {
        "employer": employer.pk,
        "title": "Line cook",
        "job_type": "food_service",
        "started_on": days_ago(2).isoformat(),
        "hours_per_week": "25",
        "hourly_wage": "17.25",
        **overrides,
    }


def test_job_start_page_records_the_job(
    login_as: LoginAs, client_: Client, employer: Employer, specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("clients:job_new", kwargs={"pk": client_.pk}), job_start(employer)
    )

    assert response.status_code == 302
    job = Job.objects.get()
    assert (job.client, job.employer, job.hourly_wage, job.created_by) == (
        client_,
        employer,
        Decimal("17.25"),
        specialist,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours_per_week", "-5", "Ensure this value is greater than or equal to 0.01."),
        ("hourly_wage", "-1.00", "Ensure this value is greater than or equal to 0."),
        ("hourly_wage", "15.005", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_job_start_page_rejects_bad_hours_and_wages(
    login_as: LoginAs,
    client_: Client,
    employer: Employer,
    specialist: User,
    field: str,
    value: str,
    message: str,
) -> None:
    response = login_as(specialist).post(
        reverse("clients:job_new", kwargs={"pk": client_.pk}),
        job_start(employer, **{field: value}),
    )

    assert response.status_code == 200
    assert field_errors(response, field) == [message]
    assert message in response.content.decode()
    assert Job.objects.count() == 0


def test_job_start_page_rejects_an_employer_of_another_program(
    login_as: LoginAs, client_: Client, other_program: Program, specialist: User
) -> None:
    elsewhere = EmployerFactory(program=other_program)

    response = login_as(specialist).post(
        reverse("clients:job_new", kwargs={"pk": client_.pk}), job_start(elsewhere)
    )

    assert response.status_code == 200
    assert field_errors(response, "employer") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Job.objects.count() == 0


def test_job_start_page_lists_only_the_programs_live_employers(
    login_as: LoginAs, client_: Client, employer: Employer, other_program: Program, specialist: User
) -> None:
    EmployerFactory(program=other_program, name="Bridge Hardware")
    EmployerFactory(
        program=client_.program, name="Closed Cafe", archived_at=dt.datetime.now(dt.UTC)
    )

    response = login_as(specialist).get(reverse("clients:job_new", kwargs={"pk": client_.pk}))

    choices = list(response.context["form"].fields["employer"].queryset)
    assert choices == [employer]


def test_job_start_for_a_client_of_another_program_is_404(
    login_as: LoginAs, other_program: Program, specialist: User
) -> None:
    elsewhere = ClientFactory(program=other_program)
    their_employer = EmployerFactory(program=other_program)

    response = login_as(specialist).post(
        reverse("clients:job_new", kwargs={"pk": elsewhere.pk}), job_start(their_employer)
    )

    assert response.status_code == 404
    assert Job.objects.count() == 0


# --- Job edit and job end ------------------------------------------------------------------------


def job_edit_data(job: Job, version: str, **overrides: object) -> dict[str, object]:
    return {
        "version": version,
        "employer": job.employer_id,
        "title": job.title,
        "job_type": job.job_type,
        "started_on": job.started_on.isoformat(),
        "ended_on": job.ended_on.isoformat() if job.ended_on else "",
        "end_reason": job.end_reason,
        "hours_per_week": str(job.hours_per_week),
        "hourly_wage": str(job.hourly_wage),
        **overrides,
    }


def test_job_edit_rejects_an_end_before_the_start_next_to_the_field(
    login_as: LoginAs, job: Job, specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("clients:job_edit", kwargs={"pk": job.pk}),
        job_edit_data(job, str(job.version), ended_on=days_ago(31).isoformat(), end_reason="quit"),
    )

    assert response.status_code == 200
    assert field_errors(response, "ended_on") == ["The end date cannot be before the start date."]
    job.refresh_from_db()
    assert (job.ended_on, job.end_reason, job.version) == (None, "", 1)


def test_job_end_rejects_an_end_before_the_start_next_to_the_field(
    login_as: LoginAs, job: Job, specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("clients:job_end", kwargs={"pk": job.pk}),
        {"version": job.version, "ended_on": days_ago(31).isoformat(), "end_reason": "quit"},
    )

    assert response.status_code == 200
    assert field_errors(response, "ended_on") == ["The end date cannot be before the start date."]
    job.refresh_from_db()
    assert (job.ended_on, job.version) == (None, 1)


def test_job_end_rejects_a_future_end_next_to_the_field(
    login_as: LoginAs, job: Job, specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("clients:job_end", kwargs={"pk": job.pk}),
        {"version": job.version, "ended_on": days_ago(-1).isoformat(), "end_reason": "quit"},
    )

    assert response.status_code == 200
    assert field_errors(response, "ended_on") == ["The end date cannot be in the future."]
    job.refresh_from_db()
    assert job.ended_on is None


def test_job_end_page_keeps_the_client_enrolled(
    login_as: LoginAs, job: Job, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("clients:job_end", kwargs={"pk": job.pk}),
        {"version": job.version, "ended_on": days_ago(1).isoformat(), "end_reason": "laid_off"},
    )

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.ended_on, job.end_reason) == (days_ago(1), "laid_off")
    client_.refresh_from_db()
    assert client_.status == "enrolled"


def test_job_edit_rejects_negative_hours_next_to_the_field(
    login_as: LoginAs, job: Job, specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("clients:job_edit", kwargs={"pk": job.pk}),
        job_edit_data(job, str(job.version), hours_per_week="-1"),
    )

    assert field_errors(response, "hours_per_week") == [
        "Ensure this value is greater than or equal to 0.01."
    ]
    job.refresh_from_db()
    assert (job.hours_per_week, job.version) == (Decimal("20.00"), 1)


def test_job_edit_refuses_a_stale_save_and_shows_both_versions(
    login_as: LoginAs, job: Job, specialist: User, supervisor: User
) -> None:
    edit = reverse("clients:job_edit", kwargs={"pk": job.pk})
    sam, sue = login_as(specialist), HttpClient()
    sue.force_login(supervisor, backend=MODEL_BACKEND)
    sams_version = hidden_value(sam.get(edit).content.decode(), "version")
    sues_version = hidden_value(sue.get(edit).content.decode(), "version")

    first = sam.post(edit, job_edit_data(job, sams_version, title="Head barista"))
    second = sue.post(edit, job_edit_data(job, sues_version, title="Shift lead"))

    assert first.status_code == 302
    assert second.status_code == 200
    page = second.content.decode()
    assert "This record was changed by someone else since you opened it." in page
    block = page[page.index('data-testid="stale-differences"') :].split("</div>", 1)[0]
    assert "Head barista" in block
    assert "Shift lead" in block
    assert [d.label for d in second.context["differences"]] == ["Title"]
    assert 'name="title" value="Shift lead"' in page
    job.refresh_from_db()
    assert (job.title, job.version) == ("Head barista", 2)

    again = sue.post(edit, job_edit_data(job, hidden_value(page, "version"), title="Shift lead"))

    assert again.status_code == 302
    job.refresh_from_db()
    assert (job.title, job.version) == ("Shift lead", 3)


# --- Contact edit ---------------------------------------------------------------------------------


def contact_data(contact: Contact, **overrides: object) -> dict[str, object]:
    return {
        "version": contact.version,
        "contacted_on": contact.contacted_on.isoformat(),
        "minutes": contact.minutes,
        "mode": contact.mode,
        "place": contact.place,
        "with_whom": contact.with_whom,
        "purpose": contact.purpose,
        "note": contact.note,
        **overrides,
    }


def test_contact_edit_rejects_a_future_date_next_to_the_field(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    contact = ContactFactory(client=client_, specialist=specialist, contacted_on=days_ago(3))

    response = login_as(specialist).post(
        reverse("clients:contact_edit", kwargs={"pk": contact.pk}),
        contact_data(contact, contacted_on=days_ago(-1).isoformat()),
    )

    assert response.status_code == 200
    assert field_errors(response, "contacted_on") == ["The contact date cannot be in the future."]
    contact.refresh_from_db()
    assert (contact.contacted_on, contact.version) == (days_ago(3), 1)


def test_contact_edit_rejects_a_date_after_a_closed_clients_episode(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    closed = ClientFactory(program=program, specialist=specialist, closed=True)  # 10 days ago
    contact = ContactFactory(client=closed, specialist=specialist, contacted_on=days_ago(20))

    response = login_as(specialist).post(
        reverse("clients:contact_edit", kwargs={"pk": contact.pk}),
        contact_data(contact, contacted_on=days_ago(5).isoformat()),
    )

    assert response.status_code == 200
    assert OUTSIDE in response.content.decode()
    assert len(field_errors(response, "contacted_on")) == 1
    contact.refresh_from_db()
    assert (contact.contacted_on, contact.version) == (days_ago(20), 1)


def test_contact_edit_rejects_negative_minutes(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    contact = ContactFactory(client=client_, specialist=specialist)

    response = login_as(specialist).post(
        reverse("clients:contact_edit", kwargs={"pk": contact.pk}),
        contact_data(contact, minutes="-10"),
    )

    assert response.status_code == 200
    assert field_errors(response, "minutes")
    contact.refresh_from_db()
    assert (contact.minutes, contact.version) == (45, 1)


def test_contact_edit_saves(login_as: LoginAs, client_: Client, specialist: User) -> None:
    contact = ContactFactory(client=client_, specialist=specialist, contacted_on=days_ago(3))

    response = login_as(specialist).post(
        reverse("clients:contact_edit", kwargs={"pk": contact.pk}),
        contact_data(contact, minutes=60, note="Visited the bakery together"),
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.minutes, contact.note, contact.version) == (
        60,
        "Visited the bakery together",
        2,
    )


# --- Supports and benefits referrals ------------------------------------------------------------


def test_support_page_rejects_a_future_date(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("clients:support_new", kwargs={"pk": client_.pk}),
        {"provided_on": days_ago(-1).isoformat(), "kind": "off_the_job"},
    )

    assert response.status_code == 200
    assert field_errors(response, "provided_on") == ["The support date cannot be in the future."]
    assert Support.objects.count() == 0


def test_support_page_records_a_support_for_the_clients_job(
    login_as: LoginAs, client_: Client, job: Job, specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("clients:support_new", kwargs={"pk": client_.pk}),
        {"provided_on": days_ago(1).isoformat(), "kind": "on_the_job", "job": job.pk},
    )

    assert response.status_code == 302
    support = Support.objects.get()
    assert (support.job, support.specialist) == (job, specialist)


def referral_data(**overrides: object) -> dict[str, object]:
    return {
        "referred_on": days_ago(20).isoformat(),
        "counselor": "WIPA office",
        "benefits": ["ssi", "medicaid"],
        **overrides,
    }


def test_benefits_page_rejects_planning_before_the_referral_next_to_the_field(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("clients:benefits_new", kwargs={"pk": client_.pk}),
        referral_data(planning_completed_on=days_ago(21).isoformat()),
    )

    assert response.status_code == 200
    assert field_errors(response, "planning_completed_on") == [
        "Planning cannot be completed before the referral."
    ]
    assert BenefitsReferral.objects.count() == 0


def test_benefits_edit_rejects_planning_before_the_referral_next_to_the_field(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    referral = BenefitsReferralFactory(client=client_, referred_on=days_ago(20))

    response = login_as(specialist).post(
        reverse("clients:benefits_edit", kwargs={"pk": referral.pk}),
        referral_data(version=referral.version, planning_completed_on=days_ago(25).isoformat()),
    )

    assert response.status_code == 200
    assert field_errors(response, "planning_completed_on") == [
        "Planning cannot be completed before the referral."
    ]
    referral.refresh_from_db()
    assert (referral.planning_completed_on, referral.version) == (None, 1)


def test_benefits_page_records_the_referral(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("clients:benefits_new", kwargs={"pk": client_.pk}),
        referral_data(planning_completed_on=days_ago(5).isoformat()),
    )

    assert response.status_code == 302
    referral = BenefitsReferral.objects.get()
    assert (referral.benefits, referral.planning_completed_on, referral.created_by) == (
        ["ssi", "medicaid"],
        days_ago(5),
        specialist,
    )


@pytest.mark.parametrize(
    ("name", "record"),
    [("contact_edit", "contact"), ("job_edit", "job"), ("job_end", "job")],
)
def test_record_pages_of_another_program_are_404(
    login_as: LoginAs,
    other_program: Program,
    specialist: User,
    name: str,
    record: str,
) -> None:
    elsewhere = ClientFactory(program=other_program)
    target = (
        ContactFactory(client=elsewhere) if record == "contact" else JobFactory(client=elsewhere)
    )

    response = login_as(specialist).post(reverse(f"clients:{name}", kwargs={"pk": target.pk}), {})

    assert response.status_code == 404
    target.refresh_from_db()
    assert target.version == 1
