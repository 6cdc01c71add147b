"""The employer people API (/api/v1/employer-people/): who specialists meet at an employer.

Visible with the employer; added and changed by whoever may edit the program's client records.
People are businesses' staff, not clients: reading one is not audited, and they are neither
archived nor deleted here.
"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import NoReverseMatch, reverse

from employers.models import Employer, EmployerPerson
from ips.models import AuditEvent, Program, User
from tests.clients.factories import EmployerFactory, api_as
from tests.employers.factories import EmployerPersonFactory
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = reverse("api:employer-person-list")


def detail(person: EmployerPerson) -> str:
    return reverse("api:employer-person-detail", kwargs={"pk": person.pk})


def names(response: object) -> set[str]:
    return {row["name"] for row in response.json()["results"]}  # type: ignore[attr-defined]


def post(user: User, body: dict[str, object]) -> object:
    return api_as(user).post(LIST, body, content_type="application/json")


def patch(user: User, person: EmployerPerson, body: dict[str, object]) -> object:
    return api_as(user).patch(detail(person), body, content_type="application/json")


@pytest.fixture
def employer(program: Program) -> Employer:
    return EmployerFactory(program=program, name="Harbourside Bakery")


@pytest.fixture
def people(
    employer: Employer, other_program: Program, outsider_program: Program
) -> dict[str, EmployerPerson]:
    return {
        "own": EmployerPersonFactory(
            employer=employer, name="Hana Baker", role="Owner", makes_hiring_decisions=True
        ),
        "other_program": EmployerPersonFactory(
            employer=EmployerFactory(program=other_program), name="Hal Hardware"
        ),
        "outsider": EmployerPersonFactory(
            employer=EmployerFactory(program=outsider_program), name="Lara Lakeside"
        ),
    }


# --- Lists and retrieve ---------------------------------------------------------------------------


def test_token_authenticated_list_shows_the_programs_people(
    specialist: User, people: dict[str, EmployerPerson]
) -> None:
    response = api_as(specialist).get(LIST)

    assert response.status_code == 200
    own = people["own"]
    assert response.json()["results"] == [
        {
            "id": own.pk,
            "employer": own.employer_id,
            "name": "Hana Baker",
            "role": "Owner",
            "phone": "",
            "email": own.email,
            "makes_hiring_decisions": True,
            "version": 1,
        }
    ]


def test_anonymous_or_bad_token_callers_are_refused(people: dict[str, EmployerPerson]) -> None:
    bad_token = HttpClient(headers={"Authorization": "Token not-a-real-token"})

    assert HttpClient().get(LIST).status_code == 403
    assert bad_token.get(detail(people["own"])).status_code == 403


def test_director_lists_the_agencys_people(
    director: User, people: dict[str, EmployerPerson]
) -> None:
    assert names(api_as(director).get(LIST)) == {"Hana Baker", "Hal Hardware"}


@pytest.mark.parametrize("persona", ["reviewer", "admin", "no_role_user"])
def test_roles_without_client_access_list_no_people(
    persona: str, request: pytest.FixtureRequest, people: dict[str, EmployerPerson]
) -> None:
    response = api_as(request.getfixturevalue(persona)).get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_list_filters_by_employer_and_program(
    director: User, program: Program, employer: Employer, people: dict[str, EmployerPerson]
) -> None:
    EmployerPersonFactory(employer=EmployerFactory(program=program), name="Cal Cafe")
    api = api_as(director)

    assert names(api.get(LIST, {"employer": employer.pk})) == {"Hana Baker"}
    assert names(api.get(LIST, {"program": program.pk})) == {"Hana Baker", "Cal Cafe"}
    assert names(api.get(LIST, {"employer": people["outsider"].employer_id})) == set()


def test_list_query_count_is_constant(specialist: User, employer: Employer) -> None:
    def add_rows(count: int) -> None:
        EmployerPersonFactory.create_batch(count, employer=employer)

    # token + user, the caller's grants, count, people
    assert assert_constant_queries(api_as(specialist), LIST, add_rows) == 4


def test_retrieve_shows_the_person_unaudited(
    director: User, people: dict[str, EmployerPerson]
) -> None:
    response = api_as(director).get(detail(people["other_program"]))

    assert response.status_code == 200
    assert response.json()["name"] == "Hal Hardware"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("persona", "key"),
    [
        ("outsider_director", "own"),
        ("reviewer", "own"),
        ("admin", "own"),
        ("specialist", "other_program"),
        ("specialist", "outsider"),
    ],
)
def test_an_invisible_person_is_404_to_read_and_to_write(
    persona: str, key: str, request: pytest.FixtureRequest, people: dict[str, EmployerPerson]
) -> None:
    user = request.getfixturevalue(persona)
    person = people[key]
    role = person.role

    assert api_as(user).get(detail(person)).status_code == 404
    assert patch(user, person, {"version": 1, "role": "X"}).status_code == 404
    person.refresh_from_db()
    assert (person.role, person.version) == (role, 1)
    assert not AuditEvent.objects.exists()


# --- Create ---------------------------------------------------------------------------------------


def test_specialist_adds_someone_at_an_employer(specialist: User, employer: Employer) -> None:
    response = post(
        specialist,
        {
            "employer": employer.pk,
            "name": "Mo Manager",
            "role": "Store manager",
            "phone": "555-0100",
            "email": "mo@example.com",
            "makes_hiring_decisions": True,
        },
    )

    assert response.status_code == 201, response.json()
    person = EmployerPerson.objects.get()
    assert response.json()["id"] == person.pk
    assert (person.employer, person.name, person.role, person.makes_hiring_decisions) == (
        employer,
        "Mo Manager",
        "Store manager",
        True,
    )
    assert (person.phone, person.email, person.version) == ("555-0100", "mo@example.com", 1)


def test_director_may_not_add_someone(director: User, employer: Employer) -> None:
    assert post(director, {"employer": employer.pk, "name": "Mo Manager"}).status_code == 403
    assert not EmployerPerson.objects.exists()


@pytest.mark.parametrize("where", ["other_program", "outsider_program"])
def test_someone_at_an_employer_outside_the_callers_programs_is_400(
    where: str, specialist: User, request: pytest.FixtureRequest
) -> None:
    elsewhere = EmployerFactory(program=request.getfixturevalue(where))

    response = post(specialist, {"employer": elsewhere.pk, "name": "Mo Manager"})

    assert response.status_code == 400
    assert response.json() == {"employer": ["Choose an employer of your own program."]}
    assert not EmployerPerson.objects.exists()


def test_a_bad_email_is_400(specialist: User, employer: Employer) -> None:
    response = post(specialist, {"employer": employer.pk, "name": "Mo", "email": "not-an-email"})

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert not EmployerPerson.objects.exists()


# --- Update ---------------------------------------------------------------------------------------


def test_specialist_updates_someones_details(
    specialist: User, people: dict[str, EmployerPerson]
) -> None:
    person = people["own"]

    response = patch(specialist, person, {"version": 1, "phone": "555-0199", "role": "Co-owner"})

    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    person.refresh_from_db()
    assert (person.phone, person.role, person.version) == ("555-0199", "Co-owner", 2)


def test_put_needs_the_name(supervisor: User, people: dict[str, EmployerPerson]) -> None:
    person = people["own"]

    response = api_as(supervisor).put(
        detail(person), {"version": 1, "role": "Co-owner"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    person.refresh_from_db()
    assert (person.role, person.version) == ("Owner", 1)


def test_someone_cannot_be_moved_to_another_employer(
    specialist: User, employer: Employer, people: dict[str, EmployerPerson]
) -> None:
    other = EmployerFactory(program=employer.program)

    response = patch(specialist, people["own"], {"version": 1, "employer": other.pk})

    assert response.status_code == 400
    assert response.json() == {"employer": ["This field is read-only here; leave it out."]}
    people["own"].refresh_from_db()
    assert (people["own"].employer, people["own"].version) == (employer, 1)


def test_stale_version_is_409_and_changes_nothing(
    specialist: User, other_specialist: User, people: dict[str, EmployerPerson]
) -> None:
    person = people["own"]
    patch(other_specialist, person, {"version": 1, "phone": "555-0111"})

    response = patch(specialist, person, {"version": 1, "name": "Renamed"})

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    person.refresh_from_db()
    assert (person.name, person.phone, person.version) == ("Hana Baker", "555-0111", 2)


def test_director_may_not_update_someone(director: User, people: dict[str, EmployerPerson]) -> None:
    response = patch(director, people["own"], {"version": 1, "name": "X"})

    assert response.status_code == 403
    people["own"].refresh_from_db()
    assert (people["own"].name, people["own"].version) == ("Hana Baker", 1)


def test_people_are_neither_deleted_nor_archived(
    specialist: User, people: dict[str, EmployerPerson]
) -> None:
    person = people["own"]

    assert api_as(specialist).delete(detail(person)).status_code == 405
    with pytest.raises(NoReverseMatch):
        reverse("api:employer-person-archive", kwargs={"pk": person.pk})
    assert EmployerPerson.objects.filter(pk=person.pk).exists()
