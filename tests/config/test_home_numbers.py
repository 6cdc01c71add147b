"""The homes that carry numbers: the supervisor's team linked to meeting mode and caseloads, the
director's rates against the benchmarks and what needs their attention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from ips.models import Program, User
from outcomes.models import OutcomeReport
from tests.clients.factories import ClientFactory, JobFactory
from tests.factories import MinimumWageFactory
from tests.fidelity.factories import outside_reviewer, plan_review

pytestmark = pytest.mark.django_db
LoginAs = Callable[[User], HttpClient]
D = dt.date


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 5, 12, 14, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_supervisor_home_links_each_specialist_to_their_card_and_caseload(
    login_as: LoginAs, program: Program, specialist: User, supervisor: User
) -> None:
    html = login_as(supervisor).get("/").content.decode()

    assert f'href="/supervision/meeting/?program={program.pk}#specialist-{specialist.pk}"' in html
    assert f'href="/clients/?specialist={specialist.pk}"' in html


def test_director_home_shows_rates_against_benchmarks_and_attention(
    login_as: LoginAs,
    program: Program,
    specialist: User,
    supervisor: User,
    director: User,
    reviewer: User,
) -> None:
    MinimumWageFactory(program=program, effective_on=D(2025, 1, 1))
    # Last quarter (Q1): two on the caseload, one working -> 50 %, excellent.
    working = ClientFactory(
        program=program, specialist=specialist, referred_on=D(2026, 1, 2), enrolled_on=D(2026, 1, 5)
    )
    JobFactory(client=working, started_on=D(2026, 2, 2))
    ClientFactory(
        program=program, specialist=specialist, referred_on=D(2026, 1, 2), enrolled_on=D(2026, 1, 5)
    )
    OutcomeReport.objects.create(
        agency=program.agency,
        program=program,
        period="2026-Q1",
        kind="quarter",
        status=OutcomeReport.Status.DONE,
        requested_at=timezone.now(),
        finished_at=timezone.now(),
    )
    plan_review(
        program=program,
        reviewer_a=reviewer,
        reviewer_b=outside_reviewer(program),
        actor=supervisor,
    )

    html = login_as(director).get("/").content.decode()

    row = html.split(f'data-program="{program.pk}"')[1].split("</tr>")[0]
    assert "50.0 %" in row
    assert "Excellent" in row
    assert f'Report ready: <a href="/outcomes/reports/">{program}, 2026-Q1</a>' in html
    assert "Fidelity review planned: " in html
