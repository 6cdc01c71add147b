"""The access rules (ips.access) and the `visible_to` querysets built on them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ips import access
from ips.access import Capability
from ips.models import Agency, Program, Role, StaffRole, User
from tests.factories import StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programs(program: Program, other_program: Program, outsider_program: Program) -> None:
    """All three programs exist, whichever persona a test uses."""


def _visible_names(user: User | AnonymousUser) -> set[str]:
    return set(Program.objects.visible_to(user).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("specialist", {"Harbor Works"}),
        ("supervisor", {"Harbor Works"}),
        ("reviewer", {"Harbor Works"}),
        ("director", {"Harbor Works", "Bridge Team"}),
        ("admin", {"Harbor Works", "Bridge Team"}),
        ("outsider_director", {"Summit Employment"}),
        ("no_role_user", set()),
    ],
)
def test_programs_visible_per_role(
    request: pytest.FixtureRequest, programs: None, persona: str, expected: set[str]
) -> None:
    assert _visible_names(request.getfixturevalue(persona)) == expected


def test_anonymous_user_sees_no_program(programs: None) -> None:
    assert _visible_names(AnonymousUser()) == set()
    assert not Agency.objects.visible_to(AnonymousUser()).exists()


def test_deactivated_user_sees_nothing(programs: None, admin: User) -> None:
    admin.is_active = False
    admin.save()

    assert _visible_names(admin) == set()
    assert not Agency.objects.visible_to(admin).exists()
    assert not User.objects.visible_to(admin).exists()
    assert not StaffRole.objects.visible_to(admin).exists()
    assert access.roles_of(admin) == frozenset()


def test_role_whose_program_belongs_to_another_agency_grants_nothing(
    agency: Agency, outsider_program: Program
) -> None:
    """A stale row (role filed under `agency`, program of another agency) opens neither side."""
    user = UserFactory(home_agency=agency)
    StaffRoleFactory(user=user, role=Role.SUPERVISOR, program=outsider_program, agency=agency)

    assert _visible_names(user) == set()
    assert not access.can(user, Capability.VIEW_PROGRAM, program=outsider_program)
    assert not access.can(user, Capability.VIEW_PROGRAM, agency=agency)
    assert not Agency.objects.visible_to(user).exists()


def test_director_reads_but_may_not_edit_programs(director: User, program: Program) -> None:
    assert access.can(director, Capability.VIEW_PROGRAM, program=program)
    assert not access.can(director, Capability.EDIT_PROGRAM, program=program)
    with pytest.raises(PermissionDenied):
        access.require(director, Capability.EDIT_PROGRAM, program=program)


def test_admin_edits_programs_of_own_agency_only(
    admin: User, program: Program, outsider_program: Program
) -> None:
    assert access.can(admin, Capability.EDIT_PROGRAM, program=program)
    assert not access.can(admin, Capability.EDIT_PROGRAM, program=outsider_program)


def test_reviewer_and_admin_never_see_clients(
    reviewer: User, admin: User, supervisor: User, program: Program
) -> None:
    assert not access.can(reviewer, Capability.VIEW_CLIENTS, program=program)
    assert not access.can(admin, Capability.VIEW_CLIENTS, program=program)
    assert access.can(supervisor, Capability.EDIT_CLIENTS, program=program)


def test_get_visible_or_404_hides_other_agency_records(
    director: User, outsider_program: Program, program: Program
) -> None:
    found = access.get_visible_or_404(Program.objects, director, pk=program.pk)
    assert found == program
    with pytest.raises(Http404):
        access.get_visible_or_404(Program.objects, director, pk=outsider_program.pk)


def test_can_needs_a_program_or_an_agency(director: User) -> None:
    with pytest.raises(ValueError, match="needs a program or an agency"):
        access.can(director, Capability.VIEW_PROGRAM)


def test_roles_of_lists_role_kinds_and_caches_them(
    django_assert_num_queries, specialist: User, other_program: Program
) -> None:
    StaffRoleFactory(user=specialist, role=Role.REVIEWER, program=other_program)
    user = User.objects.get(pk=specialist.pk)

    with django_assert_num_queries(1):
        assert access.roles_of(user) == {Role.SPECIALIST, Role.REVIEWER}
    with django_assert_num_queries(0):
        assert access.roles_of(user) == {Role.SPECIALIST, Role.REVIEWER}


def test_roles_of_anonymous_is_empty_without_a_query(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert access.roles_of(AnonymousUser()) == frozenset()


def test_two_factor_required_follows_any_agency_of_the_user(
    reviewer: User, agency: Agency, outsider_director: User
) -> None:
    agency.requires_two_factor = True
    agency.save()

    assert access.two_factor_required(reviewer)
    assert not access.two_factor_required(outsider_director)


@pytest.mark.parametrize(
    "persona",
    ["specialist", "supervisor", "reviewer", "director", "admin", "outsider_director"],
)
@pytest.mark.parametrize("capability", list(Capability))
def test_grants_apply_the_same_rules_as_the_role_subqueries(
    request: pytest.FixtureRequest, programs: None, persona: str, capability: Capability
) -> None:
    """Pages read the grants once and filter on their ids; everything else joins the roles."""
    user = request.getfixturevalue(persona)
    by_subquery = set(
        Program.objects.filter(id__in=access.program_ids_for(user, capability)).values_list(
            "id", flat=True
        )
    )

    access.grants(user)
    by_grants = set(
        Program.objects.filter(id__in=access.program_ids_for(user, capability)).values_list(
            "id", flat=True
        )
    )

    assert by_grants == by_subquery
    assert access.holds(user, capability) == bool(by_subquery)


def test_grants_ignore_a_role_whose_program_belongs_to_another_agency(
    agency: Agency, outsider_program: Program
) -> None:
    user = UserFactory(home_agency=agency)
    StaffRoleFactory(user=user, role=Role.SUPERVISOR, program=outsider_program, agency=agency)

    assert access.grants(user).roles == {Role.SUPERVISOR}
    assert not access.holds(user, Capability.VIEW_PROGRAM)
    assert not access.can(user, Capability.VIEW_CLIENTS, program=outsider_program)


def test_checks_cost_no_query_once_the_grants_are_read(
    django_assert_num_queries, supervisor: User, program: Program
) -> None:
    with django_assert_num_queries(1):
        access.grants(supervisor)
    with django_assert_num_queries(0):
        assert access.holds(supervisor, Capability.EDIT_CLIENTS)
        assert access.can(supervisor, Capability.EDIT_CLIENTS, program=program)
        assert access.roles_of(supervisor) == {Role.SUPERVISOR}
