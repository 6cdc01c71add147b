"""The home page: one section per role, combined for people who hold several.

It lives with the wiring because it gathers every app's part for the user: the specialist's
action items and nudges (supervision), the supervisor's team (each specialist linked to their
meeting card and caseload), the director's numbers (each program's rate this month and last
quarter against the benchmarks, reports ready, reviews planned: outcomes and fidelity), the
reviewer's programs, the admin's agencies and recent reads (the base).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.today import TodayRow, today_rows
from fidelity.models import Review
from ips import access
from ips.calendar import Period, today
from ips.models import Agency, AuditEvent, Program, Role, StaffRole, User
from outcomes import definitions
from outcomes.definitions import BENCHMARKS
from outcomes.models import OutcomeReport
from supervision.selectors import my_open_action_items, nudges_for

# What a director's home lists of each kind needing their attention.
ATTENTION_ROWS = 5


@dataclass(frozen=True)
class ProgramRates:
    """A program's competitive employment rate this month (so far) and last quarter."""

    program: Program
    month: float | None
    quarter: float | None

    @property
    def quarter_benchmark(self) -> str:
        """The benchmark last quarter's rate reached (the quarterly ones it is measured by)."""
        if self.quarter is None:
            return "no rate"
        reached = [name for name, threshold in BENCHMARKS if self.quarter >= threshold]
        return reached[-1] if reached else "Below the minimum standard"


def _counts(rows: QuerySet, ids: list[int]) -> dict[int, int]:
    grouped = rows.filter(program_id__in=ids).values("program_id").annotate(n=Count("pk"))
    return {row["program_id"]: row["n"] for row in grouped.order_by()}


def program_rates(programs: list[Program], day: Any) -> list[ProgramRates]:
    """Each program's rate in the month holding `day` and in the quarter before: four grouped
    queries whatever the number of programs (`outcomes.definitions`, as the reports count)."""
    ids = [program.pk for program in programs]
    month = Period.containing("month", day)
    quarter = Period.containing("quarter", day).previous()
    per_period = {
        period: (
            _counts(definitions.working(period), ids),
            _counts(definitions.caseload(period), ids),
        )
        for period in (month, quarter)
    }

    def rate(period: Period, pk: int) -> float | None:
        working, caseload = per_period[period]
        return definitions.rate(working.get(pk, 0), caseload.get(pk, 0))

    return [ProgramRates(p, rate(month, p.pk), rate(quarter, p.pk)) for p in programs]


@dataclass
class Home:
    """What a user's home page shows: one section per kind of role they hold."""

    roles: frozenset[Role]
    programs: list[Program] = field(default_factory=list)
    team: list[StaffRole] = field(default_factory=list)
    review_programs: list[Program] = field(default_factory=list)
    admin_agencies: list[Agency] = field(default_factory=list)
    recent_reads: list[AuditEvent] = field(default_factory=list)
    # A specialist's open supervision action items and overdue nudges (`supervision.selectors`).
    action_items: list[Any] = field(default_factory=list)
    nudges: Any = None
    # Whom a specialist should see today (`config.today`), and the day it is for.
    today: list[TodayRow] = field(default_factory=list)
    day: Any = None
    # A director's numbers and what needs their attention.
    rates: list[ProgramRates] = field(default_factory=list)
    reports_ready: list[OutcomeReport] = field(default_factory=list)
    reviews_planned: list[Review] = field(default_factory=list)


def _programs_with_role(user: User, role: Role) -> QuerySet[Program]:
    return Program.objects.filter(staff_roles__user=user, staff_roles__role=role)


def home_for(user: User) -> Home:
    """The home page of `user`, whatever mix of roles they hold. A constant number of queries."""
    roles = access.roles_of(user)
    home = Home(roles=roles, programs=list(Program.objects.visible_to(user).for_list()))
    if Role.SPECIALIST in roles:
        home.day = today()
        home.today = today_rows(user=user, today=home.day)
        home.action_items = list(my_open_action_items(user))
        home.nudges = nudges_for(user, home.day)
    if Role.SUPERVISOR in roles:
        home.team = list(
            StaffRole.objects.filter(
                role=Role.SPECIALIST,
                program__in=_programs_with_role(user, Role.SUPERVISOR),
                user__is_active=True,
            ).select_related("user", "program")
        )
    if Role.DIRECTOR in roles:
        _director(home, user)
    if Role.REVIEWER in roles:
        home.review_programs = list(
            _programs_with_role(user, Role.REVIEWER).select_related("agency")
        )
    if Role.ADMIN in roles:
        home.admin_agencies = list(
            Agency.objects.filter(
                id__in=access.agency_ids_for(user, access.Capability.MANAGE_STAFF)
            )
        )
        home.recent_reads = list(
            AuditEvent.objects.visible_to(user).select_related("actor", "content_type")[:10]
        )
    return home


def _director(home: Home, user: User) -> None:
    """The numbers of the director's programs and what needs their attention."""
    home.rates = program_rates(home.programs, today())
    home.reports_ready = list(
        OutcomeReport.objects.visible_to(user)
        .filter(status=OutcomeReport.Status.DONE)
        .select_related("program", "agency")
        .order_by("-finished_at", "-id")[:ATTENTION_ROWS]
    )
    home.reviews_planned = list(
        Review.objects.filter(
            program_id__in=access.program_ids_for(user, access.Capability.VIEW_FIDELITY),
            status__in=[Review.Status.PLANNED, Review.Status.SCORING],
        )
        .select_related("program")
        .order_by("window_start", "id")[:ATTENTION_ROWS]
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"home": home_for(request.user)})
