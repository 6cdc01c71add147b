"""Query counts of every list and dashboard page: constant in the number of rows, and pinned.

Every logged-in page pays the same overhead (the session itself comes from the Redis cache):
  1. the user (authentication middleware)
  2. the user's grants: role kinds and programs (navigation context processor, or the view)
The two-factor gate's two queries (a confirmed device? an agency requiring it?) run on the first
request and then once a minute; `assert_constant_queries` warms the session past them.
The clock is frozen so that the session's last-seen stamp is never rewritten mid-test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ips.audit import audit_read
from ips.models import Agency, Program, Role, User
from tests.factories import MinimumWageFactory, ProgramFactory, StaffRoleFactory, UserFactory
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db

PER_REQUEST = 2  # user, grants (see the module docstring)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def add_programs(agency: Agency, *, role_for: User | None = None, role: Role = Role.SPECIALIST):
    """`add_rows` for pages listing programs: each new program has a specialist (and, if asked,
    gives `role_for` a `role` in it)."""

    def add(n: int) -> None:
        for _ in range(n):
            program = ProgramFactory(agency=agency)
            StaffRoleFactory(role=Role.SPECIALIST, program=program)
            if role_for is not None:
                StaffRoleFactory(user=role_for, role=role, program=program)

    return add


def test_program_list(
    login_as: Callable[[User], Client], director: User, agency: Agency, outsider_program: Program
) -> None:
    client = login_as(director)

    count = assert_constant_queries(client, reverse("program_list"), add_programs(agency))

    # + programs with agency and specialist count; agencies where the user may add programs
    assert count == PER_REQUEST + 2


def test_api_program_list(
    login_as: Callable[[User], Client], director: User, agency: Agency
) -> None:
    client = login_as(director)

    count = assert_constant_queries(client, reverse("api:program-list"), add_programs(agency))

    # the two-factor gate and the user as above, no navigation; + the user's grants, page
    # count, page of programs (with agency); DRF's session check reuses the loaded user
    assert count == PER_REQUEST - 1 + 3


@pytest.mark.parametrize(
    ("persona", "role", "extra"),
    [
        # + visible programs (one query with the specialist count); Today's list; open action
        # items; the two nudges (no employer contact, benefits pending)
        ("specialist", Role.SPECIALIST, 5),
        # + visible programs, the supervised specialists (with user and program)
        ("supervisor", Role.SUPERVISOR, 2),
        # + visible programs; working and caseload this month and last quarter (grouped by
        # program); reports ready; reviews planned
        ("director", Role.DIRECTOR, 7),
        # + visible programs, programs under review (with agency)
        ("reviewer", Role.REVIEWER, 2),
        # + visible programs, administered agencies, latest reads (with actor and type)
        ("admin", Role.ADMIN, 3),
    ],
)
def test_home_page_of_each_role(
    request: pytest.FixtureRequest,
    login_as: Callable[[User], Client],
    agency: Agency,
    program: Program,
    persona: str,
    role: Role,
    extra: int,
) -> None:
    user = request.getfixturevalue(persona)
    client = login_as(user)
    program_role = role if role in {Role.SPECIALIST, Role.SUPERVISOR, Role.REVIEWER} else None
    add_more_programs = add_programs(agency, role_for=user if program_role else None, role=role)

    def add_rows(n: int) -> None:
        add_more_programs(n)
        for _ in range(n):
            StaffRoleFactory(role=Role.SPECIALIST, program=program)  # the supervisor's team
            audit_read(actor=user, obj=program, agency_id=agency.pk)  # the admin's latest reads

    count = assert_constant_queries(client, reverse("home"), add_rows)

    # the view looks up the role kinds first; navigation reuses them (cached on the user)
    assert count == PER_REQUEST + extra


def test_staff_list(
    login_as: Callable[[User], Client], admin: User, agency: Agency, program: Program
) -> None:
    client = login_as(admin)

    def add_rows(n: int) -> None:
        for _ in range(n):
            account = UserFactory(home_agency=agency)
            StaffRoleFactory(user=account, role=Role.SPECIALIST, program=program)
            StaffRoleFactory(user=account, role=Role.DIRECTOR, program=None, agency=agency)

    count = assert_constant_queries(client, reverse("staff_list"), add_rows)

    # + administered agencies, accounts (with home agency), their roles (with program, agency),
    # the count of role requests waiting for approval
    assert count == PER_REQUEST + 4


def test_audit_page_latest_reads(
    login_as: Callable[[User], Client], admin: User, agency: Agency, program: Program
) -> None:
    client = login_as(admin)

    def add_rows(n: int) -> None:
        for _ in range(n):
            audit_read(actor=UserFactory(home_agency=agency), obj=program, agency_id=agency.pk)

    count = assert_constant_queries(client, reverse("audit_log"), add_rows)

    # + latest reads (with actor and content type); "may read the audit trail?" comes from the
    # user's grants
    assert count == PER_REQUEST + 1


def test_audit_page_history_of_a_program(
    login_as: Callable[[User], Client], admin: User, agency: Agency, program: Program
) -> None:
    client = login_as(admin)
    url = f"{reverse('audit_log')}?type=program&id={program.pk}"

    def add_rows(n: int) -> None:
        for i in range(n):
            audit_read(actor=UserFactory(home_agency=agency), obj=program, agency_id=agency.pk)
            program.site = f"Site {i}"
            program.save()  # one change entry each

    count = assert_constant_queries(client, url, add_rows)

    # + the program, its reads, its changes; "may read the audit trail?" comes from the grants
    assert count == PER_REQUEST + 3


def test_program_detail(
    login_as: Callable[[User], Client], director: User, program: Program
) -> None:
    client = login_as(director)
    day = iter(dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(100))

    def add_rows(n: int) -> None:
        for _ in range(n):
            StaffRoleFactory(role=Role.SPECIALIST, program=program)
            MinimumWageFactory(program=program, effective_on=next(day))

    count = assert_constant_queries(
        client, reverse("program_detail", kwargs={"pk": program.pk}), add_rows
    )

    # + the program (with agency), its staff (with user), its wage schedule; "may edit?" comes
    # from the user's grants, read first
    assert count == PER_REQUEST + 3


# --- Outcome reports ---------------------------------------------------------------------------


def test_outcome_reports_page(
    login_as: Callable[[User], Client], director: User, agency: Agency, program: Program
) -> None:
    from outcomes.models import OutcomeReport

    client = login_as(director)

    def add_rows(n: int) -> None:
        for _ in range(n):
            added = ProgramFactory(agency=agency)
            OutcomeReport.objects.create(
                agency=agency,
                program=added,
                period="2026-Q1",
                kind="quarter",
                requested_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
            )

    count = assert_constant_queries(client, reverse("outcomes:reports"), add_rows)

    # + the agencies reported on as a whole, the programs (with agency), their stored reports
    assert count == PER_REQUEST + 3


def test_outcome_dashboard(
    login_as: Callable[[User], Client], supervisor: User, specialist: User, program: Program
) -> None:
    from decimal import Decimal

    from tests.clients.factories import ClientFactory, EmployerFactory, JobFactory

    MinimumWageFactory(program=program, effective_on=dt.date(2024, 1, 1), hourly=Decimal("15"))
    employer = EmployerFactory(program=program)
    client = login_as(supervisor)

    def add_rows(n: int) -> None:
        for _ in range(n):
            person = ClientFactory(
                program=program,
                specialist=specialist,
                referred_on=dt.date(2025, 12, 1),
                enrolled_on=dt.date(2025, 12, 2),
            )
            JobFactory(
                client=person,
                employer=employer,
                started_on=dt.date(2026, 1, 5),
                hourly_wage=Decimal("17"),
            )

    url = reverse("outcomes:dashboard", kwargs={"scope": "program", "pk": program.pk})
    count = assert_constant_queries(client, f"{url}?period=2026-Q1", add_rows)

    # + the program (with agency); whether it has a minimum-wage schedule; the period's numbers
    # and the same period a year before: their stored roll-ups (one query), then, none being
    # stored here, the 8 queries of the live numbers of both together (4 for the counts over
    # episodes, jobs held, job starts and courses, days to first contact and job, current jobs,
    # endings, closures); the trend's 7 earlier quarters:
    # their stored roll-ups (one query), then working and caseload of each; the specialist
    # table (3 counts and the names); the job starts and the names of their specialists. The
    # live numbers, the trend and the specialist table each run with the selectors' planner
    # settings, without a savepoint of their own (SET LOCAL jit, SET LOCAL random_page_cost:
    # PLANNER = 2 each).
    PLANNER = 2
    assert count == PER_REQUEST + 1 + 1 + (1 + 8) + (1 + 7 * 2) + 4 + 2 + 3 * PLANNER
