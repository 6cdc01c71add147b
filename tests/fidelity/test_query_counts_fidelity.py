"""Query counts of the fidelity list pages: constant in the number of reviews, and pinned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ips.models import Program, User
from tests.clients.factories import ClientFactory, ContactFactory, JobFactory, SupportFactory
from tests.fidelity.factories import outside_reviewer, plan_review, quick_final_review
from tests.helpers import assert_constant_queries
from tests.supervision.factories import TreatmentTeamFactory, meeting, session

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

    # the gate and user (no navigation); + the caller's grants, page count, page of reviews,
    # their items (with the scale item), the items' amendments (with author)
    assert count == PER_REQUEST - 1 + 5


@pytest.fixture
def add_clients(program: Program, specialist: User, supervisor: User) -> Callable[[int], None]:
    """Clients served in the review window, each with a contact, a job and a support, treated
    by their specialist's team and discussed at its meeting (attended); with each client a
    supervision session that agrees an action item."""
    team = TreatmentTeamFactory(program=program, specialists=[specialist])

    def add(n: int) -> None:
        for _ in range(n):
            client = ClientFactory(program=program, specialist=specialist)
            ContactFactory(client=client, specialist=specialist)
            JobFactory(client=client)
            SupportFactory(client=client, specialist=specialist)
            team.clients.add(client)
            meeting(
                team=team,
                recorded_by=specialist,
                attendees=[specialist],
                discussed=[(client, "Looking at warehouse jobs.")],
            )
            session(supervisor=supervisor, program=program, items=[(specialist, "Two visits")])

    return add


def test_evidence_page(
    login_as: Callable[[User], Client],
    program: Program,
    reviewer: User,
    add_clients: Callable[[int], None],
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=outside_reviewer(program))
    url = reverse("fidelity:evidence", args=[review.pk])

    count = assert_constant_queries(login_as(reviewer), url, add_clients)

    # + the review; the client records: caseloads held 1, minutes 2 (item 2) and 2 (item 24),
    # phases 4 (contacts, employer contacts, supports, occasions), referrals 2, quarterly
    # reports 1, earlier reviews 1, job starts planned 1, profiles 2, days to contact 1,
    # employer contacts 2 (with the specialists in post), employer visits 1, diversity 2,
    # competitive 2, supports 3, outreach 1; the supervision records: caseloads from own teams
    # and team assignments 2, caseloads discussed, any meeting, team assignments 3, meetings
    # expected, attended, the specialists 3, sessions, group sessions, specialists in post,
    # roles 4 (item 7), sessions, in post, supervisors, teams visited, goals, group sessions 6
    # (item 8); the chart sample: client numbers, served clients, their jobs, supports,
    # referrals, contacts
    assert count == PER_REQUEST + 1 + 28 + 18 + 6


def test_evidence_rows_page(
    login_as: Callable[[User], Client],
    program: Program,
    reviewer: User,
    add_clients: Callable[[int], None],
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=outside_reviewer(program))
    url = reverse("fidelity:evidence_rows", args=[review.pk, "competitive_share"])

    count = assert_constant_queries(login_as(reviewer), url, add_clients)

    # + the review, client numbers, competitive job ids, the jobs (with employer)
    assert count == PER_REQUEST + 4


@pytest.mark.parametrize(
    ("key", "queries"),
    [
        # the review, client numbers, team assignments, meetings expected, attended, the people
        ("team_meeting_attendance", 6),
        # the review, client numbers, team assignments, caseloads with those discussed
        ("caseload_discussed_at_own_teams", 4),
        # the review, client numbers, the sessions (with supervisor, present and items counted)
        ("group_supervision_per_week", 3),
    ],
)
def test_evidence_rows_of_the_supervision_records(
    login_as: Callable[[User], Client],
    program: Program,
    reviewer: User,
    add_clients: Callable[[int], None],
    key: str,
    queries: int,
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=outside_reviewer(program))
    url = reverse("fidelity:evidence_rows", args=[review.pk, key])

    count = assert_constant_queries(login_as(reviewer), url, add_clients)

    assert count == PER_REQUEST + queries
