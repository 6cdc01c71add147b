"""Query counts of the fidelity list pages: constant in the number of reviews, and pinned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ips.models import Program, User
from tests.fidelity.factories import outside_reviewer, quick_final_review
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db

PER_REQUEST = 2  # user, grants (see tests/test_query_counts.py)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def add_reviews(program: Program, reviewer: User) -> Callable[[int], None]:
    second = outside_reviewer(program)

    def add(n: int) -> None:
        for _ in range(n):
            quick_final_review(program=program, reviewer_a=reviewer, reviewer_b=second)

    return add


def test_review_list(
    login_as: Callable[[User], Client], director: User, add_reviews: Callable[[int], None]
) -> None:
    count = assert_constant_queries(login_as(director), reverse("fidelity:list"), add_reviews)

    # + reviews (with program, reviewers, scale and total), programs where one may plan
    assert count == PER_REQUEST + 2


def test_review_list_of_a_reviewer(
    login_as: Callable[[User], Client], reviewer: User, add_reviews: Callable[[int], None]
) -> None:
    count = assert_constant_queries(login_as(reviewer), reverse("fidelity:list"), add_reviews)

    # + reviews assigned to them; they may plan nowhere, so that list needs no query
    assert count == PER_REQUEST + 1


def test_history(
    login_as: Callable[[User], Client],
    director: User,
    program: Program,
    add_reviews: Callable[[int], None],
) -> None:
    url = reverse("fidelity:history", args=[program.pk])

    count = assert_constant_queries(login_as(director), url, add_reviews)

    # + the program, final reviews with totals, their section totals, the section maxima, the
    # last two reviews' item scores
    assert count == PER_REQUEST + 5


def test_api_review_list(
    login_as: Callable[[User], Client], director: User, add_reviews: Callable[[int], None]
) -> None:
    url = reverse("api:fidelity-review-list")

    count = assert_constant_queries(login_as(director), url, add_reviews)

    # the gate and user (no navigation); + page count, page of reviews, their items (with the
    # scale item), the items' amendments (with author)
    assert count == PER_REQUEST - 1 + 4
