"""Idle and absolute session limits (ips.middleware.SessionLimitsMiddleware)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from ips.models import User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def _is_login_redirect(response: object) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_idle_session_is_logged_out(
    client: Client, login_as: Callable[[User], Client], specialist: User
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        login_as(specialist)
        assert client.get(reverse("home")).status_code == 200

        clock.shift(_minutes(settings.SESSION_IDLE_MINUTES + 1))
        response = client.get(reverse("program_list"))

        assert _is_login_redirect(response)
        assert "next=" in response["Location"]
        login_page = client.get(response["Location"]).content.decode()
        assert "logged out after a period of inactivity" in login_page
        # Logged out for good: coming back at once still finds no session.
        assert _is_login_redirect(client.get(reverse("home")))


def test_use_within_the_idle_window_keeps_the_session(
    client: Client, login_as: Callable[[User], Client], specialist: User
) -> None:
    step = _minutes(settings.SESSION_IDLE_MINUTES - 1)
    with time_machine.travel(START, tick=False) as clock:
        login_as(specialist)
        for _ in range(3):  # well past one idle period in total, never idle for one
            clock.shift(step)
            assert client.get(reverse("home")).status_code == 200


def test_absolute_limit_logs_out_an_active_session(
    client: Client, login_as: Callable[[User], Client], specialist: User, settings: Settings
) -> None:
    settings.SESSION_MAX_HOURS = 1
    step = _minutes(10)  # well within the idle limit
    assert step < _minutes(settings.SESSION_IDLE_MINUTES)
    with time_machine.travel(START, tick=False) as clock:
        login_as(specialist)
        for _ in range(5):  # active every ten minutes, up to 50 minutes in
            clock.shift(step)
            assert client.get(reverse("home")).status_code == 200

        clock.shift(_minutes(11))  # still active, but the session is now 61 minutes old
        response = client.get(reverse("home"))

    assert _is_login_redirect(response)


def test_idle_htmx_request_gets_hx_redirect(
    client: Client, login_as: Callable[[User], Client], specialist: User
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        login_as(specialist)
        clock.shift(_minutes(settings.SESSION_IDLE_MINUTES + 1))
        response = client.get(reverse("program_list"), headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert "Location" not in response


def test_fresh_login_through_the_form_starts_the_clock(client: Client, specialist: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        response = client.post(
            reverse("login"), {"username": specialist.username, "password": TEST_PASSWORD}
        )
        assert response.status_code == 302
        clock.shift(_minutes(settings.SESSION_IDLE_MINUTES - 1))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(_minutes(settings.SESSION_IDLE_MINUTES + 1))
        assert _is_login_redirect(client.get(reverse("home")))


@pytest.mark.parametrize(
    ("headers", "back_to"),
    [
        # A quick log sent by htmx from a client's page: back to that page.
        (
            {"HX-Request": "true", "HX-Current-URL": "http://testserver/clients/7/?x=1"},
            "/clients/7/?x=1",
        ),
        # A form page sent without htmx: back to the page the form was on.
        ({"Referer": "http://testserver/clients/7/contacts/quick/"}, "/clients/7/contacts/quick/"),
        # Another site's page is never a destination: the address posted to instead.
        ({"Referer": "https://elsewhere.example/clients/7/"}, "/notices/read/"),
    ],
)
def test_a_form_sent_after_an_idle_logout_returns_to_its_page_after_login(
    client: Client,
    login_as: Callable[[User], Client],
    specialist: User,
    headers: dict[str, str],
    back_to: str,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        login_as(specialist)
        clock.shift(_minutes(settings.SESSION_IDLE_MINUTES + 1))
        response = client.post(reverse("notices_read"), {"note": "typed"}, headers=headers)

    location = response["HX-Redirect"] if "HX-Request" in headers else response["Location"]
    assert location == f"{reverse('login')}?{urlencode({'next': back_to})}"
