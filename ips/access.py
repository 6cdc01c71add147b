"""The access rules, in one place.

Every page, API endpoint, export, PDF and task that acts for a user asks this module, usually
through a model's `visible_to(user)` queryset method. The rules fail closed: an anonymous or
inactive user, or a user with no role, sees nothing.

Two outcomes, deliberately different:
- someone who may not *see* a record gets 404, so its existence does not leak
  (`get_visible_or_404`);
- someone who may see it but not *change* it gets 403 (`require`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, Model, Q, QuerySet
from django.http import Http404

from ips.roles import AGENCY_ROLES, PROGRAM_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from ips.models import Agency, Program, User

    AnyUser = User | AnonymousUser

M = TypeVar("M", bound=Model)


# The organisation's tables, looked up when a rule runs: the models' `visible_to` methods call
# this module, so it cannot import them while they load.
def _programs() -> QuerySet[Program]:
    return apps.get_model("ips", "Program").objects.all()


def _staff_roles() -> QuerySet:
    return apps.get_model("ips", "StaffRole").objects.all()


def _agencies() -> QuerySet[Agency]:
    return apps.get_model("ips", "Agency").objects.all()


class Capability(StrEnum):
    """What a role lets its holder do, within the role's program (or agency, for agency roles)."""

    VIEW_PROGRAM = "view_program"
    EDIT_PROGRAM = "edit_program"
    MANAGE_STAFF = "manage_staff"
    VIEW_AUDIT = "view_audit"
    VIEW_CLIENTS = "view_clients"
    EDIT_CLIENTS = "edit_clients"
    VIEW_SUPERVISION = "view_supervision"
    RUN_SUPERVISION = "run_supervision"
    VIEW_OUTCOMES = "view_outcomes"
    EXPORT_OUTCOMES = "export_outcomes"
    VIEW_FIDELITY = "view_fidelity"
    PLAN_FIDELITY = "plan_fidelity"
    SCORE_FIDELITY = "score_fidelity"
    IMPORT_RECORDS = "import_records"


RULES: dict[Capability, frozenset[Role]] = {
    Capability.VIEW_PROGRAM: frozenset(Role),
    Capability.EDIT_PROGRAM: frozenset({Role.ADMIN}),
    Capability.MANAGE_STAFF: frozenset({Role.ADMIN}),
    Capability.VIEW_AUDIT: frozenset({Role.ADMIN}),
    # Fidelity reviewers and agency admins never see client identities.
    Capability.VIEW_CLIENTS: frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.DIRECTOR}),
    Capability.EDIT_CLIENTS: frozenset({Role.SPECIALIST, Role.SUPERVISOR}),
    # The supervision dashboard: supervisors run it (sessions, teams), directors read it.
    Capability.VIEW_SUPERVISION: frozenset({Role.SUPERVISOR, Role.DIRECTOR}),
    Capability.RUN_SUPERVISION: frozenset({Role.SUPERVISOR}),
    # Outcome numbers, reports and exports: supervisors for their programs, directors for every
    # program of their agency.
    Capability.VIEW_OUTCOMES: frozenset({Role.SUPERVISOR, Role.DIRECTOR}),
    # The quarterly learning-community submission is the agency's: its directors send it.
    Capability.EXPORT_OUTCOMES: frozenset({Role.DIRECTOR}),
    # Fidelity reviews: the program's supervisor and the agency's director and admin read every
    # review of the program and plan new ones; reviewers read and score only the reviews they
    # are assigned to (`fidelity.models.ReviewQuerySet.visible_to`). Specialists see none.
    Capability.VIEW_FIDELITY: frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN}),
    Capability.PLAN_FIDELITY: frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN}),
    Capability.SCORE_FIDELITY: frozenset({Role.REVIEWER}),
    # Bringing a program's records in from spreadsheets (`imports`): its supervisor and the
    # agency's admins, who set a program up; never specialists, one by one.
    Capability.IMPORT_RECORDS: frozenset({Role.SUPERVISOR, Role.ADMIN}),
}


# The roles that read client records or decide who does (agency admins): granting one needs a
# second person, and an admin's password reset of a holder makes them enrol a new second factor
# (`ips.services`).
PRIVILEGED_ROLES: frozenset[Role] = RULES[Capability.VIEW_CLIENTS] | RULES[Capability.MANAGE_STAFF]


def is_active_user(user: AnyUser | None) -> bool:
    """Only a logged-in, active account can hold any access at all."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def program_ids_for(user: AnyUser, capability: Capability = Capability.VIEW_PROGRAM) -> QuerySet:
    """Ids of the programs where the user has `capability`, as a subquery to filter by.

    A program role grants it in that program; an agency role (director, admin) in every program
    of the agency. The rule is applied once, in Python, to the user's grants (`grants`: one
    query per request), so the subquery lists the ids themselves: simple SQL to build and plan.
    """
    if not is_active_user(user):
        return _programs().none().values("id")
    # Kept for the request: the subquery is lazy, and rebuilding it costs time on every use.
    built = _built(user)
    if capability not in built:
        ids = sorted(grants(user).programs[capability])
        built[capability] = _programs().filter(id__in=ids).values("id")
    return built[capability]


def _built(user: AnyUser) -> dict[Capability, QuerySet]:
    cache = getattr(user, "_ips_access_subqueries", None)
    if cache is None:
        cache = {}
        user._ips_access_subqueries = cache  # type: ignore[union-attr]
    return cache


def holds(user: AnyUser, capability: Capability) -> bool:
    """Whether the user has `capability` in at least one program (from `grants`)."""
    return bool(grants(user).programs[capability])


def holds_anywhere(user: AnyUser, capability: Capability) -> bool:
    """Whether the user has `capability` in a program, or through an agency role in an agency
    (an agency admin manages staff before the agency runs any program). From `grants`."""
    loaded = grants(user)
    return bool(loaded.programs[capability]) or bool(
        loaded.roles & RULES[capability] & AGENCY_ROLES
    )


def agency_ids_for(user: AnyUser, capability: Capability | None = None) -> QuerySet:
    """Ids of the agencies where the user holds a role granting `capability` (any role if None).

    As in `program_ids_for`, a program role whose program is of another agency grants nothing.
    """
    if not is_active_user(user):
        return _agencies().none().values("id")
    roles = RULES[capability] if capability else frozenset(Role)
    return (
        _staff_roles()
        .filter(user=user, role__in=sorted(roles))
        .filter(Q(program__isnull=True) | Q(program__agency_id=F("agency_id")))
        .values("agency_id")
    )


def can(
    user: AnyUser,
    capability: Capability,
    *,
    program: Program | None = None,
    agency: Agency | None = None,
) -> bool:
    """Whether the user has `capability` in `program`, or anywhere in `agency`."""
    if program is not None:
        return program.pk in grants(user).programs[capability]
    if agency is not None:
        return agency_ids_for(user, capability).filter(agency_id=agency.pk).exists()
    raise ValueError("can() needs a program or an agency")


def require(
    user: AnyUser,
    capability: Capability,
    *,
    program: Program | None = None,
    agency: Agency | None = None,
) -> None:
    """Raise PermissionDenied (403) unless the user has `capability` there.

    Call it after the record was fetched through `visible_to`, so outsiders have already had 404.
    """
    if not can(user, capability, program=program, agency=agency):
        raise PermissionDenied("Your role does not allow this change.")


def program_of(record: Model) -> Program:
    """The program whose roles govern `record`: `type(record).program_path` leads to it (a
    model's own `program` unless it says otherwise, e.g. `client.program` for a job)."""
    path = getattr(record, "program_path", "program")
    return attrgetter(path)(record) if path else record  # type: ignore[return-value]


def get_visible_or_404(queryset: QuerySet[M], user: AnyUser, **lookup: Any) -> M:
    """The record matching `lookup` among those visible to the user, or 404 for everyone else."""
    # The lookup names one record, so no ORDER BY: compiling the model's default ordering cost
    # a quarter of this query's time on every detail page.
    visible = queryset.visible_to(user)  # type: ignore[attr-defined]
    found = list(visible.filter(**lookup).order_by()[:1])
    if not found:
        raise Http404("No such record.")
    return found[0]


@dataclass(frozen=True)
class Grants:
    """What the user's roles grant, read once per request: role kinds, programs per capability,
    and the agency of each of those programs."""

    roles: frozenset[Role]
    programs: dict[Capability, frozenset[int]]
    program_agencies: dict[int, int] = field(default_factory=dict)


NO_GRANTS = Grants(roles=frozenset(), programs={capability: frozenset() for capability in RULES})


def grants(user: AnyUser) -> Grants:
    """The user's grants, in one query cached on the user object for the request: every program
    rule (`program_ids_for`, `holds`, `can`) reads them, so the rule is written once and the
    request's checks after the first cost no query."""
    if not is_active_user(user):
        return NO_GRANTS
    loaded = _loaded_grants(user)
    if loaded is None:
        loaded = _read_grants(user)
        user._ips_grants = loaded  # type: ignore[union-attr]
    return loaded


def _loaded_grants(user: AnyUser) -> Grants | None:
    return getattr(user, "_ips_grants", None)


def _read_grants(user: AnyUser) -> Grants:
    # One row per role, repeated for each program of the role's agency (agencies run a handful
    # of programs): an agency role grants all of them. Every request reads it, so it is written
    # as SQL: the ORM took longer to build this query than PostgreSQL to answer it.
    roles_table = _staff_roles().model._meta.db_table
    programs_table = _programs().model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.role, r.agency_id, r.program_id, p.agency_id, ap.id "  # noqa: S608
            f"FROM {roles_table} r "
            f"LEFT JOIN {programs_table} p ON p.id = r.program_id "
            f"LEFT JOIN {programs_table} ap ON ap.agency_id = r.agency_id "
            f"WHERE r.user_id = %s",
            [user.pk],
        )
        rows = cursor.fetchall()
    roles: set[Role] = set()
    programs: dict[Capability, set[int]] = {capability: set() for capability in RULES}
    program_agencies: dict[int, int] = {}
    for value, agency_id, program_id, program_agency_id, agency_program_id in rows:
        role = Role(value)
        roles.add(role)
        # A program role whose program is of another agency is stale: it grants nothing.
        if role in PROGRAM_ROLES and program_agency_id == agency_id:
            granted = program_id
        elif role in AGENCY_ROLES:
            granted = agency_program_id  # None when the agency runs no program yet
        else:
            granted = None
        if granted is not None:
            program_agencies[granted] = agency_id
            for capability, allowed in RULES.items():
                if role in allowed:
                    programs[capability].add(granted)
    return Grants(
        roles=frozenset(roles),
        programs={capability: frozenset(ids) for capability, ids in programs.items()},
        program_agencies=program_agencies,
    )


def roles_of(user: AnyUser) -> frozenset[Role]:
    """The kinds of role the user holds anywhere (from `grants`, so one query per request)."""
    return grants(user).roles


def two_factor_required(user: AnyUser) -> bool:
    """Whether the user must have a second factor: any agency they work for requires it, or an
    admin chose their password (`User.must_enrol_two_factor`) and they hold a privileged role
    (one that reads client records, or the admin role)."""
    if not is_active_user(user):
        return False
    required = Q(agency__requires_two_factor=True)
    if getattr(user, "must_enrol_two_factor", False):
        required |= Q(role__in=sorted(PRIVILEGED_ROLES))
    return _staff_roles().filter(required, user=user).exists()


def agency_wide_ids_for(user: AnyUser, capability: Capability) -> QuerySet:
    """Ids of the agencies where the user holds an *agency* role granting `capability`: what a
    whole-agency view needs (a program role gives a share of the agency, never all of it)."""
    if not is_active_user(user):
        return _agencies().none().values("id")
    roles = RULES[capability] & AGENCY_ROLES
    return (
        _staff_roles()
        .filter(user=user, role__in=sorted(roles), program__isnull=True)
        .values("agency_id")
    )
