"""The supports API (/api/v1/supports/): recorded as the caller, never edited, archived."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clients.models import Client, Support
from ips.models import AuditEvent, Program, User
from tests.clients.factories import ClientFactory, JobFactory, SupportFactory, api_as, days_ago
from tests.helpers import API_LIST_READ, assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = reverse("api:support-list")


def detail(support: Support) -> str:
    return reverse("api:support-detail", kwargs={"pk": support.pk})


def notes(response: object) -> set[str]:
    return {row["note"] for row in response.json()["results"]}  # type: ignore[attr-defined]


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    return ClientFactory(program=program, specialist=specialist)


@pytest.fixture
def supports(
    client_: Client, other_program: Program, outsider_program: Program
) -> dict[str, Support]:
    return {
        "own": SupportFactory(client=client_, note="own"),
        "other_program": SupportFactory(client=ClientFactory(program=other_program), note="other"),
        "outsider": SupportFactory(client=ClientFactory(program=outsider_program), note="outsider"),
        "archived": SupportFactory(client=client_, archived=True, note="archived"),
    }


def new_support(client: Client, **overrides: object) -> dict[str, object]:
    return {
        "client": client.pk,
        "provided_on": days_ago(1).isoformat(),
        "kind": "with_employer",
        **overrides,
    }


def post(user: User, body: dict[str, object]) -> object:
    return api_as(user).post(LIST, body, content_type="application/json")


def test_list_shows_the_programs_live_supports(
    specialist: User, supports: dict[str, Support]
) -> None:
    response = api_as(specialist).get(LIST)

    assert response.status_code == 200
    assert notes(response) == {"own"}


def test_director_lists_the_agencys_supports(director: User, supports: dict[str, Support]) -> None:
    assert notes(api_as(director).get(LIST)) == {"own", "other"}


@pytest.mark.parametrize("persona", ["reviewer", "admin", "no_role_user"])
def test_roles_without_client_access_list_no_supports(
    persona: str, request: pytest.FixtureRequest, supports: dict[str, Support]
) -> None:
    assert api_as(request.getfixturevalue(persona)).get(LIST).json()["count"] == 0


def test_list_filters_by_job_and_date_range(
    specialist: User, client_: Client, supports: dict[str, Support]
) -> None:
    job = JobFactory(client=client_)
    SupportFactory(client=client_, job=job, provided_on=days_ago(2), note="on the job")
    api = api_as(specialist)

    assert notes(api.get(LIST, {"job": job.pk})) == {"on the job"}
    assert notes(api.get(LIST, {"provided_on_after": days_ago(3).isoformat()})) == {"on the job"}
    assert notes(api.get(LIST, {"provided_on_before": days_ago(3).isoformat()})) == {"own"}


def test_list_query_count_is_constant(specialist: User, client_: Client) -> None:
    def add_rows(count: int) -> None:
        for _ in range(count):
            SupportFactory(client=ClientFactory(program=client_.program))

    # token + user, count, supports; the read of the
    # clients listed
    assert assert_constant_queries(api_as(specialist), LIST, add_rows) == 3 + API_LIST_READ


def test_retrieve_is_audited_against_the_client(
    specialist: User, supports: dict[str, Support]
) -> None:
    support = supports["own"]

    response = api_as(specialist).get(detail(support))

    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.subject_client_id) == (
        AuditEvent.Action.API,
        str(support.pk),
        support.client_id,
    )


@pytest.mark.parametrize(
    ("persona", "key"),
    [("outsider_director", "own"), ("reviewer", "own"), ("specialist", "other_program")],
)
def test_an_invisible_support_is_404(
    persona: str, key: str, request: pytest.FixtureRequest, supports: dict[str, Support]
) -> None:
    api = api_as(request.getfixturevalue(persona))
    url = reverse("api:support-archive", kwargs={"pk": supports[key].pk})

    assert api.get(detail(supports[key])).status_code == 404
    response = api.post(url, {"version": 1, "reason": "x"}, content_type="application/json")
    assert response.status_code == 404
    supports[key].refresh_from_db()
    assert supports[key].archived_at is None


def test_support_is_recorded_as_the_caller(other_specialist: User, client_: Client) -> None:
    job = JobFactory(client=client_)

    response = post(other_specialist, new_support(client_, job=job.pk, note="Met the manager."))

    assert response.status_code == 201, response.json()
    support = Support.objects.get()
    assert (support.client, support.job, support.specialist) == (client_, job, other_specialist)
    assert response.json()["specialist"] == other_specialist.pk


def test_director_may_not_record_a_support(director: User, client_: Client) -> None:
    assert post(director, new_support(client_)).status_code == 403
    assert not Support.objects.exists()


def test_a_job_of_another_client_is_400(specialist: User, client_: Client) -> None:
    someone_elses = JobFactory(client=ClientFactory(program=client_.program))

    response = post(specialist, new_support(client_, job=someone_elses.pk))

    assert response.status_code == 400
    assert response.json() == {"job": ["Choose one of this client's jobs."]}
    assert not Support.objects.exists()


def test_a_support_for_a_client_of_another_program_is_400(
    specialist: User, other_program: Program
) -> None:
    response = post(specialist, new_support(ClientFactory(program=other_program)))

    assert response.status_code == 400
    assert "client" in response.json()
    assert not Support.objects.exists()


def test_a_future_support_is_400(specialist: User, client_: Client) -> None:
    response = post(specialist, new_support(client_, provided_on=days_ago(-1).isoformat()))

    assert response.status_code == 400
    assert response.json() == {"provided_on": ["The support date cannot be in the future."]}
    assert not Support.objects.exists()


def test_a_support_after_the_closure_is_400(specialist: User, program: Program) -> None:
    closed = ClientFactory(program=program, closed=True)
    after = closed.current_episode.closed_on + dt.timedelta(days=1)

    response = post(specialist, new_support(closed, provided_on=after.isoformat()))

    assert response.status_code == 400
    assert "outside the client's enrollment" in response.json()["provided_on"][0]
    assert not Support.objects.exists()


def test_supports_are_not_edited(specialist: User, supports: dict[str, Support]) -> None:
    api = api_as(specialist)

    for method in (api.put, api.patch):
        response = method(detail(supports["own"]), {"version": 1}, content_type="application/json")
        assert response.status_code == 405
    assert api.delete(detail(supports["own"])).status_code == 405


def test_archive_with_a_stale_version_is_409_and_changes_nothing(
    specialist: User, supports: dict[str, Support]
) -> None:
    support = supports["own"]
    url = reverse("api:support-archive", kwargs={"pk": support.pk})

    response = api_as(specialist).post(
        url, {"version": 2, "reason": "Duplicate."}, content_type="application/json"
    )

    assert response.status_code == 409
    support.refresh_from_db()
    assert (support.archived_at, support.version) == (None, 1)


def test_director_may_not_archive_a_support(director: User, supports: dict[str, Support]) -> None:
    url = reverse("api:support-archive", kwargs={"pk": supports["own"].pk})

    response = api_as(director).post(
        url, {"version": 1, "reason": "x"}, content_type="application/json"
    )

    assert response.status_code == 403
    supports["own"].refresh_from_db()
    assert supports["own"].archived_at is None
