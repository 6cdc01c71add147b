"""`Idempotency-Key` on the creates a phone's outbox sends again: the same key gives the first
answer and never a second record; other input under the key is refused; keys expire."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, Contact
from employers.models import Employer, EmployerContact
from ips import idempotency
from ips.models import AuditEvent, IdempotencyKey, Program, User
from ips.tasks import idempotency_purge_task
from tests.clients.factories import ClientFactory, EmployerFactory, api_as, days_ago

pytestmark = pytest.mark.django_db

CONTACTS = reverse("api:contact-list")
EMPLOYER_CONTACTS = reverse("api:employer-contact-list")


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    return ClientFactory(program=program, specialist=specialist)


def contact_body(client: Client, **overrides: object) -> dict[str, object]:
    return {
        "client": client.pk,
        "contacted_on": days_ago(1).isoformat(),
        "minutes": 30,
        "purpose": "job_search",
        "place": "community",
        "note": "Looked at openings together.",
        **overrides,
    }


def post(user: User, path: str, body: dict[str, object], key: str | None) -> object:
    headers = {} if key is None else {"Idempotency-Key": key}
    return api_as(user).post(path, body, content_type="application/json", headers=headers)


def test_the_same_key_sent_again_gives_the_first_answer_and_one_contact(
    specialist: User, client_: Client
) -> None:
    first = post(specialist, CONTACTS, contact_body(client_), "outbox-1")
    again = post(specialist, CONTACTS, contact_body(client_), "outbox-1")

    assert first.status_code == again.status_code == 201, again.json()
    assert Contact.objects.count() == 1
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["note"] == "Looked at openings together."
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first


def test_the_replay_is_a_read_of_the_client_recorded_in_the_audit_trail(
    specialist: User, client_: Client
) -> None:
    post(specialist, CONTACTS, contact_body(client_), "outbox-1")
    before = AuditEvent.objects.filter(action=AuditEvent.Action.API).count()

    post(specialist, CONTACTS, contact_body(client_), "outbox-1")

    assert AuditEvent.objects.filter(action=AuditEvent.Action.API).count() == before + 1


def test_employer_contacts_honour_the_key_too(
    specialist: User, client_: Client, program: Program
) -> None:
    employer: Employer = EmployerFactory(program=program)
    body = {
        "employer": employer.pk,
        "contacted_on": days_ago(1).isoformat(),
        "purpose": "present_job_seeker",
        "clients": [client_.pk],
    }

    first = post(specialist, EMPLOYER_CONTACTS, body, "outbox-7")
    again = post(specialist, EMPLOYER_CONTACTS, body, "outbox-7")

    assert (first.status_code, again.status_code) == (201, 201), again.json()
    assert EmployerContact.objects.count() == 1
    assert again.json()["id"] == first.json()["id"]


def test_without_a_key_each_post_is_a_new_record(specialist: User, client_: Client) -> None:
    post(specialist, CONTACTS, contact_body(client_), None)
    post(specialist, CONTACTS, contact_body(client_), None)

    assert Contact.objects.count() == 2


def test_other_input_under_a_used_key_is_422_and_changes_nothing(
    specialist: User, client_: Client
) -> None:
    post(specialist, CONTACTS, contact_body(client_), "outbox-1")

    response = post(specialist, CONTACTS, contact_body(client_, minutes=45), "outbox-1")

    assert response.status_code == 422
    assert response.json() == {"Idempotency-Key": [idempotency.REUSED]}
    assert list(Contact.objects.values_list("minutes", flat=True)) == [30]


def test_the_key_used_on_another_resource_is_422(
    specialist: User, client_: Client, program: Program
) -> None:
    post(specialist, CONTACTS, contact_body(client_), "outbox-1")
    body = {
        "employer": EmployerFactory(program=program).pk,
        "contacted_on": days_ago(1).isoformat(),
        "purpose": "present_job_seeker",
    }

    response = post(specialist, EMPLOYER_CONTACTS, body, "outbox-1")

    assert response.status_code == 422
    assert EmployerContact.objects.count() == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\there"])
def test_a_malformed_key_is_400_and_nothing_is_made(
    specialist: User, client_: Client, key: str
) -> None:
    response = post(specialist, CONTACTS, contact_body(client_), key)

    assert response.status_code == 400
    assert response.json() == {"Idempotency-Key": [idempotency.INVALID]}
    assert Contact.objects.count() == 0


def test_a_refused_create_keeps_no_key_so_the_corrected_one_goes_through(
    specialist: User, client_: Client
) -> None:
    refused = post(specialist, CONTACTS, contact_body(client_, minutes=-5), "outbox-1")
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()

    # The same key with the corrected input: the first record under it.
    made = post(specialist, CONTACTS, contact_body(client_), "outbox-1")

    assert made.status_code == 201
    assert Contact.objects.count() == 1


def test_keys_are_the_callers_own(
    specialist: User, other_specialist: User, client_: Client
) -> None:
    post(specialist, CONTACTS, contact_body(client_), "outbox-1")
    post(other_specialist, CONTACTS, contact_body(client_), "outbox-1")

    assert Contact.objects.count() == 2
    assert set(Contact.objects.values_list("specialist", flat=True)) == {
        specialist.pk,
        other_specialist.pk,
    }


def test_a_key_past_its_window_is_new_again_and_the_sweep_removes_old_keys(
    specialist: User, client_: Client
) -> None:
    post(specialist, CONTACTS, contact_body(client_), "outbox-1")

    with time_machine.travel(timezone.now() + dt.timedelta(hours=24, minutes=1)):
        again = post(specialist, CONTACTS, contact_body(client_), "outbox-1")
        post(specialist, CONTACTS, contact_body(client_), "outbox-2")
        IdempotencyKey.objects.filter(key="outbox-2").update(
            created_at=timezone.now() - dt.timedelta(hours=25)
        )
        removed = idempotency_purge_task()

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Contact.objects.count() == 3
    assert removed == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["outbox-1"]


def test_a_replay_after_the_record_was_archived_is_404(specialist: User, client_: Client) -> None:
    first = post(specialist, CONTACTS, contact_body(client_), "outbox-1")
    api_as(specialist).post(
        reverse("api:contact-archive", kwargs={"pk": first.json()["id"]}),
        {"version": 1, "reason": "Logged twice by mistake."},
        content_type="application/json",
    )

    again = post(specialist, CONTACTS, contact_body(client_), "outbox-1")

    assert again.status_code == 404
    assert Contact.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_make_one_contact(specialist: User, client_: Client) -> None:
    """Two requests with one key racing in two connections: the second waits on the key's unique
    index, then answers with the first one's record."""
    answers: list[tuple[int, int]] = []
    start = threading.Barrier(2)

    def send() -> None:
        try:
            start.wait()
            response = post(specialist, CONTACTS, contact_body(client_), "outbox-race")
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Contact.objects.count() == 1
    assert [status for status, _ in answers] == [201, 201]
    assert len({pk for _, pk in answers}) == 1
