"""The cache (`ips.cache.DegradingRedisCache`): an empty cache that stores nothing while Redis
cannot be reached, Redis skipped for a few seconds after a failure, the outage logged once a
minute without keys; a hung Redis costs a call its timeouts; session copies live a minute."""

from __future__ import annotations

import logging
import socket
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.fixtures import Settings

from ips.cache import LOG_EVERY_SECONDS, SKIP_SECONDS
from ips.models import User
from tests.conftest import RedisOutage
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_with_redis_down_the_cache_answers_as_an_empty_cache(redis_down: RedisOutage) -> None:
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    cache.set("k", 1)
    assert cache.add("k", 1) is False
    assert cache.get_many(["k", "j"]) == {}
    assert cache.set_many({"k": 1, "j": 2}) == ["k", "j"]
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    assert cache.touch("k") is False
    cache.delete_many(["k"])
    assert cache.get_or_set("k", 7) == 7
    with pytest.raises(ValueError, match="not in the cache"):
        cache.incr("k")


class Clock:
    """`time.monotonic` of ips.outage, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr("ips.outage.time.monotonic", fake)
    return fake


def test_while_redis_is_down_it_is_tried_every_few_seconds_and_logged_once_a_minute(
    redis_down: RedisOutage, clock: Clock, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    tried: list[str] = []
    connect = redis.Connection.connect
    monkeypatch.setattr(
        redis.Connection, "connect", lambda self: tried.append("connect") or connect(self)
    )
    with caplog.at_level(logging.INFO, logger="ips.outage"):
        for _ in range(5):
            cache.get("session-key-7f3a")  # tried once, then skipped
        clock.now += SKIP_SECONDS + 1
        cache.get("session-key-7f3a")  # tried again: still down, not logged again
        clock.now += LOG_EVERY_SECONDS
        cache.set("session-key-7f3a", 1)  # a minute on: logged again

    assert len(tried) == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert (
        warnings[0] == "Cache (Redis) unavailable (ConnectionError) for 0 s; carrying on without it"
    )
    assert warnings[1].startswith(
        f"Cache (Redis) unavailable (ConnectionError) for {SKIP_SECONDS + 1 + LOG_EVERY_SECONDS} s"
    )
    assert "session-key" not in caplog.text
    assert redis_down.dead_url.split("//")[1] not in caplog.text  # nor where Redis is


def test_once_redis_is_back_the_cache_works_again_after_the_skip_window(
    clock: Clock, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = True
    execute = redis.Redis.execute_command

    def flaky(self: redis.Redis, *args: object, **options: object) -> object:
        if down:
            raise redis.ConnectionError("Error 111 connecting")
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", flaky)
    cache.set("k", 1)  # the outage seen
    down = False

    with caplog.at_level(logging.INFO, logger="ips.outage"):
        assert cache.get("k", "skipped") == "skipped"  # within the window Redis is not asked
        clock.now += SKIP_SECONDS
        cache.set("k", 2)
        assert cache.get("k") == 2

    assert [r.getMessage() for r in caplog.records] == [
        "Cache (Redis) unavailable (ConnectionError) for 0 s; carrying on without it",
        f"Cache (Redis) available again after {SKIP_SECONDS} s",
    ]


def test_a_redis_that_hangs_costs_a_call_about_a_second(settings: Settings) -> None:
    """A Redis that accepts connections and never answers (a hung server, a dropped route):
    the connection's timeouts end the wait, and the cache answers a miss."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)  # connections queue up, never accepted, never answered
        host, port = hung.getsockname()
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "LOCATION": f"redis://{host}:{port}/0"},
        }
        started = time.monotonic()

        assert cache.get("k", "miss") == "miss"

        assert time.monotonic() - started < 5


def test_sessions_stay_in_the_cache_a_minute_at_most(client: HttpClient, specialist: User) -> None:
    response = client.post(
        reverse("login"), {"username": specialist.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302

    sessions = caches[django_settings.SESSION_CACHE_ALIAS]
    key = sessions.make_key(f"django.contrib.sessions.cached_db{client.session.session_key}")
    ttl = sessions._cache.get_client(key).ttl(key)
    assert 0 < ttl <= 60
    # The session itself lasts as long as ever: the database row and the cookie.
    assert client.session.get_expiry_age() == django_settings.SESSION_COOKIE_AGE
