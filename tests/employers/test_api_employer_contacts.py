"""The employer contacts API (/api/v1/employer-contacts/): job development on clients' behalf.

Scoped like the client records, logged as the caller, versioned, archived (never deleted); a
retrieve is a read of every client the contact names, so each is audited.
"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client
from employers.models import Employer, EmployerContact
from ips.models import AuditEvent, Program, Role, User
from tests.clients.factories import ClientFactory, EmployerFactory, api_as, days_ago
from tests.employers.factories import EmployerContactFactory, EmployerPersonFactory
from tests.factories import StaffRoleFactory
from tests.helpers import API_LIST_READ, assert_constant_queries, clients_read_by

pytestmark = pytest.mark.django_db

LIST = reverse("api:employer-contact-list")


def detail(contact: EmployerContact) -> str:
    return reverse("api:employer-contact-detail", kwargs={"pk": contact.pk})


def archive_url(contact: EmployerContact) -> str:
    return reverse("api:employer-contact-archive", kwargs={"pk": contact.pk})


def notes(response: object) -> set[str]:
    return {row["note"] for row in response.json()["results"]}  # type: ignore[attr-defined]


def post(user: User, body: dict[str, object]) -> object:
    return api_as(user).post(LIST, body, content_type="application/json")


def patch(user: User, contact: EmployerContact, body: dict[str, object]) -> object:
    return api_as(user).patch(detail(contact), body, content_type="application/json")


@pytest.fixture
def employer(program: Program) -> Employer:
    return EmployerFactory(program=program, name="Harbourside Bakery")


@pytest.fixture
def job_seekers(program: Program, specialist: User) -> list[Client]:
    """Two clients of `program`."""
    return ClientFactory.create_batch(2, program=program, specialist=specialist)


@pytest.fixture
def contacts(
    employer: Employer,
    job_seekers: list[Client],
    specialist: User,
    other_program: Program,
    outsider_program: Program,
) -> dict[str, EmployerContact]:
    """One contact per place a contact can be, its note naming it."""
    return {
        "own": EmployerContactFactory(
            employer=employer, specialist=specialist, clients=[job_seekers[0]], note="own"
        ),
        "other_program": EmployerContactFactory(
            employer=EmployerFactory(program=other_program), note="other_program"
        ),
        "outsider": EmployerContactFactory(
            employer=EmployerFactory(program=outsider_program), note="outsider"
        ),
        "archived": EmployerContactFactory(employer=employer, archived=True, note="archived"),
    }


def new_contact(employer: Employer, **overrides: object) -> dict[str, object]:
    return {
        "employer": employer.pk,
        "contacted_on": days_ago(1).isoformat(),
        "purpose": "present_job_seeker",
        **overrides,
    }


# --- Lists ----------------------------------------------------------------------------------------


def test_token_authenticated_list_shows_the_programs_live_contacts_only(
    specialist: User, job_seekers: list[Client], contacts: dict[str, EmployerContact]
) -> None:
    response = api_as(specialist).get(LIST)

    assert response.status_code == 200
    own = contacts["own"]
    assert response.json()["results"] == [
        {
            "id": own.pk,
            "employer": own.employer_id,
            "specialist": specialist.pk,
            "person": None,
            "contacted_on": days_ago(3).isoformat(),
            "face_to_face": True,
            "with_hiring_manager": False,
            "minutes": None,
            "by_client": False,
            "purpose": "introduce",
            "clients": [job_seekers[0].pk],
            "outcome": "",
            "next_step": "",
            "note": "own",
            "version": 1,
        }
    ]


def test_anonymous_or_bad_token_callers_are_refused(contacts: dict[str, EmployerContact]) -> None:
    bad_token = HttpClient(headers={"Authorization": "Token not-a-real-token"})

    assert HttpClient().get(LIST).status_code == 403
    assert bad_token.get(LIST).status_code == 403
    assert bad_token.get(detail(contacts["own"])).status_code == 403


def test_director_lists_the_agencys_contacts(
    director: User, contacts: dict[str, EmployerContact]
) -> None:
    assert notes(api_as(director).get(LIST)) == {"own", "other_program"}


@pytest.mark.parametrize("persona", ["reviewer", "admin", "no_role_user"])
def test_roles_without_client_access_list_no_contacts(
    persona: str, request: pytest.FixtureRequest, contacts: dict[str, EmployerContact]
) -> None:
    response = api_as(request.getfixturevalue(persona)).get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_list_filters(
    director: User,
    specialist: User,
    other_specialist: User,
    employer: Employer,
    job_seekers: list[Client],
    contacts: dict[str, EmployerContact],
) -> None:
    EmployerContactFactory(
        employer=employer,
        specialist=other_specialist,
        contacted_on=days_ago(20),
        face_to_face=False,
        with_hiring_manager=True,
        purpose=EmployerContact.Purpose.FOLLOW_UP,
        clients=job_seekers,
        note="phoned",
    )
    api = api_as(director)

    assert notes(api.get(LIST, {"program": employer.program_id})) == {"own", "phoned"}
    assert notes(api.get(LIST, {"employer": employer.pk})) == {"own", "phoned"}
    assert notes(api.get(LIST, {"specialist": specialist.pk})) == {"own"}
    assert notes(api.get(LIST, {"client": job_seekers[1].pk})) == {"phoned"}
    assert notes(api.get(LIST, {"client": job_seekers[0].pk})) == {"own", "phoned"}
    assert notes(api.get(LIST, {"face_to_face": "false"})) == {"phoned"}
    assert notes(api.get(LIST, {"with_hiring_manager": "true"})) == {"phoned"}
    assert notes(api.get(LIST, {"purpose": "follow_up"})) == {"phoned"}
    assert notes(
        api.get(
            LIST,
            {
                "contacted_on_after": days_ago(30).isoformat(),
                "contacted_on_before": days_ago(10).isoformat(),
            },
        )
    ) == {"phoned"}


def test_list_filter_by_a_foreign_employer_matches_nothing(
    specialist: User, contacts: dict[str, EmployerContact]
) -> None:
    response = api_as(specialist).get(LIST, {"employer": contacts["outsider"].employer_id})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_list_query_count_is_constant(specialist: User, employer: Employer) -> None:
    def add_rows(count: int) -> None:
        for _ in range(count):
            EmployerContactFactory(
                employer=employer,
                clients=ClientFactory.create_batch(2, program=employer.program),
            )

    # token + user, count, contacts, their clients' ids; the read of the
    # clients listed
    assert assert_constant_queries(api_as(specialist), LIST, add_rows) == 4 + API_LIST_READ


# --- Retrieve -------------------------------------------------------------------------------------


def test_retrieve_records_a_read_of_each_named_client(
    other_specialist: User, employer: Employer, job_seekers: list[Client]
) -> None:
    contact = EmployerContactFactory(employer=employer, clients=job_seekers)

    response = api_as(other_specialist).get(detail(contact))

    assert response.status_code == 200
    assert sorted(response.json()["clients"]) == sorted(c.pk for c in job_seekers)
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.agency_id, event.path) == (
        other_specialist,
        AuditEvent.Action.LIST,
        employer.program.agency_id,
        detail(contact),
    )
    assert clients_read_by(other_specialist) == {c.pk for c in job_seekers}


def test_retrieve_of_a_contact_naming_no_client_is_not_audited(
    director: User, employer: Employer
) -> None:
    contact = EmployerContactFactory(employer=employer, note="Introduced the program.")

    response = api_as(director).get(detail(contact))

    assert response.status_code == 200
    assert response.json()["note"] == "Introduced the program."
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("persona", "key"),
    [
        ("outsider_director", "own"),
        ("reviewer", "own"),
        ("admin", "own"),
        ("specialist", "other_program"),
        ("specialist", "outsider"),
        ("specialist", "archived"),
    ],
)
def test_an_invisible_contact_is_404_to_read_and_to_write(
    persona: str,
    key: str,
    request: pytest.FixtureRequest,
    contacts: dict[str, EmployerContact],
) -> None:
    user = request.getfixturevalue(persona)
    contact = contacts[key]

    assert api_as(user).get(detail(contact)).status_code == 404
    assert patch(user, contact, {"version": 1, "note": "X"}).status_code == 404
    assert (
        api_as(user)
        .post(archive_url(contact), {"version": 1, "reason": "X"}, content_type="application/json")
        .status_code
        == 404
    )
    contact.refresh_from_db()
    assert (contact.note, contact.version) == (key, 1)
    assert not AuditEvent.objects.exists()


# --- Create ---------------------------------------------------------------------------------------


def test_contact_is_logged_as_the_caller_for_two_clients(
    other_specialist: User, employer: Employer, job_seekers: list[Client]
) -> None:
    manager = EmployerPersonFactory(employer=employer, hiring_manager=True)

    response = post(
        other_specialist,
        new_contact(
            employer,
            person=manager.pk,
            clients=[c.pk for c in job_seekers],
            outcome="Will interview both.",
            next_step="Call on Friday.",
        ),
    )

    assert response.status_code == 201, response.json()
    contact = EmployerContact.objects.get()
    assert response.json()["id"] == contact.pk
    assert (contact.employer, contact.specialist, contact.person) == (
        employer,
        other_specialist,
        manager,
    )
    assert set(contact.clients.all()) == set(job_seekers)
    assert sorted(response.json()["clients"]) == sorted(c.pk for c in job_seekers)
    assert (contact.contacted_on, contact.purpose, contact.version) == (
        days_ago(1),
        "present_job_seeker",
        1,
    )
    # Meeting someone who makes hiring decisions counts toward the weekly target.
    assert (contact.face_to_face, contact.with_hiring_manager) == (True, True)


def test_director_may_not_log_a_contact(director: User, employer: Employer) -> None:
    assert post(director, new_contact(employer)).status_code == 403
    assert not EmployerContact.objects.exists()


def test_a_future_contact_date_is_400(
    specialist: User, employer: Employer, job_seekers: list[Client]
) -> None:
    response = post(
        specialist,
        new_contact(employer, contacted_on=days_ago(-1).isoformat(), clients=[job_seekers[0].pk]),
    )

    assert response.status_code == 400
    assert response.json() == {"contacted_on": ["The contact date cannot be in the future."]}
    assert not EmployerContact.objects.exists()


def test_a_client_of_another_program_is_400(
    specialist: User,
    employer: Employer,
    job_seekers: list[Client],
    other_program: Program,
    outsider_program: Program,
) -> None:
    for program in (other_program, outsider_program):
        elsewhere = ClientFactory(program=program)

        response = post(
            specialist, new_contact(employer, clients=[job_seekers[0].pk, elsewhere.pk])
        )

        assert response.status_code == 400
        assert response.json() == {
            "clients": ["Choose a client of a program where you may record client work."]
        }
    assert not EmployerContact.objects.exists()


def test_a_client_of_another_of_the_callers_programs_is_400(
    specialist: User, employer: Employer, other_program: Program
) -> None:
    StaffRoleFactory(user=specialist, role=Role.SPECIALIST, program=other_program)
    elsewhere = ClientFactory(program=other_program)

    response = post(specialist, new_contact(employer, clients=[elsewhere.pk]))

    assert response.status_code == 400
    assert response.json() == {
        "clients": ["Every client must be a current client of the employer's program."]
    }
    assert not EmployerContact.objects.exists()


def test_an_archived_client_is_400(specialist: User, employer: Employer) -> None:
    gone = ClientFactory(program=employer.program, archived=True)

    response = post(specialist, new_contact(employer, clients=[gone.pk]))

    assert response.status_code == 400
    assert not EmployerContact.objects.exists()


@pytest.mark.parametrize("where", ["other_program", "outsider_program"])
def test_an_employer_outside_the_callers_programs_is_400(
    where: str, specialist: User, request: pytest.FixtureRequest
) -> None:
    elsewhere = EmployerFactory(program=request.getfixturevalue(where))

    response = post(specialist, new_contact(elsewhere))

    assert response.status_code == 400
    assert response.json() == {"employer": ["Choose an employer of your own program."]}
    assert not EmployerContact.objects.exists()


def test_a_person_at_another_employer_is_400(
    specialist: User, employer: Employer, program: Program, outsider_program: Program
) -> None:
    next_door = EmployerPersonFactory(employer=EmployerFactory(program=program))
    foreign = EmployerPersonFactory(employer=EmployerFactory(program=outsider_program))

    same_program = post(specialist, new_contact(employer, person=next_door.pk))
    other_agency = post(specialist, new_contact(employer, person=foreign.pk))

    assert same_program.status_code == 400
    assert same_program.json() == {"person": ["That person works for another employer."]}
    assert other_agency.status_code == 400
    assert other_agency.json() == {"person": ["Choose someone at an employer of your own program."]}
    assert not EmployerContact.objects.exists()


# --- Update and archive ---------------------------------------------------------------------------


def test_specialist_corrects_a_contact_and_its_clients(
    specialist: User, job_seekers: list[Client], contacts: dict[str, EmployerContact]
) -> None:
    contact = contacts["own"]

    response = patch(
        specialist,
        contact,
        {"version": 1, "contacted_on": days_ago(2).isoformat(), "clients": [job_seekers[1].pk]},
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["version"], response.json()["clients"]) == (2, [job_seekers[1].pk])
    contact.refresh_from_db()
    assert (contact.contacted_on, contact.version) == (days_ago(2), 2)
    assert list(contact.clients.all()) == [job_seekers[1]]


def test_put_replaces_the_typed_fields(
    supervisor: User, employer: Employer, contacts: dict[str, EmployerContact]
) -> None:
    contact = contacts["own"]
    manager = EmployerPersonFactory(employer=employer, hiring_manager=True)

    response = api_as(supervisor).put(
        detail(contact),
        {
            "version": 1,
            "contacted_on": days_ago(4).isoformat(),
            "purpose": "arrange_interview",
            "person": manager.pk,
            "clients": [],
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    contact.refresh_from_db()
    assert (contact.purpose, contact.person, contact.with_hiring_manager) == (
        "arrange_interview",
        manager,
        True,
    )
    assert not contact.clients.exists()
    assert contact.specialist != supervisor  # who logged it stays


def bad_correction(field: str, *, program: Program, other_program: Program) -> dict[str, object]:
    """A change of `field` the service refuses: a future date, a client of another program, or
    someone at another employer of the same program."""
    if field == "contacted_on":
        return {"contacted_on": days_ago(-1).isoformat()}
    if field == "clients":
        return {"clients": [ClientFactory(program=other_program).pk]}
    return {"person": EmployerPersonFactory(employer=EmployerFactory(program=program)).pk}


@pytest.mark.parametrize("field", ["contacted_on", "clients", "person"])
def test_a_bad_correction_is_400_and_changes_nothing(
    field: str,
    specialist: User,
    program: Program,
    other_program: Program,
    job_seekers: list[Client],
    contacts: dict[str, EmployerContact],
) -> None:
    contact = contacts["own"]
    body = bad_correction(field, program=program, other_program=other_program)

    response = patch(specialist, contact, {"version": 1, "note": "changed", **body})

    assert response.status_code == 400
    assert list(response.json()) == [field]
    contact.refresh_from_db()
    assert (contact.note, contact.person, contact.contacted_on, contact.version) == (
        "own",
        None,
        days_ago(3),
        1,
    )
    assert list(contact.clients.all()) == [job_seekers[0]]


def test_stale_version_is_409_and_changes_nothing(
    specialist: User,
    other_specialist: User,
    job_seekers: list[Client],
    contacts: dict[str, EmployerContact],
) -> None:
    contact = contacts["own"]
    patch(other_specialist, contact, {"version": 1, "outcome": "Hiring in May."})

    response = patch(
        specialist, contact, {"version": 1, "note": "Mine", "clients": [job_seekers[1].pk]}
    )

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    contact.refresh_from_db()
    assert (contact.outcome, contact.note, contact.version) == ("Hiring in May.", "own", 2)
    assert list(contact.clients.all()) == [job_seekers[0]]


def test_director_may_not_correct_or_archive_a_contact(
    director: User, contacts: dict[str, EmployerContact]
) -> None:
    contact = contacts["own"]

    corrected = patch(director, contact, {"version": 1, "note": "X"})
    archived = api_as(director).post(
        archive_url(contact), {"version": 1, "reason": "No."}, content_type="application/json"
    )

    assert (corrected.status_code, archived.status_code) == (403, 403)
    contact.refresh_from_db()
    assert (contact.note, contact.archived_at, contact.version) == ("own", None, 1)


def test_specialist_archives_a_contact(
    specialist: User, contacts: dict[str, EmployerContact]
) -> None:
    contact = contacts["own"]

    response = api_as(specialist).post(
        archive_url(contact),
        {"version": 1, "reason": "Logged at the wrong employer."},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    contact.refresh_from_db()
    assert (contact.archive_reason, contact.archived_by) == (
        "Logged at the wrong employer.",
        specialist,
    )
    assert api_as(specialist).get(detail(contact)).status_code == 404
    assert "own" not in notes(api_as(specialist).get(LIST))


def test_archive_with_a_stale_version_is_409(
    specialist: User, contacts: dict[str, EmployerContact]
) -> None:
    contact = contacts["own"]
    patch(specialist, contact, {"version": 1, "note": "Corrected."})

    response = api_as(specialist).post(
        archive_url(contact),
        {"version": 1, "reason": "Duplicate."},
        content_type="application/json",
    )

    assert response.status_code == 409
    contact.refresh_from_db()
    assert (contact.archived_at, contact.version) == (None, 2)


def test_delete_is_not_offered(specialist: User, contacts: dict[str, EmployerContact]) -> None:
    assert api_as(specialist).delete(detail(contacts["own"])).status_code == 405
    assert EmployerContact.objects.filter(pk=contacts["own"].pk, archived_at__isnull=True).exists()


def test_a_correction_cannot_move_the_contact_to_another_employer(
    specialist: User, employer: Employer, contacts: dict[str, EmployerContact]
) -> None:
    other = EmployerFactory(program=employer.program)

    response = patch(specialist, contacts["own"], {"version": 1, "employer": other.pk})

    assert response.status_code == 400
    assert response.json() == {"employer": ["This field is read-only here; leave it out."]}
    contacts["own"].refresh_from_db()
    assert (contacts["own"].employer, contacts["own"].version) == (employer, 1)


def test_a_contact_the_client_made_alone_is_logged_with_its_minutes(
    specialist: User, employer: Employer, job_seekers: list[Client]
) -> None:
    response = post(
        specialist,
        {
            "employer": employer.pk,
            "contacted_on": days_ago(2).isoformat(),
            "purpose": "present_job_seeker",
            "by_client": True,
            "minutes": 25,
            "clients": [job_seekers[0].pk],
        },
    )

    assert response.status_code == 201, response.content
    contact = EmployerContact.objects.get()
    assert (contact.by_client, contact.minutes) == (True, 25)
    assert list(contact.clients.all()) == [job_seekers[0]]


def test_a_contact_the_client_made_alone_names_the_client(
    specialist: User, employer: Employer
) -> None:
    response = post(
        specialist,
        {
            "employer": employer.pk,
            "contacted_on": days_ago(2).isoformat(),
            "purpose": "present_job_seeker",
            "by_client": True,
        },
    )

    assert response.status_code == 400
    assert "Name the client who made the contact" in response.content.decode()
    assert EmployerContact.objects.count() == 0


def test_minutes_beyond_a_day_are_refused(specialist: User, employer: Employer) -> None:
    response = post(
        specialist,
        {
            "employer": employer.pk,
            "contacted_on": days_ago(2).isoformat(),
            "purpose": "introduce",
            "minutes": 1441,
        },
    )

    assert response.status_code == 400
    assert "minutes" in response.json()
    assert EmployerContact.objects.count() == 0
