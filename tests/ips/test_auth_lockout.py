"""Login lockout (django-axes, per account and address), the per-address cap across accounts
(ips.throttle), how the client's address is read, and how an admin lifts a lockout."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import Settings

from ips import services
from ips.models import User
from ips.throttle import client_ip
from tests.conftest import RedisOutage
from tests.factories import TEST_PASSWORD
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lighthouse-ferry-orbit-42"


def _log_in(client: Client, username: str, password: str, **meta: str) -> object:
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def _is_logged_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def _must_enrol(client: Client) -> bool:
    """Logged in, and sent to enrol an authenticator first (after an admin's password reset)."""
    return client.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))


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
    assert int(refused["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
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
    assert _must_enrol(client)


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
    assert _must_enrol(client)


# --- Per account and address: a lockout is no denial of service on the owner ----------------

ELSEWHERE = {"REMOTE_ADDR": "198.51.100.7"}


def test_a_locked_account_still_logs_in_from_another_address(
    client: Client, specialist: User
) -> None:
    _lock_out(client, specialist)

    assert _log_in(client, specialist.username, TEST_PASSWORD).status_code == 429
    owner = Client()
    response = _log_in(owner, specialist.username, TEST_PASSWORD, **ELSEWHERE)
    assert response.status_code == 302
    assert _is_logged_in(owner)


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(
    client: Client, specialist: User
) -> None:
    """With no trusted proxy (TRUSTED_PROXY_COUNT=0) X-Forwarded-For is never read."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, specialist.username, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    refused = _log_in(
        client, specialist.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99"
    )

    assert refused.status_code == 429


# --- Per address, across accounts: password spraying -----------------------------------------


@pytest.fixture
def low_address_cap(settings: Settings) -> int:
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    return 3


def test_failures_across_accounts_from_one_address_pause_logins_from_it(
    client: Client, low_address_cap: int, specialist: User, supervisor: User
) -> None:
    for n in range(low_address_cap):
        response = _log_in(client, f"no-such-user-{n}", "Spring2026!")
        assert response.status_code == 200

    refused = _log_in(client, specialist.username, TEST_PASSWORD)

    assert refused.status_code == 429
    assert "Too many failed logins came from your network" in refused.content.decode()
    assert int(refused["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert not _is_logged_in(client)
    # Another address is not affected, and no account was locked by the spraying.
    other = Client()
    assert _log_in(other, supervisor.username, TEST_PASSWORD, **ELSEWHERE).status_code == 302


def test_an_ipv6_network_counts_as_one_address(
    client: Client, low_address_cap: int, specialist: User
) -> None:
    for n in range(low_address_cap):
        _log_in(client, f"no-such-user-{n}", "wrong", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")

    refused = _log_in(client, specialist.username, TEST_PASSWORD, REMOTE_ADDR="2001:db8:1:2::ff")
    other_network = _log_in(
        Client(), specialist.username, TEST_PASSWORD, REMOTE_ADDR="2001:db8:1:3::1"
    )

    assert refused.status_code == 429
    assert other_network.status_code == 302


def test_with_redis_down_the_address_cap_lapses_but_the_account_lockout_holds(
    client: Client, low_address_cap: int, redis_down: RedisOutage, specialist: User
) -> None:
    """The per-address count lives in the cache, which answers empty while Redis is down; the
    account-and-address lockout is counted in the database."""
    for n in range(low_address_cap + 1):
        assert _log_in(client, f"no-such-user-{n}", "wrong").status_code == 200

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, specialist.username, "wrong")

    refused = _log_in(client, specialist.username, TEST_PASSWORD)
    assert refused.status_code == 429
    assert "Account locked" in refused.content.decode()


# --- The client's address ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "203.0.113.5", "192.0.2.1"),
        (1, "", "192.0.2.1"),
        (1, "203.0.113.5", "203.0.113.5"),
        # What the client wrote itself comes first and is never read.
        (1, "10.0.0.1, 6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, "not-an-address", "192.0.2.1"),
    ],
)
def test_client_ip_trusts_x_forwarded_for_only_behind_the_proxies(
    settings: Settings, proxies: int, forwarded: str, address: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == address


def test_behind_a_proxy_lockouts_count_the_forwarded_address(
    settings: Settings, client: Client, specialist: User
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, specialist.username, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)

    locked = _log_in(
        client, specialist.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy
    )
    # The owner, behind the same proxy from elsewhere, logs in.
    owner = _log_in(
        Client(), specialist.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy
    )

    assert locked.status_code == 429
    assert owner.status_code == 302
