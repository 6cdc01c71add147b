"""The navigation bar, rendered once per kind of user and kept.

The bar (`templates/_nav.html`) depends on nothing but the kinds of role the user holds, whether
they are logged in and the script prefix; its twenty-odd `{% url %}` tags cost about a millisecond
on every page. It is rendered once per such key with stand-ins for the two things that differ
from one request to the next (the user's name and the CSRF token), which are put in place for
each request.
"""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ips.models import Role

register = template.Library()

# Stand-ins: letters only, so that escaping leaves them as they are.
USER_MARK = "ipsNavigationUserStandIn"
CSRF_MARK = "ipsNavigationCsrfStandIn"


class _StandInUser:
    is_authenticated = True

    def __str__(self) -> str:
        return USER_MARK


@register.simple_tag(takes_context=True)
def navigation(context: template.Context) -> SafeString:
    """The navigation bar for the user of `context` (`{% navigation %}` in base.html)."""
    user = context.get("user")
    logged_in = bool(user is not None and user.is_authenticated)
    roles = frozenset(context.get("nav_roles") or ())
    key = (roles, bool(context.get("nav_clients")), logged_in, get_script_prefix())
    token = context.get("csrf_token")
    if settings.DEBUG or not token:  # a template being edited; a page rendered with no request
        return mark_safe(get_template("_nav.html").render(context.flatten()))  # noqa: S308
    bar = _render(*key)
    if not logged_in:
        return mark_safe(bar)  # noqa: S308 (rendered by the template engine, escaped there)
    return mark_safe(  # noqa: S308 (the name is escaped; the token is the middleware's)
        bar.replace(USER_MARK, escape(str(user))).replace(CSRF_MARK, str(token))
    )


# Kept between requests on purpose: the key holds role kinds only, and the value holds no user,
# no token and no record (stand-ins for the name and the token), so it serves everyone with the
# same kinds of role alike. Sixty-four keys cover every combination of the five roles twice.
@functools.lru_cache(maxsize=128)
def _render(roles: frozenset[str], clients: bool, logged_in: bool, script_prefix: str) -> str:
    context: dict[str, Any] = {
        "user": _StandInUser() if logged_in else None,
        "nav_roles": roles,
        "nav_clients": clients,
        "Role": Role,
        "csrf_token": CSRF_MARK,
    }
    return get_template("_nav.html").render(context)
