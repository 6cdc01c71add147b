"""The dashboard and drill-down pages: who sees what, links, bad input, constant queries."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clients.services import contact_log
from ips.models import Program, Role, User
from tests.clients.factories import ClientFactory, JobFactory, days_ago
from tests.employers.factories import EmployerContactFactory
from tests.factories import MinimumWageFactory, StaffRoleFactory
from tests.helpers import LIST_READ, assert_constant_queries
from tests.supervision.factories import TreatmentTeamFactory, meeting

pytestmark = pytest.mark.django_db
LoginAs = Callable[[User], HttpClient]


def _url(name: str, **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _cell(html: str, specialist: object, metric: str) -> str:
    row = re.search(rf'<tr data-specialist="{specialist}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {specialist}"
    cell = re.search(rf'<td data-metric="{metric}"><a href="([^"]+)">([^<]+)</a>', row[1])
    assert cell, f"no {metric} cell"
    return cell[2], cell[1].replace("&amp;", "&")


@pytest.fixture
def stalled(program: Program, specialist: User) -> list:
    """Two clients of Sam enrolled 40 days ago with no employer contact; one of Tara's."""
    MinimumWageFactory(program=program)
    return [
        ClientFactory(program=program, specialist=specialist, enrolled_on=days_ago(40))
        for _ in range(2)
    ]


def test_supervisor_sees_every_specialist_and_drills_down(
    login_as: LoginAs,
    program: Program,
    specialist: User,
    other_specialist: User,
    supervisor,
    stalled: list,
) -> None:
    http = login_as(supervisor)
    html = http.get(_url("supervision:dashboard", program=program.pk)).content.decode()

    text, link = _cell(html, specialist.pk, "no_employer_contact_30d")
    assert text == "2"
    assert _cell(html, other_specialist.pk, "no_employer_contact_30d")[0] == "0"
    assert _cell(html, "program", "caseload")[0] == "2"
    # The link carries ids, the week and the metric: never client data.
    assert re.fullmatch(
        rf"/supervision/drilldown/\?program={program.pk}&week=\d{{4}}-W\d\d"
        rf"&metric=no_employer_contact_30d&specialist={specialist.pk}",
        link,
    )
    listing = http.get(link).content.decode()
    for client in stalled:
        assert str(client) in listing
    assert "2 rows" in listing


def test_specialist_sees_own_numbers_only(
    login_as: LoginAs, program: Program, specialist: User, other_specialist: User, stalled: list
) -> None:
    http = login_as(other_specialist)

    html = http.get(_url("supervision:dashboard")).content.decode()

    assert f'data-specialist="{other_specialist.pk}"' in html
    assert f'data-specialist="{specialist.pk}"' not in html
    assert 'data-specialist="program"' not in html
    theirs = _url(
        "supervision:drilldown",
        program=program.pk,
        week="2026-W12",
        metric="caseload",
        specialist=specialist.pk,
    )
    assert http.get(theirs).status_code == 404
    assert http.get(theirs.replace(str(specialist.pk), str(other_specialist.pk))).status_code == 200


def test_director_reads_the_dashboard(
    login_as: LoginAs, program: Program, specialist: User, director: User, stalled: list
) -> None:
    html = login_as(director).get(_url("supervision:dashboard", program=program.pk))

    assert _cell(html.content.decode(), specialist.pk, "caseload")[0] == "2"


def test_other_agencies_find_nothing_and_roles_without_clients_are_refused(
    login_as: LoginAs, program: Program, outsider_director: User, reviewer: User
) -> None:
    url = _url("supervision:dashboard", program=program.pk)

    assert login_as(outsider_director).get(url).status_code == 404
    # A reviewer holds no client role anywhere: refused like every page without its role.
    assert login_as(reviewer).get(url).status_code == 403
    drill = _url("supervision:drilldown", program=program.pk, week="2026-W12", metric="caseload")
    assert login_as(outsider_director).get(drill).status_code == 404


def test_bad_week_is_explained(login_as: LoginAs, program: Program, supervisor: User) -> None:
    response = login_as(supervisor).get(
        _url("supervision:dashboard", program=program.pk, week="2026-W60")
    )

    assert response.status_code == 400
    assert "Give the week as an ISO week, such as 2026-W12." in response.content.decode()


def test_unknown_metric_is_explained(login_as: LoginAs, program: Program, supervisor: User) -> None:
    response = login_as(supervisor).get(
        _url("supervision:drilldown", program=program.pk, week="2026-W12", metric="salary")
    )

    assert response.status_code == 400
    assert "Choose one of the dashboard&#x27;s numbers." in response.content.decode()


@pytest.mark.usefixtures("frozen_clock")
def test_dashboard_queries_do_not_grow_with_specialists_and_clients(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User
) -> None:
    MinimumWageFactory(program=program)
    team = TreatmentTeamFactory(program=program, specialists=[specialist])
    http = login_as(supervisor)

    def add_rows(n: int) -> None:
        for _ in range(n):
            someone = StaffRoleFactory(role=Role.SPECIALIST, program=program).user
            team.specialists.add(someone)
            client = ClientFactory(program=program, specialist=someone, enrolled_on=days_ago(45))
            JobFactory(client=client, started_on=days_ago(2))
            contact_log(
                client=client,
                specialist=someone,
                contacted_on=days_ago(1),
                minutes=20,
                purpose="job_search",
            )
            EmployerContactFactory(
                employer__program=program,
                specialist=someone,
                with_hiring_manager=True,
                contacted_on=days_ago(0),
                clients=[client],
            )
            meeting(team=team, recorded_by=someone, held_on=days_ago(0), attendees=[someone])

    count = assert_constant_queries(
        http, _url("supervision:dashboard", program=program.pk), add_rows
    )

    # + the dashboard's programs (with the specialist roles); the specialists; caseload,
    # working, job starts, employer contacts, no employer contact, no contact, jobs ended,
    # benefits pending (8, one grouped query each); meetings expected and attended (2)
    assert count == 2 + 1 + 1 + 8 + 2


@pytest.mark.usefixtures("frozen_clock")
def test_drilldown_queries_do_not_grow(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User
) -> None:
    http = login_as(supervisor)
    url = _url(
        "supervision:drilldown",
        program=program.pk,
        metric="no_contact_30d",
        specialist=specialist.pk,
    )

    def add_rows(n: int) -> None:
        for _ in range(n):
            ClientFactory(program=program, specialist=specialist, enrolled_on=days_ago(45))

    count = assert_constant_queries(http, url, add_rows)

    # + the dashboard's programs, the specialist, the rows (with specialist and episode); the
    # read of the clients listed
    assert count == 2 + 3 + LIST_READ


def test_week_navigation_links(login_as: LoginAs, program: Program, supervisor: User) -> None:
    html = (
        login_as(supervisor)
        .get(_url("supervision:dashboard", program=program.pk, week="2026-W01"))
        .content.decode()
    )

    assert f"?program={program.pk}&week=2025-W52" in html
    assert f"?program={program.pk}&week=2026-W02" in html
    # 29 December 2025 to 4 January 2026: the calendar month of its Sunday, said in words.
    assert "monthly numbers: January 2026" in html


def test_drilldown_of_the_future_is_empty_not_an_error(
    login_as: LoginAs, program: Program, supervisor: User
) -> None:
    week = days_ago(-21).isocalendar()
    url = _url(
        "supervision:drilldown",
        program=program.pk,
        metric="employer_contacts_week",
        week=f"{week[0]}-W{week[1]:02d}",
    )

    response = login_as(supervisor).get(url)

    assert response.status_code == 200
    assert "0 rows" in response.content.decode()
