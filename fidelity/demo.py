"""Demo fidelity reviews of the Riverside team: a baseline, an annual review a year later (both
signed off) and a follow-up being scored. Synthetic; running the seed again changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fidelity import services
from fidelity.models import Item, Review, ReviewItem
from ips.demo import DEMO_PASSWORD, RIVERSIDE
from ips.models import Program, Role, StaffRole, User

SECOND_REVIEWER = "demo-reviewer-2"

# Agreed scores per item (1..25): the baseline totals 83 (fair), the annual review 106 (good).
BASELINE = [4, 3, 3, 3, 2, 3, 3, 3, 4, 3, 3, 3, 3, 4, 4, 3, 3, 3, 4, 4, 4, 4, 3, 4, 3]
ANNUAL = [5, 4, 4, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 5, 5, 4, 4, 5, 4]
# Items where the second reviewer first scored one lower (resolved at consensus).
DISAGREEMENTS = {3, 12, 22}


def _second_reviewer(program: Program) -> User:
    user, created = User.objects.get_or_create(
        username=SECOND_REVIEWER,
        defaults={
            "first_name": "Tomas",
            "last_name": "Ferreira",
            "email": f"{SECOND_REVIEWER}@example.org",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    StaffRole.objects.get_or_create(
        user=user, role=Role.REVIEWER, program=program, agency=program.agency
    )
    return user


def _score(review: Review, reviewer: User, scores: list[int], *, lower: set[int]) -> None:
    for item in Item.objects.filter(scale_id=review.scale_id).order_by("number"):
        score = scores[item.number - 1]
        if item.number in lower and score > 1:
            score -= 1
        services.reviewer_score_save(
            review=review,
            item=item,
            reviewer=reviewer,
            score=score,
            rationale=f"Interviews and charts support {score} on this item.",
        )


def _signed_off(
    *, program: Program, a: User, b: User, kind: str, end: dt.date, scores: list[int], text: str
) -> Review:
    review = services.review_plan(
        actor=a,
        program=program,
        kind=kind,
        window_start=end - dt.timedelta(days=89),
        window_end=end,
        reviewer_a=a,
        reviewer_b=b,
    )
    _score(review, a, scores, lower=set())
    _score(review, b, scores, lower=DISAGREEMENTS)
    review = services.review_open_consensus(review=review, actor=a)
    for row in ReviewItem.objects.filter(review=review, score__isnull=True).select_related("item"):
        services.review_item_agree(
            review_item=row,
            actor=a,
            version=row.version,
            score=scores[row.item.number - 1],
            rationale="Agreed after discussing the chart review.",
            recommendation="Write down how this is done so new staff follow it.",
        )
    review = services.review_update(
        review=review,
        version=review.version,
        changes={"strengths": text, "recommendations": "Keep caseloads at 20 or fewer."},
    )
    return services.review_finalise(review=review, actor=a, version=review.version)


@transaction.atomic
def seed_reviews(*, today: dt.date) -> int:
    """Create the demo reviews of the Riverside team unless it has reviews already."""
    program = Program.objects.get(name=RIVERSIDE)
    if Review.objects.filter(program=program).exists():
        return 0
    a = User.objects.get(username="demo-reviewer")
    b = _second_reviewer(program)
    _signed_off(
        program=program,
        a=a,
        b=b,
        kind=Review.Kind.BASELINE,
        end=today - dt.timedelta(days=400),
        scores=BASELINE,
        text="Specialists know their clients well and meet employers soon after enrollment.",
    )
    _signed_off(
        program=program,
        a=a,
        b=b,
        kind=Review.Kind.ANNUAL,
        end=today - dt.timedelta(days=35),
        scores=ANNUAL,
        text="Rapid job search and follow-along supports are now consistent across the team.",
    )
    in_progress = services.review_plan(
        actor=a,
        program=program,
        kind=Review.Kind.FOLLOW_UP,
        window_start=today - dt.timedelta(days=90),
        window_end=today - dt.timedelta(days=1),
        reviewer_a=a,
        reviewer_b=b,
    )
    for item in Item.objects.filter(scale_id=in_progress.scale_id, number__lte=10):
        services.reviewer_score_save(
            review=in_progress, item=item, reviewer=a, score=ANNUAL[item.number - 1]
        )
    return 3
