"""The home page: one section per role, combined for people who hold several.

It lives with the wiring because it gathers every app's part for the user: the specialist's
action items and nudges (supervision), the supervisor's team, the reviewer's programs, the admin's
agencies and recent reads (the base).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ips import access
from ips.calendar import today
from ips.models import Agency, AuditEvent, Program, Role, StaffRole, User
from supervision.selectors import my_open_action_items, nudges_for


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


def _programs_with_role(user: User, role: Role) -> QuerySet[Program]:
    return Program.objects.filter(staff_roles__user=user, staff_roles__role=role)


def home_for(user: User) -> Home:
    """The home page of `user`, whatever mix of roles they hold. A constant number of queries."""
    roles = access.roles_of(user)
    home = Home(roles=roles, programs=list(Program.objects.visible_to(user).for_list()))
    if Role.SPECIALIST in roles:
        home.action_items = list(my_open_action_items(user))
        home.nudges = nudges_for(user, today())
    if Role.SUPERVISOR in roles:
        home.team = list(
            StaffRole.objects.filter(
                role=Role.SPECIALIST,
                program__in=_programs_with_role(user, Role.SUPERVISOR),
                user__is_active=True,
            ).select_related("user", "program")
        )
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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"home": home_for(request.user)})
