"""The client reads (clients/selectors.py): the caseload's pages and rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clients.selectors import caseload_page
from ips.models import Program, User
from tests.clients.factories import ClientFactory, ContactFactory, JobFactory, days_ago
from tests.factories import MinimumWageFactory

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
