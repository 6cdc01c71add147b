"""The benefits-referrals API (/api/v1/benefits-referrals/): scoped, audited, versioned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clients.models import BenefitsReferral, Client
from ips.models import AuditEvent, Program, User
from tests.clients.factories import BenefitsReferralFactory, ClientFactory, api_as, days_ago
from tests.helpers import API_LIST_READ, assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = reverse("api:benefits-referral-list")


def detail(referral: BenefitsReferral) -> str:
    return reverse("api:benefits-referral-detail", kwargs={"pk": referral.pk})


def counselors(response: object) -> set[str]:
    return {row["counselor"] for row in response.json()["results"]}  # type: ignore[attr-defined]


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    return ClientFactory(program=program, specialist=specialist)


@pytest.fixture
def referrals(
    client_: Client, other_program: Program, outsider_program: Program
) -> dict[str, BenefitsReferral]:
    return {
        "own": BenefitsReferralFactory(client=client_, counselor="own"),
        "other_program": BenefitsReferralFactory(
            client=ClientFactory(program=other_program), counselor="other"
        ),
        "outsider": BenefitsReferralFactory(
            client=ClientFactory(program=outsider_program), counselor="outsider"
        ),
        "archived": BenefitsReferralFactory(client=client_, archived=True, counselor="archived"),
    }


def new_referral(client: Client, **overrides: object) -> dict[str, object]:
    return {
        "client": client.pk,
        "referred_on": days_ago(1).isoformat(),
        "counselor": "County WIPA office",
        "benefits": ["ssdi", "medicaid"],
        **overrides,
    }


def post(user: User, body: dict[str, object]) -> object:
    return api_as(user).post(LIST, body, content_type="application/json")


def test_list_shows_the_programs_live_referrals(
    specialist: User, referrals: dict[str, BenefitsReferral]
) -> None:
    response = api_as(specialist).get(LIST)

    assert response.status_code == 200
    assert counselors(response) == {"own"}
    assert response.json()["results"][0]["benefits"] == ["ssi", "medicaid"]


def test_director_lists_the_agencys_referrals(
    director: User, referrals: dict[str, BenefitsReferral]
) -> None:
    assert counselors(api_as(director).get(LIST)) == {"own", "other"}


@pytest.mark.parametrize("persona", ["reviewer", "admin", "no_role_user"])
def test_roles_without_client_access_list_no_referrals(
    persona: str, request: pytest.FixtureRequest, referrals: dict[str, BenefitsReferral]
) -> None:
    assert api_as(request.getfixturevalue(persona)).get(LIST).json()["count"] == 0


def test_list_filters_by_client_and_date_range(
    director: User, client_: Client, referrals: dict[str, BenefitsReferral]
) -> None:
    BenefitsReferralFactory(client=client_, referred_on=days_ago(2), counselor="recent")
    api = api_as(director)

    assert counselors(api.get(LIST, {"client": client_.pk})) == {"own", "recent"}
    assert counselors(api.get(LIST, {"referred_on_after": days_ago(3).isoformat()})) == {"recent"}


def test_list_query_count_is_constant(specialist: User, client_: Client) -> None:
    def add_rows(count: int) -> None:
        for _ in range(count):
            BenefitsReferralFactory(client=ClientFactory(program=client_.program))

    # token + user, count, referrals; the read of the
    # clients listed
    assert assert_constant_queries(api_as(specialist), LIST, add_rows) == 3 + API_LIST_READ


def test_retrieve_is_audited_against_the_client(
    specialist: User, referrals: dict[str, BenefitsReferral]
) -> None:
    referral = referrals["own"]

    response = api_as(specialist).get(detail(referral))

    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.subject_client_id) == (
        AuditEvent.Action.API,
        str(referral.pk),
        referral.client_id,
    )


@pytest.mark.parametrize(
    ("persona", "key"),
    [("outsider_director", "own"), ("reviewer", "own"), ("specialist", "other_program")],
)
def test_an_invisible_referral_is_404_to_read_and_to_write(
    persona: str, key: str, request: pytest.FixtureRequest, referrals: dict[str, BenefitsReferral]
) -> None:
    api = api_as(request.getfixturevalue(persona))
    referral = referrals[key]

    assert api.get(detail(referral)).status_code == 404
    patch = api.patch(
        detail(referral), {"version": 1, "note": "x"}, content_type="application/json"
    )
    assert patch.status_code == 404
    referral.refresh_from_db()
    assert (referral.note, referral.version) == ("", 1)


def test_specialist_refers_a_client(specialist: User, client_: Client) -> None:
    response = post(specialist, new_referral(client_, benefits=["medicaid", "ssdi", "ssdi"]))

    assert response.status_code == 201, response.json()
    referral = BenefitsReferral.objects.get()
    assert (referral.client, referral.created_by, referral.benefits) == (
        client_,
        specialist,
        ["ssdi", "medicaid"],
    )
    assert response.json()["benefits"] == ["ssdi", "medicaid"]


def test_director_may_not_refer(director: User, client_: Client) -> None:
    assert post(director, new_referral(client_)).status_code == 403
    assert not BenefitsReferral.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"benefits": ["lottery"]}, {"benefits": {"0": ['"lottery" is not a valid choice.']}}),
        (
            {"referred_on": days_ago(-1).isoformat()},
            {"referred_on": ["The referral date cannot be in the future."]},
        ),
        (
            {"planning_completed_on": days_ago(5).isoformat()},
            {"planning_completed_on": ["Planning cannot be completed before the referral."]},
        ),
        (
            {"referred_on": days_ago(400).isoformat()},
            {
                "referred_on": [
                    "This date is outside the client's enrollment (from referral to closure)."
                ]
            },
        ),
    ],
)
def test_bad_referral_input_is_400_and_records_nothing(
    specialist: User, client_: Client, overrides: dict[str, object], expected: dict[str, object]
) -> None:
    response = post(specialist, new_referral(client_, **overrides))

    assert response.status_code == 400
    assert response.json() == expected
    assert not BenefitsReferral.objects.exists()


def test_specialist_records_that_planning_was_completed(
    specialist: User, referrals: dict[str, BenefitsReferral]
) -> None:
    referral = referrals["own"]

    response = api_as(specialist).patch(
        detail(referral),
        {"version": 1, "planning_completed_on": days_ago(1).isoformat()},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    referral.refresh_from_db()
    assert (referral.planning_completed_on, referral.version) == (days_ago(1), 2)


def test_planning_before_the_referral_is_400_and_changes_nothing(
    specialist: User, referrals: dict[str, BenefitsReferral]
) -> None:
    referral = referrals["own"]
    too_early = referral.referred_on - dt.timedelta(days=1)

    response = api_as(specialist).patch(
        detail(referral),
        {"version": 1, "planning_completed_on": too_early.isoformat(), "note": "x"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "planning_completed_on": ["Planning cannot be completed before the referral."]
    }
    referral.refresh_from_db()
    assert (referral.planning_completed_on, referral.note, referral.version) == (None, "", 1)


def test_stale_version_is_409_and_changes_nothing(
    specialist: User, referrals: dict[str, BenefitsReferral]
) -> None:
    referral = referrals["own"]
    api = api_as(specialist)
    api.patch(detail(referral), {"version": 1, "note": "first"}, content_type="application/json")

    response = api.patch(
        detail(referral), {"version": 1, "note": "second"}, content_type="application/json"
    )

    assert response.status_code == 409
    referral.refresh_from_db()
    assert (referral.note, referral.version) == ("first", 2)


def test_director_may_not_change_or_archive_a_referral(
    director: User, referrals: dict[str, BenefitsReferral]
) -> None:
    referral = referrals["own"]
    api = api_as(director)

    patch = api.patch(
        detail(referral), {"version": 1, "note": "x"}, content_type="application/json"
    )
    archive = api.post(
        reverse("api:benefits-referral-archive", kwargs={"pk": referral.pk}),
        {"version": 1, "reason": "x"},
        content_type="application/json",
    )

    assert (patch.status_code, archive.status_code) == (403, 403)
    referral.refresh_from_db()
    assert (referral.note, referral.archived_at) == ("", None)


def test_specialist_archives_a_referral(
    specialist: User, referrals: dict[str, BenefitsReferral]
) -> None:
    referral = referrals["own"]

    response = api_as(specialist).post(
        reverse("api:benefits-referral-archive", kwargs={"pk": referral.pk}),
        {"version": 1, "reason": "Referred twice."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert api_as(specialist).get(detail(referral)).status_code == 404
