"""Reviews through their life: planning, independent scoring, consensus, sign-off, amendments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fidelity import selectors, services
from fidelity.models import Amendment, Review, ReviewerScore, ReviewItem
from ips.models import Program, User
from ips.versioning import StaleVersionError
from tests.fidelity.factories import (
    agree_all,
    final_review,
    outside_reviewer,
    plan_review,
    scale_items,
    score_all,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_reviewer(program: Program) -> User:
    return outside_reviewer(program)


def _spread(total: int):
    """Item scores adding up to `total`: the first `total % 25` items one above the rest."""
    base, extra = divmod(total, 25)
    return lambda number: base + (1 if number <= extra else 0)


# --- Planning ---------------------------------------------------------------------------------


def test_plan_records_the_current_scale_version(
    program: Program, reviewer: User, second_reviewer: User, supervisor: User
) -> None:
    review = plan_review(
        program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, actor=supervisor
    )

    assert review.status == Review.Status.PLANNED
    assert review.scale.code == "2008-c1"  # the corrected edition is the current one
    assert review.created_by == supervisor


def test_plan_refuses_a_reviewer_without_the_role_on_the_program(
    program: Program, other_program: Program, reviewer: User, supervisor: User
) -> None:
    elsewhere = outside_reviewer(other_program)

    with pytest.raises(ValidationError) as error:
        plan_review(program=program, reviewer_a=reviewer, reviewer_b=elsewhere, actor=supervisor)

    assert "reviewer role on this program" in str(error.value.message_dict["reviewer_b"])
    assert Review.objects.count() == 0


def test_plan_refuses_the_same_reviewer_twice(program: Program, reviewer: User) -> None:
    with pytest.raises(ValidationError) as error:
        plan_review(program=program, reviewer_a=reviewer, reviewer_b=reviewer)

    assert error.value.message_dict["reviewer_b"] == ["The two reviewers must be different people."]
    assert Review.objects.count() == 0


def test_plan_refuses_a_window_ending_before_it_starts(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    with pytest.raises(ValidationError) as error:
        plan_review(
            program=program,
            reviewer_a=reviewer,
            reviewer_b=second_reviewer,
            window=(dt.date(2026, 3, 1), dt.date(2026, 2, 28)),
        )

    assert "window_end" in error.value.message_dict
    assert Review.objects.count() == 0


def test_plan_refuses_an_observer_who_cannot_read_reviews(
    program: Program, reviewer: User, second_reviewer: User, specialist: User
) -> None:
    with pytest.raises(ValidationError) as error:
        services.review_plan(
            actor=reviewer,
            program=program,
            kind=Review.Kind.BASELINE,
            window_start=dt.date(2026, 1, 1),
            window_end=dt.date(2026, 3, 31),
            reviewer_a=reviewer,
            reviewer_b=second_reviewer,
            observers=[specialist],
        )

    assert "observers" in error.value.message_dict


# --- Independent scoring ----------------------------------------------------------------------


def test_first_score_moves_the_review_to_scoring(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)

    services.reviewer_score_save(review=review, item=scale_items()[0], reviewer=reviewer, score=4)

    review.refresh_from_db()
    assert review.status == Review.Status.SCORING


def test_only_the_two_reviewers_score(
    program: Program, reviewer: User, second_reviewer: User, supervisor: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)

    with pytest.raises(ValidationError, match="two reviewers"):
        services.reviewer_score_save(
            review=review, item=scale_items()[0], reviewer=supervisor, score=3
        )
    assert ReviewerScore.objects.count() == 0


@pytest.mark.parametrize("score", [0, 6])
def test_score_outside_1_to_5_is_refused(
    program: Program, reviewer: User, second_reviewer: User, score: int
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)

    with pytest.raises(ValidationError):
        services.reviewer_score_save(
            review=review, item=scale_items()[0], reviewer=reviewer, score=score
        )
    assert ReviewerScore.objects.count() == 0


def test_changing_a_score_needs_the_current_version(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    item = scale_items()[0]
    first = services.reviewer_score_save(review=review, item=item, reviewer=reviewer, score=2)
    services.reviewer_score_save(
        review=review, item=item, reviewer=reviewer, score=3, version=first.version
    )

    with pytest.raises(StaleVersionError):
        services.reviewer_score_save(
            review=review, item=item, reviewer=reviewer, score=5, version=first.version
        )
    assert ReviewerScore.objects.get().score == 3


def test_scoring_page_rows_hold_only_the_reviewers_own_scores(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, second_reviewer, 2)

    sections = selectors.scoring_rows(review=review, reviewer=reviewer)

    assert [len(section.rows) for section in sections] == [3, 8, 14]
    assert all(row.own is None for section in sections for row in section.rows)
    assert not selectors.can_see_reviewer_scores(review)


def test_consensus_needs_both_reviewers_to_score_every_item(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 3)
    for item in scale_items()[:-2]:
        services.reviewer_score_save(review=review, item=item, reviewer=second_reviewer, score=3)

    with pytest.raises(ValidationError) as error:
        services.review_open_consensus(review=review, actor=reviewer)

    assert "Rob Second has not scored items 24, 25" in error.value.messages[0]
    review.refresh_from_db()
    assert review.status == Review.Status.SCORING
    assert ReviewItem.objects.count() == 0


def test_consensus_agrees_equal_scores_and_leaves_disagreements_open(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 4)
    score_all(review, second_reviewer, lambda n: 2 if n == 7 else 4)

    review = services.review_open_consensus(review=review, actor=second_reviewer)

    assert review.status == Review.Status.CONSENSUS
    open_items = ReviewItem.objects.filter(review=review, score__isnull=True)
    assert [row.item.number for row in open_items] == [7]
    rows = {
        row.item.number: row
        for section in selectors.consensus_rows(review=review)
        for row in section.rows
    }
    assert rows[7].disagree
    assert (rows[7].score_a.score, rows[7].score_b.score) == (4, 2)
    assert not rows[8].disagree


def test_no_scoring_after_consensus_opens(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 4)
    score_all(review, second_reviewer, 4)
    services.review_open_consensus(review=review, actor=reviewer)

    with pytest.raises(ValidationError, match="Scoring is closed"):
        services.reviewer_score_save(
            review=review, item=scale_items()[0], reviewer=reviewer, score=1, version=1
        )


# --- Sign-off ---------------------------------------------------------------------------------


def test_finalise_refuses_a_disagreement_without_consensus(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 4)
    score_all(review, second_reviewer, lambda n: 3 if n == 15 else 4)
    review = services.review_open_consensus(review=review, actor=reviewer)

    with pytest.raises(ValidationError) as error:
        services.review_finalise(review=review, actor=reviewer, version=review.version)

    assert error.value.messages == [
        "Item 15 (Rapid job search for competitive jobs) has no agreed score: the reviewers "
        "disagreed; record the consensus score."
    ]
    review.refresh_from_db()
    assert review.status == Review.Status.CONSENSUS


def test_finalise_refuses_before_consensus(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 4)

    with pytest.raises(ValidationError, match="from consensus"):
        services.review_finalise(review=review, actor=reviewer, version=review.version)
    review.refresh_from_db()
    assert review.status == Review.Status.SCORING


def test_finalise_refuses_an_unscored_item(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 4)
    score_all(review, second_reviewer, 4)
    review = services.review_open_consensus(review=review, actor=reviewer)
    ReviewItem.objects.filter(review=review, item__number=3).delete()

    with pytest.raises(ValidationError) as error:
        services.review_finalise(review=review, actor=reviewer, version=review.version)

    assert error.value.messages == ["Item 3 (Vocational generalists) is not scored."]


def test_finalise_after_agreeing_locks_the_review(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 4)
    score_all(review, second_reviewer, lambda n: 3 if n == 15 else 4)
    review = services.review_open_consensus(review=review, actor=reviewer)
    agree_all(review, second_reviewer, 3)

    review = services.review_finalise(review=review, actor=reviewer, version=review.version)

    assert review.status == Review.Status.FINAL
    assert selectors.review_total(review).total == 24 * 4 + 3
    with pytest.raises(ValidationError, match="signed off"):
        services.review_update(review=review, version=review.version, changes={"strengths": "x"})
    row = ReviewItem.objects.get(review=review, item__number=15)
    with pytest.raises(ValidationError, match="signed off"):
        services.review_item_agree(review_item=row, actor=reviewer, version=row.version, score=5)
    review.refresh_from_db()
    assert review.strengths == ""


def test_finalise_with_a_stale_version_is_refused(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 4)
    score_all(review, second_reviewer, 4)
    review = services.review_open_consensus(review=review, actor=reviewer)

    with pytest.raises(StaleVersionError):
        services.review_finalise(review=review, actor=reviewer, version=review.version - 1)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (25, "Not supported employment"),
        (73, "Not supported employment"),
        (74, "Fair fidelity"),
        (99, "Fair fidelity"),
        (100, "Good fidelity"),
        (114, "Good fidelity"),
        (115, "Exemplary fidelity"),
        (125, "Exemplary fidelity"),
    ],
)
def test_final_total_and_band_at_every_edge(
    program: Program, reviewer: User, second_reviewer: User, total: int, band: str
) -> None:
    review = final_review(
        program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=_spread(total)
    )

    result = selectors.review_total(Review.objects.with_total().get(pk=review.pk))

    assert (result.total, result.band) == (total, band)
    assert selectors.review_total(review).total == total  # without the annotation too


def test_no_total_until_every_item_is_agreed(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 4)
    score_all(review, second_reviewer, lambda n: 3 if n == 1 else 4)
    review = services.review_open_consensus(review=review, actor=reviewer)

    result = selectors.review_total(review)

    assert (result.total, result.band, result.scored) == (None, "", 24)


# --- Amendments -------------------------------------------------------------------------------


def test_amendment_keeps_the_signed_off_score(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)
    row = ReviewItem.objects.get(review=review, item__number=9)

    amendment = services.review_item_amend(
        review_item=row, actor=second_reviewer, score=5, reason="Referral log found later."
    )

    row.refresh_from_db()
    assert (row.agreed_score, row.score) == (4, 5)
    assert (amendment.previous_score, amendment.score, amendment.by) == (4, 5, second_reviewer)
    assert selectors.review_total(review).total == 24 * 4 + 5


def test_amendment_needs_a_reason_and_a_final_review(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)
    row = ReviewItem.objects.get(review=review, item__number=9)

    with pytest.raises(ValidationError) as error:
        services.review_item_amend(review_item=row, actor=reviewer, score=5, reason="  ")

    assert "reason" in error.value.message_dict
    assert Amendment.objects.count() == 0


def test_amendment_only_by_the_reviewers(
    program: Program, reviewer: User, second_reviewer: User, director: User
) -> None:
    review = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)
    row = ReviewItem.objects.get(review=review, item__number=9)

    with pytest.raises(ValidationError, match="two reviewers"):
        services.review_item_amend(review_item=row, actor=director, score=5, reason="Why not")
    assert Amendment.objects.count() == 0


def test_a_new_scale_edition_leaves_old_reviews_on_theirs(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    from fidelity.models import Item, ScaleVersion, Section

    old = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)
    ScaleVersion.objects.update(is_current=False)
    edition = ScaleVersion.objects.create(code="2026", title="Corrected", is_current=True)
    section = Section.objects.create(scale=edition, position=1, name="Staffing")
    Item.objects.create(
        scale=edition,
        section=section,
        number=1,
        name="Caseload size (corrected)",
        criterion="c",
        **{f"anchor_{n}": f"a{n}" for n in range(1, 6)},
    )

    new = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)

    old.refresh_from_db()
    assert (old.scale.code, new.scale.code) == ("2008-c1", "2026")
    assert ReviewItem.objects.filter(review=old, item__scale__code="2008-c1").count() == 25


def test_agreed_items_take_the_reviewers_rationale(
    program: Program, reviewer: User, second_reviewer: User
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 4)  # rationale "Seen 4"
    score_all(review, second_reviewer, lambda n: 3 if n == 2 else 4)
    ReviewerScore.objects.filter(reviewer=second_reviewer, item__number=1).update(
        rationale="Caseload list checked"
    )

    services.review_open_consensus(review=review, actor=reviewer)

    rows = {row.item.number: row for row in ReviewItem.objects.filter(review=review)}
    assert rows[1].rationale == "Seen 4\nCaseload list checked"  # the first reviewer's first
    assert rows[3].rationale == "Seen 4"  # the same text once
    assert (rows[2].score, rows[2].rationale) == (None, "")  # a disagreement is written anew
