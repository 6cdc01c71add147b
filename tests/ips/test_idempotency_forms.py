"""The quick-log forms honour a key as the API does (`ips.idempotency.form_create`): each form is
rendered with a fresh key; the same post sent again under it gives the first answer and no
second record, another key makes another record, other input under a used key is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client, Contact
from employers.models import Employer, EmployerContact
from ips import idempotency
from ips.models import IdempotencyKey, Program, User
from tests.clients.factories import ClientFactory, EmployerFactory, days_ago

pytestmark = pytest.mark.django_db

LoginAs = Callable[[User], HttpClient]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    return ClientFactory(program=program, specialist=specialist)


@pytest.fixture
def employer(program: Program) -> Employer:
    return EmployerFactory(program=program)


def contact_post(key: str, **overrides: object) -> dict[str, object]:
    return {
        "contacted_on": days_ago(0).isoformat(),
        "minutes": "25",
        "purpose": "job_search",
        "note": "Looked at openings.",
        "where": "detail",
        "idempotency_key": key,
        **overrides,
    }


def test_the_client_page_renders_a_fresh_key_in_each_quick_log_form(
    login_as: LoginAs, specialist: User, client_: Client
) -> None:
    http = login_as(specialist)
    first = http.get(reverse("clients:detail", args=[client_.pk])).content.decode()
    second = http.get(reverse("clients:detail", args=[client_.pk])).content.decode()

    key = 'name="idempotency_key" value="'
    assert key in first
    assert first.split(key)[1][:32] != second.split(key)[1][:32]


def test_a_quick_log_sent_twice_under_one_key_logs_one_contact_and_answers_the_same(
    login_as: LoginAs, specialist: User, client_: Client
) -> None:
    http = login_as(specialist)
    quick = reverse("clients:contact_quick", args=[client_.pk])
    # The answer was lost; the form is sent again, with a new CSRF token after a new login.
    first = http.post(quick, contact_post("form-1"), headers=HTMX)
    again = http.post(
        quick, contact_post("form-1", csrfmiddlewaretoken="another-token"), headers=HTMX
    )

    assert first.status_code == again.status_code == 200
    assert Contact.objects.count() == 1
    logged = f"Logged: Job search, 25 min, {days_ago(0):%Y-%m-%d}."
    assert logged in first.content.decode()
    assert logged in again.content.decode()
    assert IdempotencyKey.objects.get().object_id == Contact.objects.get().pk


def test_a_quick_log_under_another_key_logs_another_contact(
    login_as: LoginAs, specialist: User, client_: Client
) -> None:
    http = login_as(specialist)
    quick = reverse("clients:contact_quick", args=[client_.pk])
    http.post(quick, contact_post("form-1"), headers=HTMX)
    http.post(quick, contact_post("form-2"), headers=HTMX)

    assert Contact.objects.count() == 2


def test_a_full_page_quick_log_sent_again_redirects_as_the_first_did(
    login_as: LoginAs, specialist: User, client_: Client
) -> None:
    http = login_as(specialist)
    quick = reverse("clients:contact_quick", args=[client_.pk])
    first = http.post(quick, contact_post("form-1"))
    again = http.post(quick, contact_post("form-1"))

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == reverse("clients:detail", args=[client_.pk])
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "message"), [("form-1", idempotency.REUSED), ("x" * 256, idempotency.INVALID)]
)
def test_a_used_key_with_other_input_or_a_malformed_key_is_refused_and_logs_nothing_more(
    login_as: LoginAs, specialist: User, client_: Client, key: str, message: str
) -> None:
    http = login_as(specialist)
    quick = reverse("clients:contact_quick", args=[client_.pk])
    http.post(quick, contact_post("form-1"), headers=HTMX)
    response = http.post(quick, contact_post(key, minutes="40"), headers=HTMX)

    assert Contact.objects.count() == 1
    assert message in response.content.decode().replace("&#x27;", "'")


def test_a_quick_log_that_failed_keeps_its_key_and_runs_again(
    login_as: LoginAs, specialist: User, client_: Client
) -> None:
    """Nothing was made under the key of a refused post: the form keeps it, a corrected post
    under it logs the contact."""
    http = login_as(specialist)
    quick = reverse("clients:contact_quick", args=[client_.pk])
    refused = http.post(quick, contact_post("form-1", minutes="0"), headers=HTMX)
    http.post(quick, contact_post("form-1"), headers=HTMX)

    assert 'name="idempotency_key" value="form-1"' in refused.content.decode()
    assert Contact.objects.count() == 1


def test_an_employer_contact_sent_twice_under_one_key_is_logged_once(
    login_as: LoginAs, specialist: User, client_: Client, employer: Employer
) -> None:
    http = login_as(specialist)
    quick = reverse("employers:contact_quick")
    body = {
        "employer": employer.pk,
        "contacted_on": days_ago(0).isoformat(),
        "purpose": "present_job_seeker",
        "face_to_face": "on",
        "clients": [client_.pk],
        "idempotency_key": "form-9",
    }
    first = http.post(quick, body, headers=HTMX)
    again = http.post(quick, body, headers=HTMX)
    other = http.post(quick, {**body, "idempotency_key": "form-10"}, headers=HTMX)

    assert first.status_code == again.status_code == other.status_code == 200
    assert EmployerContact.objects.count() == 2
    assert "Logged: " in again.content.decode()
    assert set(EmployerContact.objects.values_list("clients", flat=True)) == {client_.pk}
