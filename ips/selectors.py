"""Reads of the organisation domain shaped for pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from ips import access
from ips.models import RoleRequest, StaffRole, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def staff_rows(user: User | AnonymousUser) -> QuerySet[User]:
    """The staff list of an agency admin: each account with its roles, in two queries."""
    roles = StaffRole.objects.visible_to(user).select_related("program", "agency")
    return (
        User.objects.visible_to(user)
        .select_related("home_agency")
        .prefetch_related(Prefetch("roles", queryset=roles, to_attr="visible_roles"))
        .order_by("last_name", "first_name", "username")
    )


def can_manage_account(admin: User, account: User) -> bool:
    """Password resets and deactivation belong to the agency that employs the account."""
    if account.home_agency_id is None:
        return False
    return access.can(admin, access.Capability.MANAGE_STAFF, agency=account.home_agency)


def pending_role_requests(user: User | AnonymousUser) -> QuerySet[RoleRequest]:
    """Role requests waiting for a second person, in the agencies where the user manages staff."""
    return (
        RoleRequest.objects.visible_to(user)
        .pending()
        .select_related("user", "agency", "program", "requested_by")
        .order_by("requested_at", "id")
    )


def decided_role_requests(user: User | AnonymousUser) -> QuerySet[RoleRequest]:
    """Decided role requests of the user's agencies, latest first."""
    return (
        RoleRequest.objects.visible_to(user)
        .exclude(status=RoleRequest.Status.PENDING)
        .select_related("user", "agency", "program", "requested_by", "decided_by")
        .order_by("-decided_at", "-id")
    )
