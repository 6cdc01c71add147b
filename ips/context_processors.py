import base64
from typing import Any

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from ips import access
from ips.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The role kinds of the current user, for role-aware navigation (one query per request)."""
    user = getattr(request, "user", None)
    roles = access.roles_of(user) if user is not None else frozenset()
    client_roles = access.RULES[access.Capability.VIEW_CLIENTS]
    return {"nav_roles": roles, "nav_clients": bool(roles & client_roles), "Role": Role}


def offline(request: HttpRequest) -> dict[str, Any]:
    """For a logged-in user, the key that encrypts their drafts and outbox on the device
    (static/js/offline.js); nothing for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"device_key": device_key(user.pk)}


def device_key(user_id: int) -> str:
    """The key (AES-256, base64) of a user's drafts and outbox on their device.

    Derived from SECRET_KEY and the user's id: the same at every login, so a draft or an outbox
    item kept over an idle logout is read again after logging in; sent only in the pages of that
    user, logged in. What a lost phone holds is unreadable without it."""
    digest = salted_hmac("ips.offline.device-key", str(user_id), algorithm="sha256").digest()
    return base64.b64encode(digest).decode()
