"""Query counts of the job-development pages: constant however many contacts, employers or
clients there are, and pinned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from employers.models import Employer, EmployerContact
from ips.models import Program, User
from tests.clients.factories import ClientFactory, EmployerFactory, JobFactory
from tests.employers.factories import EmployerContactFactory, EmployerPersonFactory
from tests.factories import MinimumWageFactory
from tests.helpers import LIST_READ, assert_constant_queries

pytestmark = pytest.mark.django_db

PER_REQUEST = 2  # user, role kinds (see tests/test_query_counts.py)
TODAY = dt.date(2026, 3, 18)  # a Wednesday of 2026-W12


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 18, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


def add_contacts(specialist: User, employer: Employer) -> Callable[[int], None]:
    """Contacts this week, each with a person and two clients."""

    def add(n: int) -> None:
        for i in range(n):
            person = EmployerPersonFactory(employer=employer, hiring_manager=True)
            clients = [
                ClientFactory(program=employer.program, specialist=specialist) for _ in range(2)
            ]
            contact = EmployerContactFactory(
                employer=employer,
                specialist=specialist,
                person=person,
                contacted_on=TODAY - dt.timedelta(days=i % 2),
                with_hiring_manager=True,
            )
            contact.clients.set(clients)

    return add


def test_week_page(login_as: Callable[[User], Client], specialist: User, program: Program) -> None:
    client = login_as(specialist)
    employer = EmployerFactory(program=program)

    count = assert_constant_queries(
        client, reverse("employers:week"), add_contacts(specialist, employer)
    )

    # + the week's contacts with employer and person; their clients; target; the weekly history;
    # job seekers without an employer contact; the read of the clients listed
    assert count == PER_REQUEST + 5 + LIST_READ


def test_employer_relationship_page(
    login_as: Callable[[User], Client], specialist: User, program: Program
) -> None:
    client = login_as(specialist)
    employer = EmployerFactory(program=program)
    MinimumWageFactory(program=program)

    def add(n: int) -> None:
        add_contacts(specialist, employer)(n)
        for _ in range(n):
            JobFactory(client=ClientFactory(program=program), employer=employer)

    count = assert_constant_queries(
        client, reverse("employers:detail", kwargs={"pk": employer.pk}), add
    )

    assert EmployerContact.objects.filter(employer=employer).count() == 12
    # + employer; contacts with specialist and person; their clients; people; jobs with clients;
    # the quick-log form's person and client lists (the employer is fixed: no list); the read of
    # the clients listed
    assert count == PER_REQUEST + 7 + LIST_READ
