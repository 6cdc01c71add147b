"""Writes of fidelity reviews. Keyword-only, validated, atomic; stale versions are refused.

Rules stated once here (forms and the API only parse):
- a review's two reviewers hold the reviewer role on its program; observers can read reviews
  of the program (supervisor, director, admin) or are reviewers of it;
- each reviewer scores alone while the review is planned or scoring; consensus opens only once
  both have scored all items; an item where they differ needs an agreed score;
- sign-off needs every item agreed, and locks the review: a later correction of a score is an
  amendment (who, when, why) and the signed-off score is kept;
- the report PDF is queued when the sign-off or an amendment commits, and made by a Celery task
  through the stored-PDF pipeline (`ips.pdf`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fidelity import selectors
from fidelity.models import (
    Amendment,
    Item,
    Review,
    ReviewerScore,
    ReviewItem,
    ReviewReport,
    ScaleVersion,
)
from ips import access
from ips.access import Capability
from ips.models import Program, Role, StaffRole, User
from ips.pdf import pdf_render, pdf_request, render_pdf
from ips.versioning import StaleVersionError, save_versioned

LOCKED = "This review is signed off and cannot be edited; record an amendment instead."
REVIEW_FIELDS = {"kind", "window_start", "window_end", "strengths", "recommendations"}
REPORT_TEMPLATE = "fidelity/pdf/review_report.html"


def _is_program_reviewer(user: User, program: Program) -> bool:
    return StaffRole.objects.filter(
        user=user, role=Role.REVIEWER, program=program, agency_id=program.agency_id
    ).exists()


def _check_people(
    *, program: Program, reviewer_a: User, reviewer_b: User, observers: Iterable[User]
) -> None:
    errors: dict[str, str] = {}
    for field, reviewer in (("reviewer_a", reviewer_a), ("reviewer_b", reviewer_b)):
        if not _is_program_reviewer(reviewer, program):
            errors[field] = "Choose someone with the fidelity reviewer role on this program."
    if reviewer_a == reviewer_b:
        errors["reviewer_b"] = "The two reviewers must be different people."
    for observer in observers:
        readers = access.can(observer, Capability.VIEW_FIDELITY, program=program)
        if not (readers or _is_program_reviewer(observer, program)):
            errors["observers"] = f"{observer} cannot read reviews of this program."
    if errors:
        raise ValidationError(errors)


def _check_window(window_start: dt.date | None, window_end: dt.date | None) -> None:
    if window_start and window_end and window_end < window_start:
        raise ValidationError({"window_end": "The window must end on or after its first day."})


@transaction.atomic
def review_plan(
    *,
    actor: User,
    program: Program,
    kind: str,
    window_start: dt.date,
    window_end: dt.date,
    reviewer_a: User,
    reviewer_b: User,
    observers: Iterable[User] = (),
) -> Review:
    """Plan a review of `program` on the current edition of the scale."""
    observers = list(observers)
    _check_window(window_start, window_end)
    _check_people(
        program=program, reviewer_a=reviewer_a, reviewer_b=reviewer_b, observers=observers
    )
    scale = ScaleVersion.objects.filter(is_current=True).first()
    if scale is None:
        raise ValidationError("No edition of the fidelity scale is current.")
    review = Review(
        program=program,
        scale=scale,
        kind=kind,
        window_start=window_start,
        window_end=window_end,
        reviewer_a=reviewer_a,
        reviewer_b=reviewer_b,
        created_by=actor,
    )
    review.full_clean()
    review.save()
    review.observers.set(observers)
    return review


def _refuse_if_final(review: Review) -> None:
    if review.is_final:
        raise ValidationError(LOCKED)


@transaction.atomic
def review_update(*, review: Review, version: int, changes: dict[str, Any]) -> Review:
    """Change the window, kind, strengths or overall recommendations of a review not yet final."""
    unknown = set(changes) - REVIEW_FIELDS
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    current = Review.objects.select_for_update().get(pk=review.pk)
    _refuse_if_final(current)
    _check_window(
        changes.get("window_start", current.window_start),
        changes.get("window_end", current.window_end),
    )
    return save_versioned(Review, pk=review.pk, expected_version=version, changes=changes)


def _check_reviewer(review: Review, actor: User) -> None:
    if not review.is_reviewer(actor):
        raise ValidationError("Only the review's two reviewers can do this.")


@transaction.atomic
def reviewer_score_save(
    *,
    review: Review,
    item: Item,
    reviewer: User,
    score: int,
    rationale: str = "",
    version: int | None = None,
) -> ReviewerScore:
    """Record a reviewer's own score of an item (1 to 5). The first score moves a planned review to
    scoring. `version` is required to change an existing score (stale → refused)."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    _check_reviewer(review, reviewer)
    if review.status not in (Review.Status.PLANNED, Review.Status.SCORING):
        raise ValidationError("Scoring is closed: the review is at consensus or signed off.")
    if item.scale_id != review.scale_id:
        raise ValidationError({"item": "This item belongs to another edition of the scale."})
    if score not in (1, 2, 3, 4, 5):
        raise ValidationError({"score": "Give a score from 1 to 5."})
    existing = ReviewerScore.objects.filter(review=review, item=item, reviewer=reviewer).first()
    if existing is not None:
        if version is None:
            raise StaleVersionError(existing)
        saved = save_versioned(
            ReviewerScore,
            pk=existing.pk,
            expected_version=version,
            changes={"score": score, "rationale": rationale},
        )
    else:
        saved = ReviewerScore(
            review=review, item=item, reviewer=reviewer, score=score, rationale=rationale
        )
        saved.full_clean()
        saved.save()
    if review.status == Review.Status.PLANNED:
        Review.objects.filter(pk=review.pk).update(status=Review.Status.SCORING)
    return saved


def unscored_items(review: Review, reviewer: User) -> list[int]:
    """Numbers of the items `reviewer` has not scored yet."""
    scored = ReviewerScore.objects.filter(review=review, reviewer=reviewer).values("item_id")
    return list(
        Item.objects.filter(scale_id=review.scale_id)
        .exclude(id__in=scored)
        .values_list("number", flat=True)
    )


@transaction.atomic
def review_open_consensus(*, review: Review, actor: User) -> Review:
    """Move to consensus once both reviewers have scored every item. Items where both gave the
    same score are agreed at that score; the others wait for an agreed score."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    _check_reviewer(review, actor)
    if review.status not in (Review.Status.PLANNED, Review.Status.SCORING):
        raise ValidationError("Consensus is already open or the review is signed off.")
    missing = []
    for reviewer in (review.reviewer_a, review.reviewer_b):
        numbers = unscored_items(review, reviewer)
        if numbers:
            missing.append(f"{reviewer} has not scored items {_numbers(numbers)}")
    if missing:
        raise ValidationError(
            "Consensus needs every item scored by both reviewers: " + "; ".join(missing) + "."
        )
    scores: dict[int, list[ReviewerScore]] = {}
    for score in ReviewerScore.objects.filter(review=review):
        scores.setdefault(score.item_id, []).append(score)
    for pair in scores.values():
        pair.sort(
            key=lambda score: score.reviewer_id != review.reviewer_a_id
        )  # first reviewer first
    rows = []
    for item_id, pair in scores.items():
        agreed = len({score.score for score in pair}) == 1
        rows.append(
            ReviewItem(
                review=review,
                item_id=item_id,
                score=pair[0].score if agreed else None,
                rationale=_joined_rationale(pair) if agreed else "",
            )
        )
    ReviewItem.objects.bulk_create(rows)
    review.status = Review.Status.CONSENSUS
    review.version += 1
    review.save(update_fields=["status", "version"])
    return review


def _joined_rationale(pair: list[ReviewerScore]) -> str:
    """Where both reviewers gave the same score, their rationales become the agreed one."""
    texts = list(
        dict.fromkeys(score.rationale.strip() for score in pair if score.rationale.strip())
    )
    return "\n".join(texts)


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(number) for number in sorted(numbers))


@transaction.atomic
def review_item_agree(
    *,
    review_item: ReviewItem,
    actor: User,
    version: int,
    score: int | None,
    rationale: str = "",
    recommendation: str = "",
) -> ReviewItem:
    """Record the agreed score of an item at consensus, with its rationale and recommendation."""
    review = Review.objects.select_for_update().get(pk=review_item.review_id)
    _check_reviewer(review, actor)
    _refuse_if_final(review)
    if review.status != Review.Status.CONSENSUS:
        raise ValidationError("Agreed scores are recorded at consensus.")
    if score is not None and score not in (1, 2, 3, 4, 5):
        raise ValidationError({"score": "Give a score from 1 to 5."})
    return save_versioned(
        ReviewItem,
        pk=review_item.pk,
        expected_version=version,
        changes={"score": score, "rationale": rationale, "recommendation": recommendation},
    )


def finalise_problems(review: Review) -> list[str]:
    """Why the review cannot be signed off yet (empty when it can)."""
    if review.status != Review.Status.CONSENSUS:
        return ["A review is signed off from consensus, once both reviewers have scored."]
    items = ReviewItem.objects.filter(review=review).select_related("item")
    problems = [
        f"Item {row.item.number} ({row.item.name}) has no agreed score: the reviewers "
        "disagreed; record the consensus score."
        for row in items
        if row.score is None
    ]
    scored = {row.item_id for row in items}
    unscored = Item.objects.filter(scale_id=review.scale_id).exclude(id__in=scored)
    problems += [f"Item {item.number} ({item.name}) is not scored." for item in unscored]
    return problems


@transaction.atomic
def review_finalise(*, review: Review, actor: User, version: int) -> Review:
    """Sign the review off: every item has an agreed score. Locks it and stores the report."""
    current = Review.objects.select_for_update().get(pk=review.pk)
    _check_reviewer(current, actor)
    if current.version != version:
        raise StaleVersionError(current)
    problems = finalise_problems(current)
    if problems:
        raise ValidationError(problems)
    ReviewItem.objects.filter(review=current).update(agreed_score=F("score"))
    current.status = Review.Status.FINAL
    current.finalised_at = timezone.now()
    current.finalised_by = actor
    current.version += 1
    current.save(update_fields=["status", "finalised_at", "finalised_by", "version"])
    review_report_request(review=current, requested_by=actor, renew=True)
    return current


@transaction.atomic
def review_item_amend(
    *, review_item: ReviewItem, actor: User, score: int, reason: str
) -> Amendment:
    """Correct a signed-off item's score. The signed-off score stays (`agreed_score`); the
    amendment says who, when and why, and its score is the one that counts."""
    review = Review.objects.select_for_update().get(pk=review_item.review_id)
    _check_reviewer(review, actor)
    if not review.is_final:
        raise ValidationError("Only a signed-off review is amended; change the score directly.")
    if score not in (1, 2, 3, 4, 5):
        raise ValidationError({"score": "Give a score from 1 to 5."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the score is corrected."})
    row = ReviewItem.objects.select_for_update().get(pk=review_item.pk)
    if score == row.score:
        raise ValidationError({"score": "This is already the item's score."})
    amendment = Amendment(
        review_item=row, score=score, previous_score=row.score, reason=reason.strip(), by=actor
    )
    amendment.full_clean()
    amendment.save()
    row.score = score
    row.version += 1
    row.save(update_fields=["score", "version"])
    review_report_request(review=review, requested_by=actor, renew=True)
    return amendment


@transaction.atomic
def review_report_request(
    *, review: Review, requested_by: User, renew: bool = False
) -> tuple[ReviewReport, bool]:
    """Ask for the report PDF of a signed-off review; returns its row and whether this call
    queued it. The task is sent once the transaction commits, so the request never waits for
    WeasyPrint. `renew` when the review has changed (its sign-off, an amendment): a report
    already queued or being made is made again, so the stored one shows the change."""
    if not review.is_final:
        raise ValidationError("Only a signed-off review has a report.")
    return pdf_request(
        model=ReviewReport, key={"review": review}, requested_by=requested_by, renew=renew
    )


def review_report_render(*, review_id: int) -> ReviewReport | None:
    """Make and store the report PDF of a review, if this call wins the claim on its row (again,
    replacing the stored one, when an amendment changed it). None when there was nothing to do.
    Safe to run twice."""
    jobs = ReviewReport.objects.select_related("review__program", "review__scale")
    return pdf_render(jobs=jobs, pk=review_id, render=_render_report)


def _render_report(report: ReviewReport, started: dt.datetime) -> bytes:
    """The PDF of a signed-off review: item scores (amended where they were), total and band,
    strengths, recommendations and the evidence used."""
    review = report.review
    if not review.is_final:
        raise ValidationError("Only a signed-off review has a report.")
    return render_pdf(REPORT_TEMPLATE, selectors.report_context(review=review))
