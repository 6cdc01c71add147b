"""The fidelity API: the scale, reviews with their nested item scores, evidence, and access."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fidelity.models import Review
from ips.models import Program, User
from tests.clients.factories import api_as
from tests.fidelity.factories import WINDOW, final_review, outside_reviewer, plan_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_reviewer(program: Program) -> User:
    return outside_reviewer(program)


def test_items_give_the_scale_with_five_anchors(reviewer: User) -> None:
    response = api_as(reviewer).get(reverse("api:fidelity-item-list"))

    items = response.json()
    assert response.status_code == 200
    assert len(items) == 25
    assert set(items[0]) == {"number", "section", "name", "criterion", "anchors"}
    assert (items[0]["number"], items[0]["section"], items[0]["name"]) == (
        1,
        "Staffing",
        "Caseload size",
    )
    assert items[0]["anchors"][0] == "41 or more clients per specialist"
    assert items[0]["anchors"][4] == "20 or fewer clients per specialist"
    assert all(len(item["anchors"]) == 5 for item in items)


def test_item_by_number(reviewer: User) -> None:
    response = api_as(reviewer).get(reverse("api:fidelity-item-detail", args=[15]))

    assert response.json()["section"] == "Services"


def test_review_shape_with_nested_item_scores(
    program: Program, reviewer: User, second_reviewer: User, director: User
) -> None:
    review = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)

    response = api_as(director).get(reverse("api:fidelity-review-detail", args=[review.pk]))

    body = response.json()
    assert {
        "id",
        "program",
        "kind",
        "status",
        "total",
        "band",
        "strengths",
        "recommendations",
    } <= set(body)
    assert (body["id"], body["program"], body["status"]) == (review.pk, program.pk, "final")
    assert (body["total"], body["band"]) == (100, "Good fidelity")
    assert len(body["items"]) == 25
    assert body["items"][0]["number"] == 1
    assert body["items"][0]["score"] == 4


def test_planned_review_has_no_total(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)

    body = api_as(reviewer).get(reverse("api:fidelity-review-list")).json()

    assert body["results"][0]["id"] == review.pk
    assert (body["results"][0]["status"], body["results"][0]["total"]) == ("planned", None)
    assert body["results"][0]["band"] == ""


@pytest.mark.parametrize("persona", ["outsider_director", "specialist", "no_role_user"])
def test_outsiders_and_specialists_get_404(
    request: pytest.FixtureRequest,
    program: Program,
    reviewer: User,
    second_reviewer: User,
    persona: str,
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    api = api_as(request.getfixturevalue(persona))

    assert api.get(reverse("api:fidelity-review-detail", args=[review.pk])).status_code == 404
    assert api.get(reverse("api:fidelity-review-evidence", args=[review.pk])).status_code == 404
    assert api.get(reverse("api:fidelity-review-list")).json()["results"] == []


def test_evidence_lists_indicators_per_item(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)

    response = api_as(reviewer).get(reverse("api:fidelity-review-evidence", args=[review.pk]))

    rows = response.json()
    assert response.status_code == 200
    items = [1, 2, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25]
    assert [row["item"] for row in rows] == items
    team = next(row for row in rows if row["item"] == 5)
    assert (team["available"], team["value"]) == (True, None)  # no meeting in the window
    assert team["rows_url"].endswith("/evidence/team_meeting_attendance/")
    caseload = rows[0]
    assert caseload["value"] is None  # nobody served in the window: no data, not 0
    assert caseload["rows_url"].endswith("/evidence/caseload_per_specialist/")


def test_final_review_refuses_edits_in_place(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)

    response = api_as(reviewer).patch(
        reverse("api:fidelity-review-detail", args=[review.pk]),
        {"version": review.version, "strengths": "Rewritten"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "record an amendment" in response.json()["detail"][0]
    review.refresh_from_db()
    assert review.strengths == ""


def test_stale_patch_is_409(program: Program, reviewer: User, second_reviewer: User) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    api = api_as(reviewer)
    url = reverse("api:fidelity-review-detail", args=[review.pk])
    api.patch(url, {"version": 1, "strengths": "First"}, content_type="application/json")

    response = api.patch(
        url, {"version": 1, "strengths": "Second"}, content_type="application/json"
    )

    assert response.status_code == 409
    review.refresh_from_db()
    assert review.strengths == "First"


def test_supervisor_reads_but_cannot_patch(
    program: Program, reviewer: User, second_reviewer: User, supervisor: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)

    response = api_as(supervisor).patch(
        reverse("api:fidelity-review-detail", args=[review.pk]),
        {"version": 1, "strengths": "x"},
        content_type="application/json",
    )

    assert response.status_code == 403


def _plan_body(program: Program, a: User, b: User) -> dict:
    return {
        "program": program.pk,
        "kind": "baseline",
        "window_start": WINDOW[0].isoformat(),
        "window_end": WINDOW[1].isoformat(),
        "reviewer_a": a.pk,
        "reviewer_b": b.pk,
    }


def test_supervisor_plans_a_review(
    program: Program, reviewer: User, second_reviewer: User, supervisor: User
) -> None:
    response = api_as(supervisor).post(
        reverse("api:fidelity-review-list"),
        _plan_body(program, reviewer, second_reviewer),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["status"] == "planned"
    assert Review.objects.get().created_by == supervisor


def test_reviewer_cannot_plan_and_nothing_is_created(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    response = api_as(reviewer).post(
        reverse("api:fidelity-review-list"),
        _plan_body(program, reviewer, second_reviewer),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert Review.objects.count() == 0


def test_plan_for_another_agency_is_refused(
    outsider_program: Program, reviewer: User, second_reviewer: User, supervisor: User
) -> None:
    response = api_as(supervisor).post(
        reverse("api:fidelity-review-list"),
        _plan_body(outsider_program, reviewer, second_reviewer),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert Review.objects.count() == 0
