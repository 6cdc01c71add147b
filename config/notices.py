"""Event notices of outcomes and fidelity, registered with `ips.notices` by the wiring
(`ConfigConfig.ready`), which may read every app:

- a director's "report ready": an outcome report of their agency finished in the last week;
- a reviewer's "review assigned": a review planned with them as a reviewer in the last month;
- a reviewer's "your scores are due": a review whose window has ended, with items they have not
  scored yet (once a week until they have).

Each source finds what is due on a day; the key of each notice makes recording it idempotent,
so the sources run every quarter of an hour. Titles name programs and periods, never clients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count
from django.urls import reverse

from fidelity.models import Item, Review, ReviewerScore
from ips.models import Role, StaffRole
from ips.notices import Draft, register_event
from outcomes.models import OutcomeReport

REPORT_WINDOW = dt.timedelta(days=7)
ASSIGNED_WINDOW = dt.timedelta(days=30)
OPEN_REVIEW = (Review.Status.PLANNED, Review.Status.SCORING)


def reports_ready(on: dt.date) -> Iterator[Draft]:
    """Outcome reports finished in the week to `on`, for the directors of their agency."""
    reports = OutcomeReport.objects.filter(
        status=OutcomeReport.Status.DONE,
        finished_at__date__gte=on - REPORT_WINDOW,
        finished_at__date__lte=on,
    ).select_related("program", "agency")
    directors: dict[int, list[int]] = {}
    for role in StaffRole.objects.filter(role=Role.DIRECTOR, user__is_active=True):
        directors.setdefault(role.agency_id, []).append(role.user_id)
    for report in reports:
        for user_id in directors.get(report.agency_id, []):
            yield Draft(
                user_id,
                "report_ready",
                f"report:{report.pk}:{report.finished_at:%Y%m%d%H%M%S}",
                f"Outcome report ready: {report.scope_name}, {report.period}",
                reverse("outcomes:reports"),
            )


def reviews_assigned(on: dt.date) -> Iterator[Draft]:
    """Open reviews planned in the month to `on`, for each of their two reviewers."""
    reviews = Review.objects.filter(
        status__in=OPEN_REVIEW, created_at__date__gte=on - ASSIGNED_WINDOW
    ).select_related("program")
    for review in reviews:
        title = (
            f"Fidelity review of {review.program} assigned to you "
            f"(window {review.window_start:%Y-%m-%d} to {review.window_end:%Y-%m-%d})"
        )
        url = reverse("fidelity:detail", args=[review.pk])
        for user_id in (review.reviewer_a_id, review.reviewer_b_id):
            yield Draft(user_id, "review_assigned", f"review:{review.pk}", title, url)


def scores_due(on: dt.date) -> Iterator[Draft]:
    """Open reviews whose window ended by `on`, for each reviewer with items left to score
    (one reminder a week: the key names the ISO week)."""
    reviews = list(
        Review.objects.filter(status__in=OPEN_REVIEW, window_end__lte=on).select_related("program")
    )
    items = dict(
        Item.objects.filter(scale_id__in={r.scale_id for r in reviews})
        .values("scale_id")
        .annotate(n=Count("pk"))
        .values_list("scale_id", "n")
    )
    scored = {
        (row["review_id"], row["reviewer_id"]): row["n"]
        for row in ReviewerScore.objects.filter(review__in=reviews)
        .values("review_id", "reviewer_id")
        .annotate(n=Count("pk"))
    }
    year, week, _ = on.isocalendar()
    for review in reviews:
        for user_id in (review.reviewer_a_id, review.reviewer_b_id):
            left = items.get(review.scale_id, 0) - scored.get((review.pk, user_id), 0)
            if left > 0:
                yield Draft(
                    user_id,
                    "scores_due",
                    f"scores-due:{review.pk}:{year}-W{week:02d}",
                    f"Your scores are due: fidelity review of {review.program} "
                    f"({left} items left to score)",
                    reverse("fidelity:score", args=[review.pk]),
                )


def register() -> None:
    register_event("report_ready", "An outcome report is ready", [Role.DIRECTOR], reports_ready)
    register_event(
        "review_assigned", "A fidelity review is assigned to you", [Role.REVIEWER], reviews_assigned
    )
    register_event("scores_due", "Your fidelity review scores are due", [Role.REVIEWER], scores_due)
