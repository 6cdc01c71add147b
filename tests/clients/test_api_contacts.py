"""The contacts API (/api/v1/contacts/): scoped, audited, logged as the caller, versioned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clients.models import Client, Contact
from ips.models import AuditEvent, Program, User
from tests.clients.factories import ClientFactory, ContactFactory, EpisodeFactory, api_as, days_ago
from tests.helpers import API_LIST_READ, assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = reverse("api:contact-list")


def detail(contact: Contact) -> str:
    return reverse("api:contact-detail", kwargs={"pk": contact.pk})


def notes(response: object) -> set[str]:
    return {row["note"] for row in response.json()["results"]}  # type: ignore[attr-defined]


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    """A client of `program`, referred 90 days ago and enrolled 83 days ago."""
    return ClientFactory(program=program, specialist=specialist)


@pytest.fixture
def contacts(
    client_: Client, other_program: Program, outsider_program: Program, specialist: User
) -> dict[str, Contact]:
    """One contact per place a contact can be, its note naming it."""
    return {
        "own": ContactFactory(client=client_, specialist=specialist, note="own"),
        "other_program": ContactFactory(
            client=ClientFactory(program=other_program), note="other_program"
        ),
        "outsider": ContactFactory(client=ClientFactory(program=outsider_program), note="outsider"),
        "archived": ContactFactory(client=client_, archived=True, note="archived"),
        "archived_client": ContactFactory(
            client=ClientFactory(program=client_.program, archived=True), note="archived_client"
        ),
    }


def new_contact(client: Client, **overrides: object) -> dict[str, object]:
    return {
        "client": client.pk,
        "contacted_on": days_ago(1).isoformat(),
        "minutes": 30,
        "purpose": "job_search",
        "place": "community",
        **overrides,
    }


# --- Lists ----------------------------------------------------------------------------------------


def test_list_shows_the_programs_live_contacts_only(
    specialist: User, contacts: dict[str, Contact]
) -> None:
    response = api_as(specialist).get(LIST)

    assert response.status_code == 200
    assert notes(response) == {"own"}
    assert response.json()["results"][0]["specialist"] == specialist.pk


def test_director_lists_the_agencys_contacts(director: User, contacts: dict[str, Contact]) -> None:
    assert notes(api_as(director).get(LIST)) == {"own", "other_program"}


@pytest.mark.parametrize("persona", ["reviewer", "admin", "no_role_user"])
def test_roles_without_client_access_list_no_contacts(
    persona: str, request: pytest.FixtureRequest, contacts: dict[str, Contact]
) -> None:
    assert api_as(request.getfixturevalue(persona)).get(LIST).json()["count"] == 0


def test_list_filters_by_client_specialist_and_date_range(
    director: User, specialist: User, client_: Client, contacts: dict[str, Contact]
) -> None:
    ContactFactory(client=client_, contacted_on=days_ago(5), note="recent")
    api = api_as(director)

    assert notes(api.get(LIST, {"client": client_.pk})) == {"own", "recent"}
    assert notes(api.get(LIST, {"specialist": specialist.pk})) == {"own"}
    assert notes(api.get(LIST, {"contacted_on_after": days_ago(6).isoformat()})) == {"recent"}
    assert notes(
        api.get(LIST, {"contacted_on_after": days_ago(90), "contacted_on_before": days_ago(6)})
    ) == {"own", "other_program"}


def test_list_query_count_is_constant(specialist: User, client_: Client) -> None:
    def add_rows(count: int) -> None:
        for _ in range(count):
            ContactFactory(client=ClientFactory(program=client_.program))

    # token + user, count, contacts; the read of the
    # clients listed
    assert assert_constant_queries(api_as(specialist), LIST, add_rows) == 3 + API_LIST_READ


# --- Retrieve -------------------------------------------------------------------------------------


def test_retrieve_is_audited_against_the_client(
    other_specialist: User, contacts: dict[str, Contact]
) -> None:
    contact = contacts["own"]

    response = api_as(other_specialist).get(detail(contact))

    assert response.status_code == 200
    assert response.json()["note"] == "own"
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.object_id, event.subject_client_id) == (
        other_specialist,
        AuditEvent.Action.API,
        str(contact.pk),
        contact.client_id,
    )
    assert event.agency_id == contact.client.program.agency_id


@pytest.mark.parametrize(
    ("persona", "key"),
    [
        ("outsider_director", "own"),
        ("reviewer", "own"),
        ("specialist", "other_program"),
        ("specialist", "archived"),
        ("specialist", "archived_client"),
    ],
)
def test_retrieve_or_update_of_an_invisible_contact_is_404(
    persona: str, key: str, request: pytest.FixtureRequest, contacts: dict[str, Contact]
) -> None:
    api = api_as(request.getfixturevalue(persona))

    assert api.get(detail(contacts[key])).status_code == 404
    response = api.patch(
        detail(contacts[key]), {"version": 1, "minutes": 5}, content_type="application/json"
    )
    assert response.status_code == 404
    contacts[key].refresh_from_db()
    assert contacts[key].minutes == 45
    assert not AuditEvent.objects.exists()


# --- Create ---------------------------------------------------------------------------------------


def test_contact_is_logged_as_the_caller(other_specialist: User, client_: Client) -> None:
    response = api_as(other_specialist).post(
        LIST, new_contact(client_, note="Met at the library."), content_type="application/json"
    )

    assert response.status_code == 201, response.json()
    contact = Contact.objects.get()
    assert response.json()["id"] == contact.pk
    assert (contact.client, contact.specialist, contact.minutes) == (client_, other_specialist, 30)
    assert (contact.contacted_on, contact.note, contact.version) == (
        days_ago(1),
        "Met at the library.",
        1,
    )


def test_director_may_not_log_a_contact(director: User, client_: Client) -> None:
    response = api_as(director).post(LIST, new_contact(client_), content_type="application/json")

    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_contact_for_a_client_of_another_program_is_400(
    specialist: User, other_program: Program, outsider_program: Program
) -> None:
    for program in (other_program, outsider_program):
        elsewhere = ClientFactory(program=program)

        response = api_as(specialist).post(
            LIST, new_contact(elsewhere), content_type="application/json"
        )

        assert response.status_code == 400
        assert response.json() == {
            "client": ["Choose a client of a program where you may record client work."]
        }
    assert not Contact.objects.exists()


def test_a_future_contact_date_is_400(specialist: User, client_: Client) -> None:
    response = api_as(specialist).post(
        LIST,
        new_contact(client_, contacted_on=days_ago(-1).isoformat()),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"contacted_on": ["The contact date cannot be in the future."]}
    assert not Contact.objects.exists()


def test_a_contact_outside_the_clients_episodes_is_400(specialist: User, client_: Client) -> None:
    before_referral = client_.current_episode.referred_on - dt.timedelta(days=1)

    response = api_as(specialist).post(
        LIST,
        new_contact(client_, contacted_on=before_referral.isoformat()),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "contacted_on": ["This date is outside the client's enrollment (from referral to closure)."]
    }
    assert not Contact.objects.exists()


def test_a_contact_within_an_earlier_episode_is_accepted(specialist: User, client_: Client) -> None:
    earlier = EpisodeFactory(client=client_)

    response = api_as(specialist).post(
        LIST,
        new_contact(client_, contacted_on=(earlier.referred_on + dt.timedelta(days=5)).isoformat()),
        content_type="application/json",
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("minutes", "message"),
    [(0, "greater than or equal to 1"), (1441, "less than or equal to 1440")],
)
def test_contact_minutes_out_of_range_is_400(
    specialist: User, client_: Client, minutes: int, message: str
) -> None:
    response = api_as(specialist).post(
        LIST, new_contact(client_, minutes=minutes), content_type="application/json"
    )

    assert response.status_code == 400
    assert message in response.json()["minutes"][0]
    assert not Contact.objects.exists()


# --- Update and archive ---------------------------------------------------------------------------


def test_specialist_corrects_a_contact(specialist: User, contacts: dict[str, Contact]) -> None:
    contact = contacts["own"]

    response = api_as(specialist).patch(
        detail(contact),
        {"version": 1, "minutes": 60, "mode": "phone"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    contact.refresh_from_db()
    assert (contact.minutes, contact.mode, contact.version) == (60, "phone", 2)
    assert response.json()["version"] == 2


def test_moving_a_contact_outside_the_episode_is_400_and_changes_nothing(
    specialist: User, contacts: dict[str, Contact]
) -> None:
    contact = contacts["own"]
    too_early = contact.client.current_episode.referred_on - dt.timedelta(days=30)

    response = api_as(specialist).patch(
        detail(contact),
        {"version": 1, "contacted_on": too_early.isoformat(), "minutes": 5},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "outside the client's enrollment" in response.json()["contacted_on"][0]
    contact.refresh_from_db()
    assert (contact.minutes, contact.version) == (45, 1)


def test_stale_version_is_409_and_changes_nothing(
    specialist: User, contacts: dict[str, Contact]
) -> None:
    contact = contacts["own"]
    api = api_as(specialist)
    api.patch(detail(contact), {"version": 1, "minutes": 50}, content_type="application/json")

    response = api.patch(
        detail(contact), {"version": 1, "minutes": 70}, content_type="application/json"
    )

    assert response.status_code == 409
    contact.refresh_from_db()
    assert (contact.minutes, contact.version) == (50, 2)


def test_director_may_not_correct_or_archive_a_contact(
    director: User, contacts: dict[str, Contact]
) -> None:
    contact = contacts["own"]
    api = api_as(director)

    patch = api.patch(
        detail(contact), {"version": 1, "minutes": 5}, content_type="application/json"
    )
    archive = api.post(
        reverse("api:contact-archive", kwargs={"pk": contact.pk}),
        {"version": 1, "reason": "No."},
        content_type="application/json",
    )

    assert (patch.status_code, archive.status_code) == (403, 403)
    contact.refresh_from_db()
    assert (contact.minutes, contact.archived_at, contact.version) == (45, None, 1)


def test_specialist_archives_a_contact(specialist: User, contacts: dict[str, Contact]) -> None:
    contact = contacts["own"]

    response = api_as(specialist).post(
        reverse("api:contact-archive", kwargs={"pk": contact.pk}),
        {"version": 1, "reason": "Logged on the wrong client."},
        content_type="application/json",
    )

    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.archive_reason, contact.archived_by) == (
        "Logged on the wrong client.",
        specialist,
    )
    assert api_as(specialist).get(detail(contact)).status_code == 404


def test_delete_is_not_offered(specialist: User, contacts: dict[str, Contact]) -> None:
    assert api_as(specialist).delete(detail(contacts["own"])).status_code == 405
    assert Contact.objects.filter(pk=contacts["own"].pk, archived_at__isnull=True).exists()
