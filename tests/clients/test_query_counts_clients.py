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
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
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

    # + the page of clients (with episode dates and specialist names, and the total as a window
    # count), what the page's rows show (last contact, working, current job, next step, employer
    # contact since enrollment: one lateral query over the page's ids), the specialists of the
    # programs (filter menu). "Any program with client records?" and "may edit clients
    # anywhere?" come from the user's grants, which the view reads first (the navigation's
    # query); the read of the listed clients
    assert count == PER_REQUEST + 3 + LIST_READ


@pytest.mark.usefixtures("wage")
def test_caseload_with_filters(login_as: LoginAs, program: Program, specialist: User) -> None:
    http = login_as(specialist)

    def add_rows(n: int) -> None:
        for _ in range(n):
            ClientFactory(program=program, specialist=specialist, last_name="Rivera")

    url = reverse("clients:caseload") + "?status=enrolled&working=no&no_contact=30"
    count = assert_constant_queries(http, url, add_rows)

    # the filters only narrow the page's query; the read of the listed clients
    assert count == PER_REQUEST + 3 + LIST_READ


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

    # + the client (with program, episode, specialist), the audit event (insert); the timeline's
    # page across every kind of record (episodes, employer contacts on their behalf, contacts,
    # jobs, supports, benefits referrals, education, team meetings that discussed them: one
    # UNION ALL query), the jobs, referrals and episodes lists (one query). "May edit?" comes
    # from the user's grants, read first
    assert count == PER_REQUEST + 4
    assert count <= 6  # the bound for the client page


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


@pytest.mark.usefixtures("wage")
def test_caseload_costs_the_same_at_3_and_60_clients_and_shows_one_page(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    """The same queries for 3 clients and for 60; at 60 the page shows the first 50 rows, the
    total and a link to the next page."""
    http = login_as(specialist)
    url = reverse("clients:caseload")
    assert http.get(url).status_code == 200  # warms the session (the two-factor gate)

    def add_clients(n: int) -> None:
        for _ in range(n):
            client = ClientFactory(program=program, specialist=specialist)
            ContactFactory(client=client, specialist=specialist)
            JobFactory(client=client)
            goal = services.goal_add(client=client, text="Work in a bakery")
            services.step_add(goal=goal, text="Visit two bakeries", who="client")

    add_clients(3)
    with CaptureQueriesContext(connection) as small:
        few = http.get(url)
    add_clients(57)
    with CaptureQueriesContext(connection) as large:
        many = http.get(url)

    assert len(small) == len(large) == PER_REQUEST + 3 + LIST_READ
    assert len(few.context["rows"]) == 3
    page = many.content.decode()
    assert page.count('data-testid="caseload-row"') == 50
    assert "Showing 1\N{EN DASH}50 of 60 clients" in page
    assert f'href="{url}?page=2"' in page
    assert "Load more" in page


@pytest.mark.usefixtures("wage")
def test_timeline_costs_the_same_at_3_and_60_records_and_shows_its_latest_entries(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    client: Client = ClientFactory(program=program, specialist=specialist)
    team = TreatmentTeamFactory(program=program, specialists=[specialist])
    http = login_as(specialist)
    url = reverse("clients:detail", kwargs={"pk": client.pk})
    assert http.get(url).status_code == 200
    day = iter(range(85, 0, -1))

    def add_records(n: int) -> None:
        for _ in range(n):
            on = days_ago(next(day))
            ContactFactory(client=client, specialist=specialist, contacted_on=on)
            meeting(team=team, recorded_by=specialist, held_on=on, discussed=[(client, "Note")])

    add_records(1)
    with CaptureQueriesContext(connection) as small:
        http.get(url)
    add_records(29)
    with CaptureQueriesContext(connection) as large:
        response = http.get(url)
    with CaptureQueriesContext(connection) as older:
        more = http.get(url, {"page": "3", "from": "1"}, headers={"HX-Request": "true"})

    assert len(small) == len(large) == PER_REQUEST + 4
    # older entries: the client, the timeline's page, the audit event (no lists)
    assert len(older) == PER_REQUEST + 3
    assert len(response.context["timeline"]) == 25
    page = response.content.decode()
    # 30 contacts, 30 team meetings, the referral and the enrollment
    assert "Showing 1\N{EN DASH}25 of 62 entries" in page
    assert f'href="{url}?page=2"' in page
    appended = more.content.decode()
    assert "<html" not in appended
    assert appended.count("<li ") == 12
    assert "Showing 1\N{EN DASH}62 of 62 entries" in appended
    assert "Older entries" not in appended
