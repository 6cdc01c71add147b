"""config/settings.py: junk environment values stop start-up loudly; a production env starts."""

from __future__ import annotations

import os
import re
import runpy
import string
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from ips.models import User
from tests.helpers import process_environ

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = REPO_ROOT / "config" / "settings.py"

# Every variable the settings read (from .env.example), set explicitly so that a developer's
# .env cannot fill the gaps; the values are a plausible production deployment.
SETTINGS_VARIABLES = re.findall(
    r"^([A-Z_]+)=", (REPO_ROOT / ".env.example").read_text(), flags=re.MULTILINE
)
PRODUCTION_ENV = {
    **dict.fromkeys(SETTINGS_VARIABLES, ""),
    "DEBUG": "false",
    "SECRET_KEY": (string.ascii_letters + string.digits)[:60],
    "ALLOWED_HOSTS": "ips.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://ips.example.org",
    "DATABASE_URL": "postgres://ips:ips@db:5432/ips",
    "REDIS_URL": "redis://redis:6379/0",
    "TIME_ZONE": "America/New_York",
    "LOG_LEVEL": "INFO",
    "ADMIN_URL": "operators/",
}

SHOW_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
)


def start(code: str = SHOW_SETTINGS, **overrides: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh interpreter, as `manage.py` would, with `overrides`."""
    env = {
        **process_environ(),
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **overrides,
    }
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@contextmanager
def environment(**overrides: str) -> Iterator[None]:
    """The production environment with `overrides`, in this process, restored afterwards."""
    saved = dict(os.environ)
    os.environ.update({**PRODUCTION_ENV, **overrides})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def load_settings(**overrides: str) -> dict[str, Any]:
    """The settings module run in this process, in a fresh namespace as an interpreter starting
    would, under `environment(**overrides)`: what it defines. Start-up itself, in a fresh
    interpreter, is `start` above."""
    with environment(**overrides):
        return runpy.run_path(str(SETTINGS_FILE), run_name="settings_under_test")


def settings_refusal(**overrides: str) -> ImproperlyConfigured:
    """The refusal that loading the settings with `overrides` raises: all that a junk value
    needs to stop start-up."""
    try:
        load_settings(**overrides)
    except ImproperlyConfigured as refusal:
        return refusal
    pytest.fail(f"the settings loaded with {overrides}")


def test_every_variable_the_settings_read_is_listed_in_env_example() -> None:
    source = (REPO_ROOT / "config" / "settings.py").read_text()
    helpers = r"env(?:_bool|_int|_url|_rate|\.str|\.list|\.db_url)"
    read = set(re.findall(helpers + r"\(\s*\"([A-Z_]+)\"", source))

    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "SESSION_IDLE_MINUTES"} <= read
    assert {"API_THROTTLE_USER", "TRUSTED_PROXY_COUNT", "LOGIN_ADDRESS_FAILURE_LIMIT"} <= read
    assert read - set(SETTINGS_VARIABLES) == set()


def test_a_valid_production_environment_starts_with_security_on() -> None:
    result = start()

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "31536000"]


def limits(**overrides: str) -> list[object]:
    s = load_settings(**overrides)
    return [
        s["API_THROTTLE_RATES"]["user"],
        s["API_THROTTLE_RATES"]["anon"],
        s["LOGIN_ADDRESS_FAILURE_LIMIT"],
        s["AXES_FAILURE_LIMIT"],
        s["TRUSTED_PROXY_COUNT"],
        s["AXES_LOCKOUT_PARAMETERS"],
    ]


def test_login_and_api_limits_default_and_come_from_the_environment() -> None:
    lockout = [["username", "ip_address"]]
    assert limits() == ["300/minute", "60/minute", 50, 5, 0, lockout]

    assert limits(
        API_THROTTLE_USER="20/second",
        API_THROTTLE_ANON="10/hour",
        LOGIN_ADDRESS_FAILURE_LIMIT="30",
        TRUSTED_PROXY_COUNT="1",
    ) == ["20/second", "10/hour", 30, 5, 1, lockout]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "Flase"}, "DEBUG must be true or false"),
        ({"SESSION_IDLE_MINUTES": "abc"}, "SESSION_IDLE_MINUTES must be a whole number"),
        ({"SESSION_MAX_HOURS": "0"}, "SESSION_MAX_HOURS must be at least 1"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL must be a URL with scheme redis, rediss"),
        ({"DATABASE_URL": "mysql://ips:ips@db:3306/ips"}, "DATABASE_URL must be a postgres"),
        ({"DEBUG": "false", "SECRET_KEY": ""}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY must be at least 50 characters"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must name at least one host"),
        ({"CSRF_TRUSTED_ORIGINS": "ips.example.org"}, "CSRF_TRUSTED_ORIGINS entries"),
        ({"TIME_ZONE": "Mars/Olympus_Mons"}, "TIME_ZONE must be an IANA time zone"),
        ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL must be redis"),
        ({"SECURE_SSL_REDIRECT": "maybe"}, "SECURE_SSL_REDIRECT must be true or false"),
        ({"DB_PREPARED_STATEMENTS": "sometimes"}, "DB_PREPARED_STATEMENTS must be true or false"),
        ({"API_TOKEN_DAYS": "0"}, "API_TOKEN_DAYS must be at least 1"),
        ({"API_THROTTLE_USER": "300"}, "API_THROTTLE_USER must be a rate such as 300/minute"),
        ({"API_THROTTLE_ANON": "0/minute"}, "API_THROTTLE_ANON must be a rate"),
        ({"API_THROTTLE_USER": "5/fortnight"}, "API_THROTTLE_USER must be a rate"),
        ({"EMAIL_URL": "mail.example.org"}, "EMAIL_URL must be an e-mail URL"),
        ({"TRUSTED_PROXY_COUNT": "yes"}, "TRUSTED_PROXY_COUNT must be a whole number"),
        ({"LOGIN_ADDRESS_FAILURE_LIMIT": "0"}, "LOGIN_ADDRESS_FAILURE_LIMIT must be at least 1"),
    ],
)
def test_junk_values_stop_start_up(overrides: dict[str, str], message: str) -> None:
    assert message in str(settings_refusal(**overrides))


def test_a_junk_value_stops_a_fresh_interpreter_too() -> None:
    result = start(SESSION_MAX_HOURS="0")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SESSION_MAX_HOURS must be at least 1" in result.stderr


OLD_KEY = "a-key-of-the-past-" + "x" * 40
NEW_KEY = "the-new-key-" + "y" * 40


@pytest.mark.django_db
def test_rotating_the_secret_key_keeps_sessions_while_the_old_key_is_a_fallback(
    settings: Settings, specialist: User, login_as: Callable[[User], Client]
) -> None:
    settings.SECRET_KEY = OLD_KEY
    browser = login_as(specialist)
    assert browser.get(reverse("home")).status_code == 200

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert browser.get(reverse("home")).status_code == 200
    # That request signed the session again with the new key: the fallback can go.
    settings.SECRET_KEY_FALLBACKS = []
    assert browser.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_a_new_secret_key_without_the_old_one_as_fallback_signs_everyone_out(
    settings: Settings, specialist: User, login_as: Callable[[User], Client]
) -> None:
    settings.SECRET_KEY = OLD_KEY
    browser = login_as(specialist)

    settings.SECRET_KEY = NEW_KEY

    assert browser.get(reverse("home")).status_code == 302
