"""The client reads (clients/selectors.py): the caseload's pages and rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from clients.models import EducationEnrollment, PlanGoal, PlanStep, SetAsideKind
from clients.selectors import caseload_page, client_page
from clients.timeline import timeline_page
from ips.models import Program, User
from tests.clients.factories import (
    BenefitsReferralFactory,
    ClientFactory,
    ContactFactory,
    EmployerFactory,
    EpisodeFactory,
    JobFactory,
    SupportFactory,
    days_ago,
)
from tests.employers.factories import EmployerContactFactory
from tests.factories import MinimumWageFactory
from tests.supervision.factories import TreatmentTeamFactory, meeting

pytestmark = pytest.mark.django_db


def test_caseload_page_counts_every_match_and_returns_one_page(
    program: Program, specialist: User
) -> None:
    for i in range(7):
        ClientFactory(program=program, specialist=specialist, last_name=f"Rivera{i}")

    first = caseload_page(user=specialist, today=days_ago(0), size=3)
    last = caseload_page(user=specialist, today=days_ago(0), size=3, number=3)
    past = caseload_page(user=specialist, today=days_ago(0), size=3, number=4)

    assert [row.last_name for row in first.rows] == ["Rivera0", "Rivera1", "Rivera2"]
    assert (first.total, first.first, first.last, first.has_next) == (7, 1, 3, True)
    assert [row.last_name for row in last.rows] == ["Rivera6"]
    assert (last.total, last.first, last.last, last.has_next) == (7, 7, 7, False)
    assert (past.rows, past.total, past.has_next) == ([], 7, False)


def test_caseload_row_texts_are_worked_out_once(program: Program, specialist: User) -> None:
    MinimumWageFactory(program=program, effective_on=dt.date(2020, 1, 1), hourly=Decimal("15"))
    client = ClientFactory(program=program, specialist=specialist, last_name="Rivera")
    ContactFactory(client=client, specialist=specialist, contacted_on=days_ago(1))
    JobFactory(client=client, title="Barista", employer__name="Harbourside Bakery")
    ClientFactory(program=program, specialist=specialist, last_name="Okafor", referred=True)

    rows = caseload_page(user=specialist, today=days_ago(0), specialist_id=specialist.pk).rows

    okafor, rivera = rows
    assert (rivera.status, rivera.status_label, rivera.badge) == ("enrolled", "Enrolled", "primary")
    assert (rivera.job, rivera.working, rivera.last_contact) == (
        "Barista at Harbourside Bakery",
        True,
        "1 day ago",
    )
    assert rivera.enrolled == "83 days ago"
    assert rivera.no_employer_contact
    assert rivera.specialist == str(specialist)
    assert rivera.url == f"/clients/{client.pk}/"
    assert (okafor.status, okafor.badge, okafor.last_contact, okafor.enrolled) == (
        "referred",
        "info",
        "never",
        "",
    )


def test_the_portable_reads_show_what_the_postgresql_queries_show(
    program: Program, specialist: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a database other than PostgreSQL (the SQLite fallback of `make run`) the caseload's
    rows, the client page's lists and the timeline come from the ORM: the same rows, texts and
    dates as the hand-written PostgreSQL queries, records of every kind included."""
    MinimumWageFactory(program=program, effective_on=dt.date(2020, 1, 1), hourly=Decimal("15"))
    rivera = ClientFactory(program=program, specialist=specialist, last_name="Rivera")
    EpisodeFactory(client=rivera)
    ContactFactory(client=rivera, specialist=specialist, minutes=30, note="At the library.")
    ContactFactory(client=rivera, specialist=specialist, contacted_on=days_ago(2), archived=True)
    JobFactory(client=rivera, title="Barista", started_on=days_ago(60))
    JobFactory(
        client=rivera,
        employer=None,
        self_employed=True,
        title="Dog walker",
        hourly_wage=Decimal("12.50"),
        tips_per_hour=Decimal("1.25"),
        started_on=days_ago(80),
        ended=True,
    )
    JobFactory(client=rivera, set_aside_kind=SetAsideKind.ENCLAVE, set_aside=True)
    JobFactory(client=rivera, title="Archived", archived=True)
    SupportFactory(client=rivera, specialist=specialist, note="Follow-along.")
    BenefitsReferralFactory(client=rivera, planning_completed_on=days_ago(20))
    EducationEnrollment.objects.create(
        client=rivera, institution="Lakeside College", course="Bookkeeping", started_on=days_ago(9)
    )
    goal = PlanGoal.objects.create(client=rivera, text="Work in a kitchen")
    PlanStep.objects.create(goal=goal, text="Visit bakeries")
    PlanStep.objects.create(goal=goal, text="Update the résumé", due_on=days_ago(-3))
    PlanStep.objects.create(goal=goal, text="Done already", due_on=days_ago(9), done_on=days_ago(9))
    employer = EmployerFactory(program=program, name="Harbourside Bakery")
    EmployerContactFactory(
        employer=employer, specialist=specialist, with_hiring_manager=True, clients=[rivera]
    )
    EmployerContactFactory(
        employer=employer, specialist=specialist, clients=[rivera], archived=True
    )
    team = TreatmentTeamFactory(program=program, specialists=[specialist])
    meeting(team=team, recorded_by=specialist, discussed=[(rivera, "Ready for interviews.")])
    others = [
        ClientFactory(program=program, specialist=specialist, last_name="Okafor", referred=True),
        ClientFactory(program=program, specialist=specialist, last_name="Young", closed=True),
    ]

    def reads() -> tuple[object, ...]:
        caseload = [
            caseload_page(user=specialist, today=days_ago(0), number=number, size=2)
            for number in (1, 2, 3)
        ]
        pages = [client_page(client) for client in (rivera, *others)]
        timelines = [timeline_page(rivera.pk, number=number, size=4) for number in range(1, 7)]
        return caseload, pages, timelines

    on_postgresql = reads()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    portable = reads()

    assert portable == on_postgresql
    caseload, pages, timelines = portable
    rows = {row.last_name: row for page in caseload for row in page.rows}
    assert list(rows) == ["Okafor", "Rivera", "Young"]
    assert rows["Rivera"].job.startswith("Barista at ")
    assert rows["Rivera"].next_step == f"Update the résumé (by {days_ago(-3).isoformat()})"
    assert not rows["Rivera"].no_employer_contact
    kinds = {item.kind for timeline in timelines for item in timeline.rows}
    assert kinds == {
        "episode", "employer", "contact", "job", "support", "benefits", "education", "meeting"
    }  # fmt: skip
    assert timelines[0].total == 16
    assert [job.why_not != "" for job in pages[0].jobs] == [False, True, True]
