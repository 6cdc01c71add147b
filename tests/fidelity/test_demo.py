"""The demo reviews: two signed off a year apart and one in progress; a second run adds none."""

from __future__ import annotations

import datetime as dt

import pytest

from fidelity.demo import seed_reviews
from fidelity.models import Review
from fidelity.selectors import review_total
from ips.demo import seed_organisation

pytestmark = pytest.mark.django_db


def test_seed_reviews_is_idempotent_and_builds_the_history() -> None:
    seed_organisation()
    today = dt.date(2026, 11, 2)

    created = seed_reviews(today=today)
    again = seed_reviews(today=today)

    assert (created, again) == (3, 0)
    reviews = list(Review.objects.order_by("window_end"))
    assert [(r.kind, r.status) for r in reviews] == [
        ("baseline", "final"),
        ("annual", "final"),
        ("follow_up", "scoring"),
    ]
    assert [review_total(r).total for r in reviews] == [83, 106, None]
    assert (reviews[1].window_end - reviews[0].window_end).days == 365
