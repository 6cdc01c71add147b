"""The navigation bar kept per kind of user (`ips.templatetags.navigation`) is the bar the
template renders for that very user."""

from __future__ import annotations

import itertools

import pytest
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory

from ips.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLE_SETS = [
    frozenset(combo)
    for size in (0, 1, 2)
    for combo in itertools.combinations(
        [Role.SPECIALIST, Role.SUPERVISOR, Role.DIRECTOR, Role.REVIEWER, Role.ADMIN], size
    )
]


def _context(user, roles: frozenset[Role]) -> Context:
    request = RequestFactory().get("/")
    request.user = user
    return Context(
        {
            "user": user,
            "nav_roles": roles,
            "nav_clients": bool(roles & {Role.SPECIALIST, Role.SUPERVISOR, Role.DIRECTOR}),
            "Role": Role,
            "csrf_token": get_token(request),
        }
    )


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda roles: "+".join(sorted(roles)) or "none")
def test_the_kept_bar_is_the_rendered_bar(roles: frozenset[Role]) -> None:
    user = UserFactory(first_name="Ana <b>", last_name="O'Neil & Co")
    tag = Template("{% load navigation %}{% navigation %}")
    context = _context(user, roles)

    kept = tag.render(context)

    assert kept == get_template("_nav.html").render(context.flatten())
    assert "Ana &lt;b&gt;" in kept
    assert str(context["csrf_token"]) in kept


def test_two_users_with_the_same_roles_each_see_their_own_name_and_token() -> None:
    tag = Template("{% load navigation %}{% navigation %}")
    first, second = UserFactory(first_name="First"), UserFactory(first_name="Second")
    roles = frozenset({Role.SPECIALIST})
    one, two = _context(first, roles), _context(second, roles)

    shown_one, shown_two = tag.render(one), tag.render(two)

    assert "First" in shown_one
    assert "Second" not in shown_one
    assert "Second" in shown_two
    assert "First" not in shown_two
    assert str(two["csrf_token"]) in shown_two
    assert str(two["csrf_token"]) not in shown_one


def test_a_visitor_gets_the_bar_without_menus() -> None:
    from django.contrib.auth.models import AnonymousUser

    kept = Template("{% load navigation %}{% navigation %}").render(
        _context(AnonymousUser(), frozenset())
    )

    assert 'href="/"' in kept
    assert "Log out" not in kept
