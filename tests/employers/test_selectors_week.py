"""The specialist's week: ISO weeks from Monday, the target counts face to face with hiring
managers, hand-computed around week boundaries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client as DjangoClient
from django.urls import reverse
from django.utils import timezone

from employers.models import EmployerContact
from employers.selectors import (
    job_seekers_without_employer_contact,
    specialist_week,
    weekly_counts,
)
from ips.models import Program, Role, User
from tests.clients.factories import ClientFactory, EmployerFactory, JobFactory
from tests.factories import MinimumWageFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 16)  # ISO week 2026-W12
SUNDAY_BEFORE = dt.date(2026, 3, 15)  # last day of 2026-W11
SUNDAY = dt.date(2026, 3, 22)  # last day of 2026-W12
NEXT_MONDAY = dt.date(2026, 3, 23)  # first day of 2026-W13


def log(specialist: User, employer: object, day: dt.date, *, f2f: bool, hm: bool) -> None:
    EmployerContact.objects.create(
        specialist=specialist,
        employer=employer,
        contacted_on=day,
        face_to_face=f2f,
        with_hiring_manager=hm,
        purpose=EmployerContact.Purpose.LEARN_NEEDS,
    )


def test_weekly_counts_on_week_boundaries(specialist: User, program: Program) -> None:
    employer = EmployerFactory(program=program)
    log(specialist, employer, SUNDAY_BEFORE, f2f=True, hm=True)  # W11
    log(specialist, employer, MONDAY, f2f=True, hm=True)  # W12 counted
    log(specialist, employer, MONDAY, f2f=True, hm=False)  # W12 not a hiring manager
    log(specialist, employer, SUNDAY, f2f=False, hm=True)  # W12 not face to face
    log(specialist, employer, SUNDAY, f2f=True, hm=True)  # W12 counted
    log(specialist, employer, NEXT_MONDAY, f2f=True, hm=True)  # W13
    archived = EmployerContact.objects.create(
        specialist=specialist,
        employer=employer,
        contacted_on=MONDAY,
        face_to_face=True,
        with_hiring_manager=True,
        purpose=EmployerContact.Purpose.FOLLOW_UP,
        archived_at=dt.datetime(2026, 3, 17, tzinfo=dt.UTC),
        archive_reason="Logged twice",
    )

    week = specialist_week(specialist=specialist, monday=MONDAY, viewer=specialist)
    history = weekly_counts(specialist=specialist, last_monday=NEXT_MONDAY, weeks=3)

    assert week.counted == 2
    assert len(week.contacts) == 4
    assert archived not in week.contacts
    assert week.target == 6
    assert week.by_purpose == [("Learn the business's needs", 4)]
    assert [(row.label, row.counted, row.total) for row in history] == [
        ("2026-W13", 1, 1),
        ("2026-W12", 2, 4),
        ("2026-W11", 1, 1),
    ]


def test_target_comes_from_the_program(specialist: User, program: Program) -> None:
    program.weekly_employer_contact_target = 4
    program.save()

    assert specialist_week(specialist=specialist, monday=MONDAY, viewer=specialist).target == 4


def test_job_seekers_without_employer_contact(specialist: User, program: Program) -> None:
    MinimumWageFactory(program=program)  # the working client's job is competitive
    employer = EmployerFactory(program=program)
    waiting = ClientFactory(program=program, specialist=specialist)
    contacted = ClientFactory(program=program, specialist=specialist)
    working = ClientFactory(program=program, specialist=specialist)
    closed = ClientFactory(program=program, specialist=specialist, closed=True)
    contact = EmployerContact.objects.create(
        specialist=specialist,
        employer=employer,
        contacted_on=contacted.current_episode.enrolled_on,
        purpose=EmployerContact.Purpose.PRESENT_JOB_SEEKER,
    )
    contact.clients.set([contacted])
    JobFactory(client=working, employer=employer)

    today = timezone.localdate()
    rows = list(
        job_seekers_without_employer_contact(specialist=specialist, today=today, viewer=specialist)
    )

    assert rows == [waiting]
    assert closed not in rows


def test_employers_of_other_programs_are_shared_read_only_when_the_agency_allows(
    login_as, specialist: User, program: Program, other_program: Program, outsider_program: Program
) -> None:
    from django.urls import reverse

    from employers.models import Employer

    other = EmployerFactory(program=other_program, name="Hilltop Hardware")
    hired = ClientFactory(program=other_program, first_name="Zebulon", last_name="Quist")
    MinimumWageFactory(program=other_program)
    JobFactory(client=hired, employer=other)
    outsider = EmployerFactory(program=outsider_program, name="Lakeside Lumber")
    assert other not in Employer.objects.visible_to(specialist)

    program.agency.share_employers = True
    program.agency.save()

    visible = Employer.objects.visible_to(specialist)
    assert other in visible
    assert outsider not in visible
    client = login_as(specialist)
    page = client.get(reverse("employers:detail", kwargs={"pk": other.pk}))
    assert page.status_code == 200
    assert "Barista" in page.content.decode()
    assert "Zebulon" not in page.content.decode()
    assert client.get(reverse("employers:edit", kwargs={"pk": other.pk})).status_code == 403
    assert client.get(reverse("employers:detail", kwargs={"pk": outsider.pk})).status_code == 404


@pytest.mark.parametrize("week", ["2026-W99", "junk", "9999-W52"])
def test_week_page_refuses_a_bad_week_with_a_message(
    week: str, specialist: User, login_as: Callable[[User], DjangoClient]
) -> None:
    response = login_as(specialist).get(reverse("employers:week"), {"week": week})

    assert response.status_code == 400
    assert b'data-testid="bad-request"' in response.content
    assert b"2026-W12" in response.content or b"year from 2000" in response.content


# --- Whose week --------------------------------------------------------------------------------


def test_a_supervisor_opens_a_specialists_week(
    supervisor: User, specialist: User, login_as: Callable[[User], DjangoClient]
) -> None:
    response = login_as(supervisor).get(reverse("employers:week"), {"specialist": specialist.pk})

    assert response.status_code == 200
    assert response.context["specialist"] == specialist


def test_only_active_specialists_of_visible_programs_have_a_week(
    supervisor: User,
    specialist: User,
    other_specialist: User,
    outsider_program: Program,
    login_as: Callable[[User], DjangoClient],
) -> None:
    """The ids the chooser could list: a deactivated specialist, someone who is no specialist
    and a specialist of another agency's program are not found."""
    other_specialist.is_active = False
    other_specialist.save(update_fields=["is_active"])
    outsider = StaffRoleFactory(role=Role.SPECIALIST, program=outsider_program).user
    client = login_as(supervisor)

    for user in (other_specialist, supervisor, outsider):
        response = client.get(reverse("employers:week"), {"specialist": user.pk})
        assert response.status_code == 404, user.username
