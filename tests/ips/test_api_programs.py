"""The programs API (/api/v1/programs/) and /api/v1/me/, through token authentication."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ips.models import Agency, Program, Role, User
from ips.services import api_token_create
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    """A client that authenticates every request with the user's API token (no session)."""
    _, key = api_token_create(user=user, name="Tests")
    return Client(headers={"Authorization": f"Token {key}"})


def test_token_authenticates_and_the_list_is_scoped(
    specialist: User, program: Program, other_program: Program, outsider_program: Program
) -> None:
    response = api(specialist).get(reverse("api:program-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": program.pk,
            "agency": program.agency_id,
            "agency_name": "Riverside Mental Health",
            "name": "Harbor Works",
            "site": "Main Street",
            "is_active": True,
            "weekly_employer_contact_target": 6,
            "counts_self_employment": False,
            "version": 1,
        }
    ]


def test_list_filters_stay_within_scope(
    director: User, program: Program, other_program: Program, outsider_program: Program
) -> None:
    client = api(director)

    own = client.get(reverse("api:program-list"), {"agency": program.agency_id}).json()
    foreign = client.get(reverse("api:program-list"), {"agency": outsider_program.agency_id})

    assert {row["name"] for row in own["results"]} == {"Harbor Works", "Bridge Team"}
    assert foreign.status_code == 200
    assert foreign.json()["results"] == []


def test_bad_token_is_refused(program: Program) -> None:
    client = Client(headers={"Authorization": "Token not-a-real-token"})

    response = client.get(reverse("api:program-list"))

    assert response.status_code == 403
    assert "Invalid token" in response.json()["detail"]


def test_token_of_a_deactivated_account_is_refused(specialist: User, program: Program) -> None:
    client = api(specialist)
    specialist.is_active = False
    specialist.save()

    response = client.get(reverse("api:program-list"))

    # Deactivation revoked the token (tests/ips/test_api_tokens.py).
    assert response.status_code == 403
    assert "Invalid token" in response.json()["detail"]


def test_anonymous_caller_is_refused(program: Program) -> None:
    for url in (reverse("api:program-list"), reverse("api:me")):
        response = Client().get(url)
        assert response.status_code == 403
        assert "credentials were not provided" in response.json()["detail"]


def test_retrieve_of_another_agencys_program_is_404(
    director: User, outsider_program: Program
) -> None:
    response = api(director).get(reverse("api:program-detail", kwargs={"pk": outsider_program.pk}))

    assert response.status_code == 404


def test_retrieve_of_a_visible_program(reviewer: User, program: Program) -> None:
    response = api(reviewer).get(reverse("api:program-detail", kwargs={"pk": program.pk}))

    assert response.status_code == 200
    assert response.json()["name"] == "Harbor Works"


def test_admin_creates_a_program(admin: User, agency: Agency) -> None:
    response = api(admin).post(
        reverse("api:program-list"),
        {"agency": agency.pk, "name": "Canal Street Team", "site": "Canal Street"},
        content_type="application/json",
    )

    assert response.status_code == 201
    created = Program.objects.get(name="Canal Street Team")
    assert created.agency == agency
    assert response.json()["id"] == created.pk
    assert response.json()["version"] == 1


def test_director_may_not_create_a_program(director: User, agency: Agency) -> None:
    count = Program.objects.count()

    response = api(director).post(
        reverse("api:program-list"),
        {"agency": agency.pk, "name": "Canal Street Team"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert Program.objects.count() == count


def test_admin_may_not_create_a_program_in_another_agency(
    admin: User, outsider_agency: Agency
) -> None:
    count = Program.objects.count()

    response = api(admin).post(
        reverse("api:program-list"),
        {"agency": outsider_agency.pk, "name": "Canal Street Team"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "agency" in response.json()
    assert Program.objects.count() == count


def test_duplicate_program_name_is_400_and_changes_nothing(
    admin: User, agency: Agency, program: Program
) -> None:
    count = Program.objects.count()

    response = api(admin).post(
        reverse("api:program-list"),
        {"agency": agency.pk, "name": program.name},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert Program.objects.count() == count


def test_admin_updates_a_program_with_the_current_version(admin: User, program: Program) -> None:
    response = api(admin).patch(
        reverse("api:program-detail", kwargs={"pk": program.pk}),
        {"version": 1, "name": "Harbor Works East"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    program.refresh_from_db()
    assert (program.name, program.version) == ("Harbor Works East", 2)


def test_update_with_a_stale_version_is_409_and_changes_nothing(
    admin: User, program: Program
) -> None:
    client = api(admin)
    url = reverse("api:program-detail", kwargs={"pk": program.pk})
    client.patch(url, {"version": 1, "site": "Pier 4"}, content_type="application/json")

    response = client.put(
        url, {"version": 1, "name": "Harbor West"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    program.refresh_from_db()
    assert (program.name, program.site, program.version) == ("Harbor Works", "Pier 4", 2)


def test_director_may_not_update_a_program(director: User, program: Program) -> None:
    response = api(director).patch(
        reverse("api:program-detail", kwargs={"pk": program.pk}),
        {"version": 1, "name": "Renamed"},
        content_type="application/json",
    )

    assert response.status_code == 403
    program.refresh_from_db()
    assert program.name == "Harbor Works"


def test_admin_may_not_update_another_agencys_program(
    admin: User, outsider_program: Program
) -> None:
    response = api(admin).patch(
        reverse("api:program-detail", kwargs={"pk": outsider_program.pk}),
        {"version": 1, "name": "Renamed"},
        content_type="application/json",
    )

    assert response.status_code == 404
    outsider_program.refresh_from_db()
    assert outsider_program.name == "Summit Employment"


def test_me_returns_the_account_and_its_roles(reviewer: User, program: Program) -> None:
    other = ProgramFactory(agency=program.agency)
    reviewer.roles.create(role=Role.REVIEWER, agency=other.agency, program=other)

    response = api(reviewer).get(reverse("api:me"))

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["username"], body["home_agency"]) == (
        reviewer.pk,
        "rita.reviewer",
        None,
    )
    assert sorted(body["roles"], key=lambda r: r["program"]) == sorted(
        [
            {"role": "reviewer", "agency": program.agency_id, "program": program.pk, "fte": "1.00"},
            {"role": "reviewer", "agency": other.agency_id, "program": other.pk, "fte": "1.00"},
        ],
        key=lambda r: r["program"],
    )
