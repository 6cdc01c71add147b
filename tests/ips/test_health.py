"""The health probes: `/healthz` (alive, checks nothing) and `/readyz` (the database, Redis and
the worker's heartbeat), answered before the session, two-factor, host and HTTPS checks."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from config.celery import app
from ips.health import LOG_EVERY_SECONDS, record_heartbeat
from ips.models import User, WorkerHeartbeat
from ips.tasks import worker_heartbeat_task
from tests.conftest import RedisOutage, point_broker
from tests.helpers import dead_redis_url
from tests.outcomes.reports_helpers import eager_celery

ALL_OK = {"status": "ok", "checks": {"database": "ok", "redis": "ok", "worker": "ok"}}


def _failing(*names: str) -> dict[str, object]:
    checks = {name: "failing" if name in names else "ok" for name in ALL_OK["checks"]}  # type: ignore[union-attr]
    return {"status": "unavailable", "checks": checks}


def _beat(minutes_ago: float) -> None:
    WorkerHeartbeat.objects.update_or_create(
        pk=1, defaults={"beat_at": timezone.now() - dt.timedelta(minutes=minutes_ago)}
    )


# --- /healthz ------------------------------------------------------------------------------------


def test_healthz_answers_ok_with_redis_down_and_without_touching_the_database(
    client: Client, redis_down: RedisOutage
) -> None:
    """No `django_db` mark: any database access (a session, a user) would raise here."""
    client.cookies["sessionid"] = "a-session-the-probe-must-not-read"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert reverse("healthz") == "/healthz"


def test_probes_over_plain_http_by_address_are_neither_redirected_nor_refused(
    client: Client, settings: Settings
) -> None:
    """A load balancer probes http://10.0.0.5:8000/healthz: no HTTPS redirect, no host check."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["ips.example.org"]

    probe = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    page = client.get("/accounts/login/", HTTP_HOST="ips.example.org")

    assert probe.status_code == 200
    assert (page.status_code, page["Location"]) == (301, "https://ips.example.org/accounts/login/")


def test_probes_answer_get_only(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


# --- /readyz -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_is_ok_when_the_database_redis_and_a_recent_heartbeat_are(client: Client) -> None:
    _beat(minutes_ago=1)

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == ALL_OK
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_names_redis_when_it_is_down(client: Client, redis_down: RedisOutage) -> None:
    _beat(minutes_ago=1)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == _failing("redis")


@pytest.mark.django_db
def test_readyz_names_redis_when_only_the_broker_is_down(client: Client) -> None:
    _beat(minutes_ago=1)
    before = (app.conf.broker_url, app.conf.result_backend)
    point_broker(app, dead_redis_url())
    try:
        response = client.get("/readyz")
    finally:
        point_broker(app, *before)

    assert response.status_code == 503
    assert response.json() == _failing("redis")


@pytest.mark.django_db
def test_readyz_gives_up_on_a_hung_redis_within_seconds(client: Client, settings: Settings) -> None:
    _beat(minutes_ago=1)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)  # connections queue up, never accepted, never answered
        host, port = hung.getsockname()
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "LOCATION": f"redis://{host}:{port}/0"},
        }
        started = time.monotonic()

        response = client.get("/readyz")

        assert time.monotonic() - started < 5
    assert response.json() == _failing("redis")


@pytest.mark.django_db
def test_readyz_names_the_worker_when_its_heartbeat_is_stale_or_missing(
    client: Client, settings: Settings
) -> None:
    assert client.get("/readyz").json() == _failing("worker")  # never beaten

    _beat(minutes_ago=settings.WORKER_HEARTBEAT_MAX_AGE_MINUTES + 1)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == _failing("worker")

    settings.WORKER_HEARTBEAT_MAX_AGE_MINUTES += 5  # the setting is what counts
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_names_the_database_when_it_cannot_be_queried(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _beat(minutes_ago=1)

    def down(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", down)
    response = client.get("/readyz")

    assert response.status_code == 503
    # The heartbeat is read from the database too.
    assert response.json() == _failing("database", "worker")


@pytest.mark.django_db
def test_the_heartbeat_task_makes_readyz_ok(client: Client) -> None:
    _beat(minutes_ago=60)
    assert client.get("/readyz").status_code == 503

    worker_heartbeat_task.apply()

    assert client.get("/readyz").status_code == 200
    beat_at = WorkerHeartbeat.objects.get().beat_at
    assert timezone.now() - beat_at < dt.timedelta(seconds=10)


@pytest.mark.django_db
def test_with_eager_tasks_there_is_no_broker_or_worker_to_check(
    client: Client, settings: Settings
) -> None:
    """The SQLite fallback of `make run`: no Redis, tasks in the web process."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.SESSION_CACHE_ALIAS = "default"

    with eager_celery():
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_readyz_answers_logged_in_staff_the_same_and_reads_no_session(
    client: Client, specialist: User, django_assert_num_queries
) -> None:
    record_heartbeat()
    client.force_login(specialist, backend="ips.authentication.UserBackend")

    with django_assert_num_queries(2):  # SELECT 1, and the heartbeat; no session, no user
        response = client.get("/readyz")

    assert response.json() == ALL_OK


@pytest.mark.django_db
def test_a_failing_readyz_is_logged_once_a_minute_not_on_every_probe(
    client: Client, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr("ips.health.time.monotonic", lambda: clock[0])
    monkeypatch.setattr("ips.health._not_ready_logged", [float("-inf")])

    for _ in range(3):
        assert client.get("/readyz").status_code == 503  # no heartbeat
    clock[0] += LOG_EVERY_SECONDS
    client.get("/readyz")

    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ips.health", "WARNING", "Not ready: worker failing"),
        ("ips.health", "WARNING", "Not ready: worker failing"),
    ]
