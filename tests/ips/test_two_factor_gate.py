"""The two-factor gate is an allow-list: walking every URL of the project, a user who must still
enrol or verify a second factor reaches only logging in and out and the two-factor pages; every
other page sends them there, and the API answers 403."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    reverse,
)
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from django_otp.plugins.otp_totp.models import TOTPDevice

from ips.middleware import TWO_FACTOR_ALLOWED_URL_NAMES
from ips.models import Agency, User
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db

# Reached before any gate: the health probes answer in ips.health.HealthProbeMiddleware, above
# the session and the login, the same for everyone.
BEFORE_THE_GATE = {"healthz", "readyz"}
SAMPLES = ("1", "ips", "json")


def _params(pattern: RoutePattern | RegexPattern) -> dict[str, bool]:
    """The pattern's parameters, each with whether it takes a whole number."""
    if isinstance(pattern, RoutePattern):
        return {
            name: isinstance(converter, IntConverter)
            for name, converter in pattern.converters.items()
        }
    return dict.fromkeys(pattern.regex.groupindex, False)


def _routes(
    patterns: list[URLPattern | URLResolver],
    namespace: str = "",
    prefix: str = "/",
    params: dict[str, bool] | None = None,
) -> Iterator[tuple[str | None, str, dict[str, bool]]]:
    """(name or None, the route text of unnamed ones, parameters) of every URL pattern."""
    params = params or {}
    for pattern in patterns:
        here = {**params, **_params(pattern.pattern)}
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from _routes(pattern.url_patterns, inner, route, here)
        elif pattern.name is None:
            yield None, route, here
        else:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route, here


def _url(name: str | None, route: str, params: dict[str, bool]) -> str:
    """An address of the route, with sample values that its converters accept."""
    if name is None:  # the admin's unnamed redirect and catch-all: a sample for each part
        route = re.sub(r"<(?:\w+:)?\w+>", "1", route)
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
        return route.replace("^", "").replace("$", "")
    choices = [("1",) if takes_int else SAMPLES for takes_int in params.values()]
    for values in itertools.product(*choices):
        try:
            return reverse(name, kwargs=dict(zip(params, values, strict=True)))
        except NoReverseMatch:
            continue
    raise AssertionError(f"no sample address for {name}")


def every_url() -> list[tuple[str, str]]:
    """(name, address) of every URL the project answers, the Django admin's included."""
    seen: dict[str, str] = {}
    for name, route, params in _routes(get_resolver().url_patterns):
        url = _url(name, route, params)
        seen.setdefault(url, name or route)
    return [(name, url) for url, name in seen.items()]


def test_the_walk_sees_every_kind_of_url() -> None:
    names = {name for name, _ in every_url()}

    assert {"home", "password_change", "clients:caseload", "api:program-list"} <= names
    assert {"admin:index", "admin:ips_user_change"} <= names
    assert set(TWO_FACTOR_ALLOWED_URL_NAMES) <= names


@pytest.fixture
def two_factor_agency(agency: Agency) -> Agency:
    agency.requires_two_factor = True
    agency.save()
    return agency


def _walk_gated(client: Client, gate: str) -> list[str]:
    """Every URL but the allowed ones, GET and POST: what did not send the user to `gate`."""
    wrong = []
    for name, url in every_url():
        if name in TWO_FACTOR_ALLOWED_URL_NAMES or name in BEFORE_THE_GATE:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if url.startswith("/api/"):
                ok = response.status_code == 403 and response.json() == {
                    "detail": "Two-factor authentication is required."
                }
            else:
                expected = f"{reverse(gate)}?{urlencode({'next': url})}"
                ok = response.status_code == 302 and response["Location"] == expected
            if not ok:
                wrong.append(f"{method.upper()} {url} ({name}): {response.status_code}")
    return wrong


@pytest.mark.usefixtures("two_factor_agency")
def test_a_user_who_must_enrol_reaches_nothing_else(specialist: User, client: Client) -> None:
    client.force_login(specialist, backend=MODEL_BACKEND)

    assert _walk_gated(client, "two_factor_setup") == []


def test_a_user_with_a_device_must_verify_before_anything_else(
    specialist: User, client: Client
) -> None:
    TOTPDevice.objects.create(user=specialist, name="Phone", confirmed=True)
    client.force_login(specialist, backend=MODEL_BACKEND)

    assert _walk_gated(client, "two_factor_verify") == []


@pytest.mark.usefixtures("two_factor_agency")
def test_the_allowed_pages_answer(specialist: User, client: Client) -> None:
    client.force_login(specialist, backend=MODEL_BACKEND)

    assert client.get(reverse("two_factor_setup")).status_code == 200
    # No device yet: the verify page sends to enrolment itself.
    assert client.get(reverse("two_factor_verify"))["Location"] == reverse("two_factor_setup")
    # Logged in already: the login page sends home (and home, to the gate).
    assert client.get(reverse("login"))["Location"] == reverse("home")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


@pytest.mark.usefixtures("two_factor_agency")
def test_the_password_change_page_is_behind_the_gate(specialist: User, client: Client) -> None:
    client.force_login(specialist, backend=MODEL_BACKEND)

    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
