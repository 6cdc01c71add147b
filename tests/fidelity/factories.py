"""Fidelity test helpers: a second reviewer, a planned review, scoring a whole review.

Reviews are built through the services, so every helper obeys the same rules as the pages.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from fidelity import services
from fidelity.models import Item, Review, ReviewItem, ScaleVersion
from ips.models import Program, Role, User
from tests.factories import StaffRoleFactory, UserFactory

WINDOW = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def ensure_scale() -> None:
    """Load the editions of the scale as their data migrations do (2008, then its corrected
    edition, which is current), if they are missing: a transactional test (the browser flows)
    empties every table, migration data included, when it ends."""
    editor = SimpleNamespace(connection=connection)
    importlib.import_module("fidelity.migrations.0002_scale_2008").load_scale(apps, editor)
    corrected = importlib.import_module("fidelity.migrations.0006_scale_2008_corrected")
    corrected.load_corrected_scale(apps, editor)


def scale_items() -> list[Item]:
    """The 25 items of the current edition (loaded by the data migration)."""
    ensure_scale()
    return list(Item.objects.filter(scale__is_current=True).order_by("number"))


def outside_reviewer(program: Program, username: str = "rob.reviewer") -> User:
    """Another outside reviewer (no home agency) assigned to `program`."""
    user = UserFactory(username=username, first_name="Rob", last_name="Second", home_agency=None)
    StaffRoleFactory(user=user, role=Role.REVIEWER, program=program)
    return user


def plan_review(
    *,
    program: Program,
    reviewer_a: User,
    reviewer_b: User,
    actor: User | None = None,
    kind: str = Review.Kind.BASELINE,
    window: tuple[dt.date, dt.date] = WINDOW,
) -> Review:
    ensure_scale()
    return services.review_plan(
        actor=actor or reviewer_a,
        program=program,
        kind=kind,
        window_start=window[0],
        window_end=window[1],
        reviewer_a=reviewer_a,
        reviewer_b=reviewer_b,
    )


def score_all(review: Review, reviewer: User, score: Callable[[int], int] | int) -> None:
    """`reviewer` scores every item: `score` is a number, or a function of the item number."""
    for item in scale_items():
        value = score(item.number) if callable(score) else score
        services.reviewer_score_save(
            review=review, item=item, reviewer=reviewer, score=value, rationale=f"Seen {value}"
        )


def agree_all(review: Review, actor: User, score: Callable[[int], int] | int) -> None:
    """At consensus, record an agreed score for every item still without one."""
    for row in ReviewItem.objects.filter(review=review, score__isnull=True).select_related("item"):
        value = score(row.item.number) if callable(score) else score
        services.review_item_agree(
            review_item=row, actor=actor, version=row.version, score=value, rationale="Agreed"
        )


def final_review(
    *, program: Program, reviewer_a: User, reviewer_b: User, score: Callable[[int], int] | int
) -> Review:
    """A signed-off review where both reviewers gave `score` on every item."""
    review = plan_review(program=program, reviewer_a=reviewer_a, reviewer_b=reviewer_b)
    score_all(review, reviewer_a, score)
    score_all(review, reviewer_b, score)
    review = services.review_open_consensus(review=review, actor=reviewer_a)
    return services.review_finalise(review=review, actor=reviewer_a, version=review.version)


def current_scale() -> ScaleVersion:
    return ScaleVersion.objects.get(is_current=True)


def quick_final_review(
    *, program: Program, reviewer_a: User, reviewer_b: User, score: int = 4
) -> Review:
    """A signed-off review with agreed scores written directly (for access and query-count
    tests, which test neither scoring nor sign-off)."""
    review = plan_review(program=program, reviewer_a=reviewer_a, reviewer_b=reviewer_b)
    ReviewItem.objects.bulk_create(
        ReviewItem(review=review, item=item, score=score, agreed_score=score)
        for item in scale_items()
    )
    Review.objects.filter(pk=review.pk).update(status=Review.Status.FINAL)
    review.refresh_from_db()
    return review
