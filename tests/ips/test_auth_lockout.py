"""Login lockout (django-axes, per account) and how an admin lifts it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ips import services
from ips.models import User
from tests.factories import TEST_PASSWORD
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lighthouse-ferry-orbit-42"


def _log_in(client: Client, username: str, password: str) -> object:
    return client.post(reverse("login"), {"username": username, "password": password})


def _is_logged_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def _lock_out(client: Client, user: User) -> list[object]:
    return [_log_in(client, user.username, "wrong-password") for _ in range(6)]


def test_wrong_passwords_lock_the_account(client: Client, specialist: User) -> None:
    responses = _lock_out(client, specialist)

    limit = settings.AXES_FAILURE_LIMIT
    for before_limit in responses[: limit - 1]:
        assert before_limit.status_code == 200
        assert "Please enter a correct username and password" in before_limit.content.decode()
    for locked in responses[limit - 1 :]:
        assert locked.status_code == 429
        assert "Account locked" in locked.content.decode()

    refused = _log_in(client, specialist.username, TEST_PASSWORD)

    assert refused.status_code == 429
    assert "Account locked" in refused.content.decode()
    assert not _is_logged_in(client)


def test_lockout_is_per_account_not_per_network(
    client: Client, specialist: User, other_specialist: User
) -> None:
    _lock_out(client, specialist)

    response = _log_in(client, other_specialist.username, TEST_PASSWORD)

    assert response.status_code == 302
    assert _is_logged_in(client)


def test_a_few_typos_then_the_right_password_logs_in(client: Client, specialist: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, specialist.username, "wrong-password")

    response = _log_in(client, specialist.username, TEST_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_password_reset_by_admin_lifts_the_lockout(client: Client, specialist: User) -> None:
    _lock_out(client, specialist)

    services.user_password_reset(user=specialist, password=NEW_PASSWORD)

    assert _log_in(client, specialist.username, TEST_PASSWORD).status_code == 200  # old: wrong
    response = _log_in(client, specialist.username, NEW_PASSWORD)
    assert response.status_code == 302
    assert _is_logged_in(client)


def test_password_reset_on_the_staff_page_lifts_the_lockout(
    client: Client, specialist: User, admin: User
) -> None:
    _lock_out(client, specialist)
    admin_client = Client()
    admin_client.force_login(admin, backend=MODEL_BACKEND)

    response = admin_client.post(
        reverse("staff_password", kwargs={"pk": specialist.pk}),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert _log_in(client, specialist.username, NEW_PASSWORD).status_code == 302
    assert _is_logged_in(client)
