"""The clients API (/api/v1/clients/): scoped lists, audited reads, enrollment, versioned edits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client, Episode
from ips.models import AuditEvent, Program, Role, User
from tests.clients.factories import ClientFactory, ContactFactory, api_as, days_ago
from tests.factories import ProgramFactory, StaffRoleFactory
from tests.helpers import API_LIST_READ, assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = reverse("api:client-list")


def detail(client: Client) -> str:
    return reverse("api:client-detail", kwargs={"pk": client.pk})


def archive_url(client: Client) -> str:
    return reverse("api:client-archive", kwargs={"pk": client.pk})


def names(response: object) -> set[str]:
    return {row["last_name"] for row in response.json()["results"]}  # type: ignore[attr-defined]


@pytest.fixture
def clients(
    program: Program, other_program: Program, outsider_program: Program, specialist: User
) -> dict[str, Client]:
    """One client per place a client can be, named after it."""
    return {
        "own": ClientFactory(program=program, specialist=specialist, last_name="Own"),
        "colleague": ClientFactory(program=program, last_name="Colleague"),
        "other_program": ClientFactory(program=other_program, last_name="OtherProgram"),
        "outsider": ClientFactory(program=outsider_program, last_name="Outsider"),
        "archived": ClientFactory(program=program, archived=True, last_name="Archived"),
    }


def enrollment(program: Program, **overrides: object) -> dict[str, object]:
    return {
        "program": program.pk,
        "first_name": "Jamie",
        "last_name": "Rivera",
        "birth_date": "1988-02-29",
        "referred_on": days_ago(3).isoformat(),
        "referral_source": "self",
        **overrides,
    }


# --- Lists ----------------------------------------------------------------------------------------


def test_token_authenticated_list_shows_the_programs_live_clients(
    specialist: User, clients: dict[str, Client]
) -> None:
    response = api_as(specialist).get(LIST)

    assert response.status_code == 200
    assert names(response) == {"Own", "Colleague"}
    own = next(row for row in response.json()["results"] if row["last_name"] == "Own")
    episode = clients["own"].current_episode
    assert own == {
        "id": clients["own"].pk,
        "program": clients["own"].program_id,
        "specialist": specialist.pk,
        "first_name": clients["own"].first_name,
        "last_name": "Own",
        "birth_date": "1990-05-17",
        "referred_on": episode.referred_on.isoformat(),
        "referral_source": "mh_practitioner",
        "enrolled_on": episode.enrolled_on.isoformat(),
        "employed_at_referral": False,
        "closed_on": None,
        "closure_reason": "",
        "status": "enrolled",
        "phone": "",
        "email": "",
        "address": "",
        "version": 1,
    }


def test_director_lists_every_program_of_the_agency_and_nothing_outside(
    director: User, clients: dict[str, Client]
) -> None:
    response = api_as(director).get(LIST)

    assert names(response) == {"Own", "Colleague", "OtherProgram"}


def test_outsider_director_lists_only_their_agencys_clients(
    outsider_director: User, clients: dict[str, Client]
) -> None:
    assert names(api_as(outsider_director).get(LIST)) == {"Outsider"}


@pytest.mark.parametrize("persona", ["reviewer", "admin", "no_role_user"])
def test_roles_without_client_access_list_no_clients(
    persona: str, request: pytest.FixtureRequest, clients: dict[str, Client]
) -> None:
    response = api_as(request.getfixturevalue(persona)).get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_anonymous_caller_is_refused(clients: dict[str, Client]) -> None:
    assert HttpClient().get(LIST).status_code == 403


def test_list_filters_by_status_specialist_and_referral_dates(
    director: User, program: Program, specialist: User, clients: dict[str, Client]
) -> None:
    ClientFactory(program=program, closed=True, last_name="Closed")
    ClientFactory(program=program, referred=True, referred_on=days_ago(2), last_name="Referred")
    api = api_as(director)

    assert names(api.get(LIST, {"status": "closed"})) == {"Closed"}
    assert names(api.get(LIST, {"status": "referred"})) == {"Referred"}
    assert names(api.get(LIST, {"specialist": specialist.pk})) == {"Own"}
    assert names(api.get(LIST, {"program": program.pk, "referred_on_after": days_ago(5)})) == {
        "Referred"
    }
    assert "Referred" not in names(api.get(LIST, {"referred_on_before": days_ago(5)}))


def test_list_filter_by_a_foreign_program_matches_nothing(
    specialist: User, outsider_program: Program, clients: dict[str, Client]
) -> None:
    response = api_as(specialist).get(LIST, {"program": outsider_program.pk})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_list_query_count_is_constant(specialist: User, program: Program) -> None:
    def add_rows(count: int) -> None:
        for _ in range(count):
            ContactFactory(client=ClientFactory(program=program, specialist=specialist))

    queries = assert_constant_queries(api_as(specialist), LIST, add_rows)

    # token + user, count, clients joined with their current episode and program; the read of
    # the clients listed
    assert queries == 3 + API_LIST_READ


# --- Retrieve -------------------------------------------------------------------------------------


def test_retrieve_is_recorded_in_the_audit_trail(
    specialist: User, clients: dict[str, Client]
) -> None:
    client = clients["colleague"]

    response = api_as(specialist).get(detail(client))

    assert response.status_code == 200
    assert response.json()["last_name"] == "Colleague"
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.agency_id) == (
        specialist,
        AuditEvent.Action.API,
        client.program.agency_id,
    )
    assert event.content_type == ContentType.objects.get_for_model(Client)
    assert (event.object_id, event.subject_client_id) == (str(client.pk), client.pk)
    assert event.path == detail(client)


@pytest.mark.parametrize(
    ("persona", "key"),
    [
        ("outsider_director", "own"),
        ("reviewer", "own"),
        ("admin", "own"),
        ("no_role_user", "own"),
        ("specialist", "other_program"),
        ("specialist", "outsider"),
        ("director", "archived"),
    ],
)
def test_retrieve_of_an_invisible_client_is_404_and_not_audited(
    persona: str, key: str, request: pytest.FixtureRequest, clients: dict[str, Client]
) -> None:
    response = api_as(request.getfixturevalue(persona)).get(detail(clients[key]))

    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


# --- Create ---------------------------------------------------------------------------------------


def test_specialist_enrolls_a_client(specialist: User, program: Program) -> None:
    body = enrollment(
        program, specialist=specialist.pk, enrolled_on=days_ago(1).isoformat(), phone="555-0101"
    )

    response = api_as(specialist).post(LIST, body, content_type="application/json")

    assert response.status_code == 201, response.json()
    client = Client.objects.get(last_name="Rivera")
    assert response.json()["id"] == client.pk
    assert response.json()["status"] == "enrolled"
    assert (client.program, client.specialist, client.phone) == (program, specialist, "555-0101")
    assert client.current_episode.referred_on == days_ago(3)
    assert client.current_episode.enrolled_on == days_ago(1)
    assert client.profile is not None


def test_director_may_not_enroll(director: User, program: Program) -> None:
    response = api_as(director).post(LIST, enrollment(program), content_type="application/json")

    assert response.status_code == 403
    assert not Client.objects.exists()


def test_enrolling_into_a_program_the_caller_cannot_see_is_400(
    specialist: User, other_program: Program, outsider_program: Program
) -> None:
    for target in (other_program, outsider_program):
        response = api_as(specialist).post(
            LIST, enrollment(target), content_type="application/json"
        )

        assert response.status_code == 400
        assert response.json() == {"program": ["Choose one of your programs."]}
    assert not Client.objects.exists()


def test_enrolling_into_a_program_the_caller_only_reviews_is_403(
    specialist: User, other_program: Program
) -> None:
    StaffRoleFactory(user=specialist, role=Role.REVIEWER, program=other_program)

    response = api_as(specialist).post(
        LIST, enrollment(other_program), content_type="application/json"
    )

    assert response.status_code == 403
    assert not Client.objects.exists()


def test_assigning_a_specialist_of_another_program_is_400(
    supervisor: User, program: Program
) -> None:
    elsewhere = ProgramFactory(agency=program.agency)
    StaffRoleFactory(user=supervisor, role=Role.SUPERVISOR, program=elsewhere)
    stranger = StaffRoleFactory(role=Role.SPECIALIST, program=elsewhere).user

    response = api_as(supervisor).post(
        LIST, enrollment(program, specialist=stranger.pk), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"specialist": ["Assign a specialist of the client's program."]}
    assert not Client.objects.exists()


def test_a_future_referral_date_is_400(specialist: User, program: Program) -> None:
    body = enrollment(program, referred_on=days_ago(-1).isoformat())

    response = api_as(specialist).post(LIST, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"referred_on": ["The referral date cannot be in the future."]}
    assert not Client.objects.exists()
    assert not Episode.objects.exists()


def test_enrollment_before_the_referral_is_400(specialist: User, program: Program) -> None:
    body = enrollment(program, enrolled_on=days_ago(10).isoformat())

    response = api_as(specialist).post(LIST, body, content_type="application/json")

    assert response.status_code == 400
    assert "Enrollment cannot come before the referral." in str(response.json())
    assert not Client.objects.exists()


def test_a_client_created_closed_is_stored_closed(specialist: User, program: Program) -> None:
    body = enrollment(
        program,
        referred_on="2024-01-08",
        enrolled_on="2024-01-15",
        closed_on="2024-11-29",
        closure_reason="working_steadily",
    )

    response = api_as(specialist).post(LIST, body, content_type="application/json")

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "closed"
    assert (response.json()["closed_on"], response.json()["closure_reason"]) == (
        "2024-11-29",
        "working_steadily",
    )
    episode = Client.objects.get(last_name="Rivera").current_episode
    assert (episode.enrolled_on, episode.closed_on, episode.closure_reason) == (
        dt.date(2024, 1, 15),
        dt.date(2024, 11, 29),
        "working_steadily",
    )


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"closed_on": "2024-11-29"},
            {"__all__": ["Give the reason for closing."]},
        ),
        (
            {"closure_reason": "moved"},
            {"closed_on": ["Give the date the episode closed, or leave out the closure reason."]},
        ),
        (
            {"closed_on": "2024-01-10", "closure_reason": "moved"},
            {"__all__": ["Closure cannot come before enrollment."]},
        ),
        (
            {"closed_on": days_ago(-1).isoformat(), "closure_reason": "moved"},
            {"closed_on": ["The closure date cannot be in the future."]},
        ),
    ],
)
def test_a_client_created_closed_is_held_to_the_closing_rules(
    specialist: User, program: Program, overrides: dict[str, str], errors: dict[str, list[str]]
) -> None:
    body = enrollment(program, referred_on="2024-01-08", enrolled_on="2024-01-15", **overrides)

    response = api_as(specialist).post(LIST, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not Client.objects.exists()
    assert not Episode.objects.exists()


# --- Update ---------------------------------------------------------------------------------------


def test_specialist_updates_a_client_and_the_current_episode(
    specialist: User, clients: dict[str, Client]
) -> None:
    client = clients["colleague"]

    response = api_as(specialist).patch(
        detail(client),
        {"version": 1, "phone": "555-0199", "employed_at_referral": True},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["version"], response.json()["employed_at_referral"]) == (2, True)
    client.refresh_from_db()
    assert (client.phone, client.version) == ("555-0199", 2)
    assert client.current_episode.employed_at_referral is True


def test_specialist_closes_a_client(specialist: User, clients: dict[str, Client]) -> None:
    response = api_as(specialist).patch(
        detail(clients["own"]),
        {"version": 1, "closed_on": days_ago(1).isoformat(), "closure_reason": "working_steadily"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    assert response.json()["closure_reason"] == "working_steadily"


def test_closing_before_enrollment_is_400_and_changes_nothing(
    specialist: User, clients: dict[str, Client]
) -> None:
    client = clients["own"]
    enrolled_on = client.current_episode.enrolled_on

    response = api_as(specialist).patch(
        detail(client),
        {
            "version": 1,
            "closed_on": (enrolled_on - dt.timedelta(days=1)).isoformat(),
            "closure_reason": "moved",
            "phone": "555-0100",
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "Closure cannot come before enrollment." in str(response.json())
    client.refresh_from_db()
    client.current_episode.refresh_from_db()
    assert (client.version, client.phone, client.current_episode.closed_on) == (1, "", None)


def test_closing_without_a_reason_is_400(specialist: User, clients: dict[str, Client]) -> None:
    response = api_as(specialist).patch(
        detail(clients["own"]),
        {"version": 1, "closed_on": days_ago(1).isoformat()},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "Give the reason for closing." in str(response.json())
    clients["own"].current_episode.refresh_from_db()
    assert clients["own"].current_episode.closed_on is None


def test_an_update_without_a_version_is_400(specialist: User, clients: dict[str, Client]) -> None:
    response = api_as(specialist).patch(
        detail(clients["own"]), {"phone": "555-0100"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"version": ["This field is required."]}


def test_put_needs_every_required_field(specialist: User, clients: dict[str, Client]) -> None:
    response = api_as(specialist).put(
        detail(clients["own"]), {"version": 1}, content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {
        "first_name",
        "last_name",
        "birth_date",
        "referred_on",
        "referral_source",
    }


def test_stale_version_is_409_and_changes_nothing(
    specialist: User, other_specialist: User, clients: dict[str, Client]
) -> None:
    client = clients["own"]
    api_as(other_specialist).patch(
        detail(client), {"version": 1, "phone": "555-0111"}, content_type="application/json"
    )

    response = api_as(specialist).patch(
        detail(client), {"version": 1, "phone": "555-0222"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    client.refresh_from_db()
    assert (client.phone, client.version) == ("555-0111", 2)


def test_director_may_not_update_a_client_they_can_see(
    director: User, clients: dict[str, Client]
) -> None:
    response = api_as(director).patch(
        detail(clients["own"]), {"version": 1, "phone": "555-0100"}, content_type="application/json"
    )

    assert response.status_code == 403
    clients["own"].refresh_from_db()
    assert (clients["own"].phone, clients["own"].version) == ("", 1)


@pytest.mark.parametrize("persona", ["outsider_director", "reviewer", "admin", "no_role_user"])
def test_update_by_someone_who_cannot_see_the_client_is_404(
    persona: str, request: pytest.FixtureRequest, clients: dict[str, Client]
) -> None:
    response = api_as(request.getfixturevalue(persona)).put(
        detail(clients["own"]), {"version": 1}, content_type="application/json"
    )

    assert response.status_code == 404
    clients["own"].refresh_from_db()
    assert clients["own"].version == 1


# --- Archive and delete ---------------------------------------------------------------------------


def test_specialist_archives_a_client_with_a_reason(
    specialist: User, clients: dict[str, Client]
) -> None:
    client = clients["own"]

    response = api_as(specialist).post(
        archive_url(client),
        {"version": 1, "reason": "Entered twice."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["archive_reason"] == "Entered twice."
    client.refresh_from_db()
    assert (client.archived_by, client.archive_reason, client.version) == (
        specialist,
        "Entered twice.",
        2,
    )
    assert "Own" not in names(api_as(specialist).get(LIST))


def test_archive_needs_a_reason_and_a_current_version(
    specialist: User, clients: dict[str, Client]
) -> None:
    api = api_as(specialist)
    client = clients["own"]

    blank = api.post(
        archive_url(client), {"version": 1, "reason": " "}, content_type="application/json"
    )
    stale = api.post(
        archive_url(client), {"version": 7, "reason": "Moved."}, content_type="application/json"
    )

    assert blank.status_code == 400
    assert blank.json() == {"reason": ["This field may not be blank."]}
    assert stale.status_code == 409
    client.refresh_from_db()
    assert (client.archived_at, client.version) == (None, 1)


def test_director_may_not_archive_a_client(director: User, clients: dict[str, Client]) -> None:
    response = api_as(director).post(
        archive_url(clients["own"]),
        {"version": 1, "reason": "No."},
        content_type="application/json",
    )

    assert response.status_code == 403
    clients["own"].refresh_from_db()
    assert clients["own"].archived_at is None


def test_delete_is_not_offered(specialist: User, clients: dict[str, Client]) -> None:
    response = api_as(specialist).delete(detail(clients["own"]))

    assert response.status_code == 405
    assert Client.objects.filter(pk=clients["own"].pk, archived_at__isnull=True).exists()
