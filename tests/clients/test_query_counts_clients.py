"""Query counts of the caseload, the client page and the employer list: constant in the number
of rows, and pinned.

Every logged-in page pays the same overhead (see tests/test_query_counts.py): the user, and the
user's grants (role kinds for the navigation, programs for the access checks).
`assert_constant_queries` warms the session first, so the two-factor gate's queries are not
counted. The clock is frozen so that the session's last-seen stamp is never rewritten mid-test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from clients import services
from clients.models import Client
from ips.models import Program, User
from tests.clients.factories import (
    BenefitsReferralFactory,
    ClientFactory,
    ContactFactory,
    EmployerFactory,
    JobFactory,
    SupportFactory,
    days_ago,
)
from tests.factories import MinimumWageFactory
from tests.helpers import LIST_READ, assert_constant_queries
from tests.supervision.factories import TreatmentTeamFactory, meeting

pytestmark = pytest.mark.django_db

PER_REQUEST = 2  # user, grants (role kinds and programs)
LoginAs = Callable[[User], HttpClient]


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def wage(program: Program) -> None:
    MinimumWageFactory(program=program, effective_on=dt.date(2020, 1, 1), hourly=Decimal("15"))


@pytest.mark.usefixtures("wage")
@pytest.mark.parametrize("persona", ["specialist", "supervisor"])
def test_caseload(
    request: pytest.FixtureRequest,
    login_as: LoginAs,
    program: Program,
    specialist: User,
    persona: str,
) -> None:
    """Each row: a client with a job, a contact and a plan step (all joined or subqueries)."""
    http = login_as(request.getfixturevalue(persona))

    def add_rows(n: int) -> None:
        for _ in range(n):
            client = ClientFactory(program=program, specialist=specialist)
            ContactFactory(client=client, specialist=specialist)
            JobFactory(client=client)
            goal = services.goal_add(client=client, text="Work in a bakery")
            services.step_add(goal=goal, text="Visit two bakeries", who="client")

    count = assert_constant_queries(http, reverse("clients:caseload"), add_rows)

    # + the caseload rows (clients with episode and specialist; last contact, working,
    # current job and next step as subqueries), the specialists of the programs (filter menu).
    # "Any program with client records?" and "may edit clients anywhere?" come from the user's
    # grants, which the view reads first (the navigation's query); the read of the listed
    # clients
    assert count == PER_REQUEST + 2 + LIST_READ


@pytest.mark.usefixtures("wage")
def test_caseload_with_filters(login_as: LoginAs, program: Program, specialist: User) -> None:
    http = login_as(specialist)

    def add_rows(n: int) -> None:
        for _ in range(n):
            ClientFactory(program=program, specialist=specialist, last_name="Rivera")

    url = reverse("clients:caseload") + "?status=enrolled&working=no&no_contact=30"
    count = assert_constant_queries(http, url, add_rows)

    # the filters only narrow the one caseload query; the read of the listed clients
    assert count == PER_REQUEST + 2 + LIST_READ


@pytest.mark.usefixtures("wage")
def test_client_page(login_as: LoginAs, program: Program, specialist: User) -> None:
    client: Client = ClientFactory(program=program, specialist=specialist)
    http = login_as(specialist)
    day = iter(range(80, 0, -1))

    def add_rows(n: int) -> None:
        for _ in range(n):
            on = days_ago(next(day))
            ContactFactory(client=client, specialist=specialist, contacted_on=on)
            job = JobFactory(client=client, started_on=on, ended=True)
            SupportFactory(client=client, specialist=specialist, job=job, provided_on=on)
            BenefitsReferralFactory(client=client, referred_on=on, planning_completed_on=on)
            meeting(team=team, recorded_by=specialist, held_on=on, discussed=[(client, "Note")])

    team = TreatmentTeamFactory(program=program, specialists=[specialist])
    count = assert_constant_queries(
        http, reverse("clients:detail", kwargs={"pk": client.pk}), add_rows
    )

    # + the client (with program, episode, specialist), the audit event (insert); episodes,
    # contacts (with specialist), jobs (with employer, competitive), supports, benefits
    # referrals, education, employer contacts on their behalf, team meetings that discussed
    # them (8), each read once for both the timeline and the lists. "May edit?" comes from the
    # user's grants, read first
    assert count == PER_REQUEST + 10


def test_employer_list(login_as: LoginAs, program: Program, specialist: User) -> None:
    http = login_as(specialist)

    def add_rows(n: int) -> None:
        for _ in range(n):
            employer = EmployerFactory(program=program)
            JobFactory(employer=employer, client__program=program)

    count = assert_constant_queries(http, reverse("employers:list"), add_rows)

    # + the employers (with program; hires and last contact aggregated); "any program with
    # client records?" comes from the user's grants
    assert count == PER_REQUEST + 1
