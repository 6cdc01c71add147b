from typing import Any

from django.http import HttpRequest

from ips import access
from ips.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The role kinds of the current user, for role-aware navigation (one query per request)."""
    user = getattr(request, "user", None)
    roles = access.roles_of(user) if user is not None else frozenset()
    client_roles = access.RULES[access.Capability.VIEW_CLIENTS]
    return {"nav_roles": roles, "nav_clients": bool(roles & client_roles), "Role": Role}
