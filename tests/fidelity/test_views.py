"""The fidelity pages: independence before consensus, the flow through the pages, sign-off,
amendments, evidence without identities, history and the audited report download."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from fidelity.models import Amendment, Review, ReviewerScore, ReviewItem
from ips.models import AuditEvent, Program, User
from tests.clients.factories import ClientFactory
from tests.fidelity.factories import (
    final_review,
    outside_reviewer,
    plan_review,
    score_all,
)

pytestmark = pytest.mark.django_db

Login = Callable[[User], HttpClient]


@pytest.fixture
def second_reviewer(program: Program) -> User:
    return outside_reviewer(program)


@pytest.fixture
def review(program: Program, reviewer: User, second_reviewer: User) -> Review:
    return plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)


def test_reviewer_cannot_see_the_other_reviewers_scores_before_consensus(
    login_as: Login, review: Review, reviewer: User, second_reviewer: User
) -> None:
    score_all(review, second_reviewer, 2)
    ReviewerScore.objects.filter(reviewer=second_reviewer, item__number=1).update(
        rationale="Second reviewer's private note"
    )
    client = login_as(reviewer)

    pages = [
        client.get(reverse("fidelity:score", args=[review.pk])),
        client.get(reverse("fidelity:detail", args=[review.pk])),
    ]
    consensus = client.get(reverse("fidelity:consensus", args=[review.pk]))

    for page in pages:
        assert page.status_code == 200
        assert b"private note" not in page.content
    assert consensus.status_code == 302


def test_scoring_page_shows_anchors_and_evidence(
    login_as: Login, review: Review, reviewer: User
) -> None:
    page = login_as(reviewer).get(reverse("fidelity:score", args=[review.pk]))

    text = page.content.decode()
    assert "20 or fewer clients per specialist" in text  # an anchor of item 1
    assert 'data-testid="evidence-caseload_per_specialist"' in text
    assert text.count('data-testid="score-form-') == 25


def test_score_item_with_htmx_returns_the_item_form(
    login_as: Login, review: Review, reviewer: User
) -> None:
    response = login_as(reviewer).post(
        reverse("fidelity:score_item", args=[review.pk, 4]),
        {"score": "3", "rationale": "Two teams"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert b'id="score-4"' in response.content
    assert b"Saved." in response.content
    saved = ReviewerScore.objects.get(review=review, reviewer=reviewer)
    assert (saved.item.number, saved.score, saved.rationale) == (4, 3, "Two teams")


def test_score_item_refuses_a_missing_score(
    login_as: Login, review: Review, reviewer: User
) -> None:
    response = login_as(reviewer).post(
        reverse("fidelity:score_item", args=[review.pk, 4]),
        {"score": "", "rationale": "x"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert b"This field is required." in response.content
    assert ReviewerScore.objects.count() == 0


def test_stale_score_is_shown_and_not_saved(
    login_as: Login, review: Review, reviewer: User
) -> None:
    client = login_as(reviewer)
    url = reverse("fidelity:score_item", args=[review.pk, 4])
    client.post(url, {"score": "3"})
    client.post(url, {"score": "4", "version": "1"})

    response = client.post(url, {"score": "5", "version": "1"}, headers={"HX-Request": "true"})

    assert b"changed by someone else" in response.content
    assert ReviewerScore.objects.get().score == 4


def test_supervisor_reads_but_cannot_score(
    login_as: Login, review: Review, supervisor: User
) -> None:
    client = login_as(supervisor)

    assert client.get(reverse("fidelity:detail", args=[review.pk])).status_code == 200
    assert client.get(reverse("fidelity:score", args=[review.pk])).status_code == 403
    response = client.post(reverse("fidelity:score_item", args=[review.pk, 1]), {"score": "5"})
    assert response.status_code == 403
    assert ReviewerScore.objects.count() == 0


def test_flow_through_the_pages_to_sign_off(
    login_as: Login, review: Review, reviewer: User, second_reviewer: User, client: HttpClient
) -> None:
    score_all(review, reviewer, 4)
    score_all(review, second_reviewer, lambda n: 2 if n == 12 else 4)
    login_as(reviewer)

    client.post(reverse("fidelity:open_consensus", args=[review.pk]))
    page = client.get(reverse("fidelity:consensus", args=[review.pk]))
    refused = client.post(reverse("fidelity:finalise", args=[review.pk]), {"version": 2})
    refused_page = client.get(reverse("fidelity:detail", args=[review.pk]))
    agreed = ReviewItem.objects.get(review=review, item__number=12)
    client.post(
        reverse("fidelity:agree_item", args=[review.pk, 12]),
        {"score": "3", "rationale": "Planner on request", "version": agreed.version},
    )
    client.post(reverse("fidelity:finalise", args=[review.pk]), {"version": 2})

    assert page.content.decode().count("Reviewers disagree") == 1
    assert refused.status_code == 302
    assert b"Item 12 (Work incentives planning) has no agreed score" in refused_page.content
    review.refresh_from_db()
    assert review.status == Review.Status.FINAL
    detail = client.get(reverse("fidelity:detail", args=[review.pk]))
    assert b"99 of 125" in detail.content  # 24 x 4 + 3
    assert b"Fair fidelity" in detail.content


def test_final_review_cannot_be_edited_in_place(
    login_as: Login, program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)
    client = login_as(reviewer)

    response = client.post(
        reverse("fidelity:edit", args=[review.pk]),
        {
            "kind": "annual",
            "window_start": "2026-01-01",
            "window_end": "2026-03-31",
            "strengths": "Changed",
            "recommendations": "",
            "version": review.version,
        },
        follow=True,
    )

    assert b"signed off and cannot be edited" in response.content
    review.refresh_from_db()
    assert review.strengths == ""


def test_amend_through_the_page_keeps_the_signed_off_score(
    login_as: Login, program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)
    client = login_as(second_reviewer)

    client.post(
        reverse("fidelity:amend", args=[review.pk, 2]),
        {"score": "3", "reason": "Time sheets showed other duties."},
    )
    detail = client.get(reverse("fidelity:detail", args=[review.pk]))

    row = ReviewItem.objects.get(review=review, item__number=2)
    assert (row.agreed_score, row.score) == (4, 3)
    assert Amendment.objects.get().reason == "Time sheets showed other duties."
    assert b"amended 4 \xe2\x86\x92 3" in detail.content


def test_evidence_pages_show_no_client_identities(
    login_as: Login, review: Review, reviewer: User, program: Program
) -> None:
    person = ClientFactory(program=program, first_name="Zebulon", last_name="Quartermaine")
    review.window_start = person.current_episode.enrolled_on
    review.window_end = person.current_episode.enrolled_on
    review.save()
    client = login_as(reviewer)

    pages = [client.get(reverse("fidelity:evidence", args=[review.pk]))]
    pages += [
        client.get(reverse("fidelity:evidence_rows", args=[review.pk, key]))
        for key in ("caseload_per_specialist", "benefits_planning_offered", "referrals_enrolled")
    ]

    for page in pages:
        assert page.status_code == 200
        assert b"Zebulon" not in page.content
        assert b"Quartermaine" not in page.content
    assert b"Client 1" in pages[0].content


def test_unknown_indicator_is_404(login_as: Login, review: Review, reviewer: User) -> None:
    response = login_as(reviewer).get(reverse("fidelity:evidence_rows", args=[review.pk, "nope"]))

    assert response.status_code == 404


def test_history_charts_totals_and_compares_two_reviews(
    login_as: Login, program: Program, reviewer: User, second_reviewer: User, director: User
) -> None:
    first = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=3)
    second = final_review(
        program=program,
        reviewer_a=reviewer,
        reviewer_b=second_reviewer,
        score=lambda n: 5 if n == 15 else 3,
    )

    page = login_as(director).get(reverse("fidelity:history", args=[program.pk]))

    text = page.content.decode()
    assert 'data-testid="history-chart"' in text
    assert text.count("<polyline") == 4  # the total and three sections
    assert ">75<" in text  # 25 x 3
    assert ">77<" in text  # 24 x 3 + 5
    assert "15. Rapid job search for competitive jobs</td><td>3</td><td>5</td><td>+2</td>" in text
    assert {first.pk, second.pk} <= {p.review.pk for p in page.context["points"]}


def test_report_exists_only_once_signed_off(
    login_as: Login, review: Review, director: User
) -> None:
    response = login_as(director).get(reverse("fidelity:report", args=[review.pk]))

    assert response.status_code == 404
    assert AuditEvent.objects.count() == 0


def test_specialist_sees_no_reviews(login_as: Login, review: Review, specialist: User) -> None:
    client = login_as(specialist)

    assert client.get(reverse("fidelity:list")).status_code == 403
    assert client.get(reverse("fidelity:detail", args=[review.pk])).status_code == 404


def test_list_shows_a_reviewer_only_their_reviews(
    login_as: Login, review: Review, program: Program, reviewer: User, second_reviewer: User
) -> None:
    third = outside_reviewer(program, username="third.reviewer")
    other = plan_review(program=program, reviewer_a=second_reviewer, reviewer_b=third)

    page = login_as(reviewer).get(reverse("fidelity:list"))

    assert reverse("fidelity:detail", args=[review.pk]).encode() in page.content
    assert reverse("fidelity:detail", args=[other.pk]).encode() not in page.content


def test_stale_review_edit_shows_the_saved_values_and_keeps_input(
    login_as: Login, review: Review, reviewer: User
) -> None:
    from fidelity import services

    form = {
        "kind": "baseline",
        "window_start": "2026-01-01",
        "window_end": "2026-03-31",
        "strengths": "Mine",
        "recommendations": "",
        "version": review.version,
    }
    services.review_update(review=review, version=review.version, changes={"strengths": "Theirs"})

    response = login_as(reviewer).post(reverse("fidelity:edit", args=[review.pk]), form)

    assert response.status_code == 200
    assert b'data-testid="stale-differences"' in response.content
    assert b"Mine" in response.content
    review.refresh_from_db()
    assert review.strengths == "Theirs"


def test_changes_to_scores_are_in_the_change_audit(
    login_as: Login, review: Review, reviewer: User
) -> None:
    from auditlog.models import LogEntry

    login_as(reviewer).post(reverse("fidelity:score_item", args=[review.pk, 1]), {"score": "2"})

    saved = ReviewerScore.objects.get()
    entry = LogEntry.objects.get_for_object(saved).get()
    assert entry.changes_dict["score"][1] == "2"


def test_list_of_one_program(
    login_as: Login, program: Program, other_program: Program, director: User, review: Review
) -> None:
    elsewhere = plan_review(
        program=other_program,
        reviewer_a=outside_reviewer(other_program, username="x.reviewer"),
        reviewer_b=outside_reviewer(other_program, username="y.reviewer"),
    )
    client = login_as(director)

    one = client.get(reverse("fidelity:list"), {"program": program.pk})
    both = client.get(reverse("fidelity:list"))

    assert [row[0].pk for row in one.context["rows"]] == [review.pk]
    assert {row[0].pk for row in both.context["rows"]} == {review.pk, elsewhere.pk}
