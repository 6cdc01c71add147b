"""The employers API (/api/v1/employers/): a program's shared employers, duplicates warned of."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from employers.models import Employer
from ips.models import AuditEvent, Program, Role, User
from tests.clients.factories import EmployerFactory, api_as
from tests.factories import StaffRoleFactory
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = reverse("api:employer-list")


def detail(employer: Employer) -> str:
    return reverse("api:employer-detail", kwargs={"pk": employer.pk})


def names(response: object) -> set[str]:
    return {row["name"] for row in response.json()["results"]}  # type: ignore[attr-defined]


@pytest.fixture
def employers(
    program: Program, other_program: Program, outsider_program: Program
) -> dict[str, Employer]:
    return {
        "own": EmployerFactory(program=program, name="Harbourside Bakery", industry="Food"),
        "other_program": EmployerFactory(program=other_program, name="Hill Road Hardware"),
        "outsider": EmployerFactory(program=outsider_program, name="Lakeside Logistics"),
    }


def post(user: User, body: dict[str, object]) -> object:
    return api_as(user).post(LIST, body, content_type="application/json")


# --- Lists and retrieve ---------------------------------------------------------------------------


def test_list_shows_the_programs_employers(
    specialist: User, employers: dict[str, Employer]
) -> None:
    response = api_as(specialist).get(LIST)

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": employers["own"].pk,
            "program": employers["own"].program_id,
            "name": "Harbourside Bakery",
            "industry": "Food",
            "address": "",
            "notes": "",
            "archived_at": None,
            "version": 1,
        }
    ]


def test_director_lists_the_agencys_employers(
    director: User, employers: dict[str, Employer]
) -> None:
    assert names(api_as(director).get(LIST)) == {"Harbourside Bakery", "Hill Road Hardware"}


@pytest.mark.parametrize("persona", ["reviewer", "admin", "no_role_user"])
def test_roles_without_client_access_list_no_employers(
    persona: str, request: pytest.FixtureRequest, employers: dict[str, Employer]
) -> None:
    assert api_as(request.getfixturevalue(persona)).get(LIST).json()["count"] == 0


def test_list_filters_by_name_program_and_archived(
    director: User, program: Program, employers: dict[str, Employer]
) -> None:
    EmployerFactory(program=program, name="Old Mill Cafe", archived_at=timezone.now())
    api = api_as(director)

    assert names(api.get(LIST, {"name": "bakery"})) == {"Harbourside Bakery"}
    assert names(api.get(LIST, {"program": program.pk, "archived": "false"})) == {
        "Harbourside Bakery"
    }
    assert names(api.get(LIST, {"archived": "true"})) == {"Old Mill Cafe"}


def test_list_query_count_is_constant(specialist: User, program: Program) -> None:
    def add_rows(count: int) -> None:
        EmployerFactory.create_batch(count, program=program)

    # token + user, the caller's grants, count, employers
    assert assert_constant_queries(api_as(specialist), LIST, add_rows) == 4


def test_retrieve_shows_the_employer(director: User, employers: dict[str, Employer]) -> None:
    response = api_as(director).get(detail(employers["other_program"]))

    assert response.status_code == 200
    assert response.json()["name"] == "Hill Road Hardware"
    # Employers are businesses, not clients: reading one is not a client-record read.
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("persona", "key"),
    [("outsider_director", "own"), ("reviewer", "own"), ("specialist", "other_program")],
)
def test_an_invisible_employer_is_404_to_read_and_to_write(
    persona: str, key: str, request: pytest.FixtureRequest, employers: dict[str, Employer]
) -> None:
    api = api_as(request.getfixturevalue(persona))
    employer = employers[key]

    assert api.get(detail(employer)).status_code == 404
    patch = api.patch(
        detail(employer), {"version": 1, "name": "X"}, content_type="application/json"
    )
    assert patch.status_code == 404
    employer.refresh_from_db()
    assert employer.version == 1


# --- Create ---------------------------------------------------------------------------------------


def test_specialist_adds_an_employer_with_no_duplicates(specialist: User, program: Program) -> None:
    response = post(
        specialist, {"program": program.pk, "name": "Canal Street Books", "industry": "Retail"}
    )

    assert response.status_code == 201, response.json()
    employer = Employer.objects.get()
    assert (employer.program, employer.name, employer.created_by) == (
        program,
        "Canal Street Books",
        specialist,
    )
    assert response.json()["id"] == employer.pk
    assert response.json()["possible_duplicates"] == []


def test_a_similar_name_is_warned_of_but_added(
    specialist: User, program: Program, employers: dict[str, Employer]
) -> None:
    response = post(specialist, {"program": program.pk, "name": "The Harbourside Bakery, Inc."})

    assert response.status_code == 201
    assert response.json()["possible_duplicates"] == [
        {"id": employers["own"].pk, "name": "Harbourside Bakery"}
    ]
    assert Employer.objects.filter(program=program).count() == 2


def test_duplicates_are_looked_for_in_the_same_program_only(
    specialist: User, program: Program, employers: dict[str, Employer]
) -> None:
    response = post(specialist, {"program": program.pk, "name": "Lakeside Logistics"})

    assert response.status_code == 201
    assert response.json()["possible_duplicates"] == []


def test_director_may_not_add_an_employer(director: User, program: Program) -> None:
    assert post(director, {"program": program.pk, "name": "Canal Street Books"}).status_code == 403
    assert not Employer.objects.exists()


def test_adding_to_a_program_the_caller_cannot_see_is_400(
    specialist: User, other_program: Program, outsider_program: Program
) -> None:
    for target in (other_program, outsider_program):
        response = post(specialist, {"program": target.pk, "name": "Canal Street Books"})

        assert response.status_code == 400
        assert response.json() == {"program": ["Choose one of your programs."]}
    assert not Employer.objects.exists()


def test_adding_to_a_program_the_caller_only_reviews_is_403(
    specialist: User, other_program: Program
) -> None:
    StaffRoleFactory(user=specialist, role=Role.REVIEWER, program=other_program)

    response = post(specialist, {"program": other_program.pk, "name": "Canal Street Books"})

    assert response.status_code == 403
    assert not Employer.objects.exists()


def test_a_blank_name_is_400(specialist: User, program: Program) -> None:
    response = post(specialist, {"program": program.pk, "name": "  "})

    assert response.status_code == 400
    assert response.json() == {"name": ["This field may not be blank."]}
    assert not Employer.objects.exists()


# --- Update ---------------------------------------------------------------------------------------


def test_specialist_updates_an_employer(specialist: User, employers: dict[str, Employer]) -> None:
    employer = employers["own"]

    response = api_as(specialist).patch(
        detail(employer),
        {"version": 1, "name": "Harbourside Bakery & Cafe", "notes": "Hires in spring."},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    employer.refresh_from_db()
    assert (employer.name, employer.notes, employer.version) == (
        "Harbourside Bakery & Cafe",
        "Hires in spring.",
        2,
    )
    assert employer.name_key == "harbourside bakery cafe"


def test_stale_version_is_409_and_changes_nothing(
    specialist: User, other_specialist: User, employers: dict[str, Employer]
) -> None:
    employer = employers["own"]
    api_as(other_specialist).patch(
        detail(employer), {"version": 1, "industry": "Bakery"}, content_type="application/json"
    )

    response = api_as(specialist).put(
        detail(employer), {"version": 1, "name": "Renamed"}, content_type="application/json"
    )

    assert response.status_code == 409
    employer.refresh_from_db()
    assert (employer.name, employer.industry, employer.version) == (
        "Harbourside Bakery",
        "Bakery",
        2,
    )


def test_director_may_not_update_an_employer(
    director: User, employers: dict[str, Employer]
) -> None:
    response = api_as(director).patch(
        detail(employers["own"]), {"version": 1, "name": "X"}, content_type="application/json"
    )

    assert response.status_code == 403
    employers["own"].refresh_from_db()
    assert employers["own"].name == "Harbourside Bakery"


def test_delete_is_not_offered(specialist: User, employers: dict[str, Employer]) -> None:
    assert api_as(specialist).delete(detail(employers["own"])).status_code == 405
    assert Employer.objects.filter(pk=employers["own"].pk).exists()
