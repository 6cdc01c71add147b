"""Health probes: `/healthz` (the process answers) and `/readyz` (what it depends on answers).

- `/healthz` checks nothing: 200 `{"status": "ok"}` whenever the process serves requests. It is
  the container's liveness check: the site works without Redis and without a worker, so neither
  being down is a reason to restart web.
- `/readyz` checks the database (a trivial query), Redis (PING with a one-second timeout, the
  broker and the cache) and the worker (a heartbeat recorded in the database by
  `ips.tasks.worker_heartbeat_task` within `WORKER_HEARTBEAT_MAX_AGE_MINUTES`). 200 when every
  check is "ok", 503 otherwise; the body names each check and says "ok" or "failing", and
  nothing else. With eager tasks (the SQLite fallback of `make run`) there is no broker or
  worker to check.

Both answer before the session, authentication, two-factor, CSRF and allowed-host checks run
(`HealthProbeMiddleware`, placed right after SecurityMiddleware, whose HTTPS redirect exempts
them through SECURE_REDIRECT_EXEMPT): a load balancer or container runtime probes over plain
HTTP, by address, without a cookie. They never read a session or a record.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

import redis
from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from ips.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 1
HEARTBEAT_PK = 1
# A failing /readyz is logged at most this often (a load balancer asks every few seconds).
LOG_EVERY_SECONDS = 60


# --- The worker's heartbeat --------------------------------------------------------------------


def record_heartbeat() -> None:
    """Note that a worker is running tasks now (the heartbeat task)."""
    WorkerHeartbeat.objects.update_or_create(pk=HEARTBEAT_PK, defaults={"beat_at": timezone.now()})


def last_heartbeat() -> dt.datetime | None:
    return WorkerHeartbeat.objects.filter(pk=HEARTBEAT_PK).values_list("beat_at", flat=True).first()


# --- The checks ---------------------------------------------------------------------------------


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _redis_urls() -> list[str]:
    """The Redis servers in use: the broker (unless tasks run eagerly) and the cache."""
    urls = [
        str(config["LOCATION"])
        for config in settings.CACHES.values()
        if config["BACKEND"].endswith("RedisCache")
    ]
    if not current_app.conf.task_always_eager:
        urls.append(str(current_app.conf.broker_url))
    return sorted({url for url in urls if url.startswith(("redis://", "rediss://"))})


def check_redis() -> bool:
    for url in _redis_urls():
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        except redis.RedisError:
            return False
        finally:
            client.close()
    return True


def check_worker() -> bool:
    try:
        beat_at = last_heartbeat()
    except DatabaseError:
        return False
    max_age = dt.timedelta(minutes=settings.WORKER_HEARTBEAT_MAX_AGE_MINUTES)
    return beat_at is not None and beat_at > timezone.now() - max_age


def readiness_checks() -> dict[str, Callable[[], bool]]:
    """The checks `/readyz` runs, by name."""
    checks: dict[str, Callable[[], bool]] = {"database": check_database}
    if _redis_urls():
        checks["redis"] = check_redis
    if not current_app.conf.task_always_eager:
        checks["worker"] = check_worker
    return checks


# --- The views ----------------------------------------------------------------------------------


def _answer(request: HttpRequest, body: dict[str, object], status: int) -> HttpResponse:
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive: no dependency is checked."""
    return _answer(request, {"status": "ok"}, 200)


def readyz(request: HttpRequest) -> HttpResponse:
    """Each dependency and whether it answers; 503 naming the failing ones."""
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    results = {name: "ok" if check() else "failing" for name, check in readiness_checks().items()}
    failing = [name for name, result in results.items() if result != "ok"]
    body = {"status": "unavailable" if failing else "ok", "checks": results}
    response = _answer(request, body, 503 if failing else 200)
    if failing:
        _log_not_ready(failing)
        # Logged here, once a minute, instead of by django.request at ERROR on every probe.
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


_not_ready_logged = [float("-inf")]
_not_ready_lock = threading.Lock()


def _log_not_ready(failing: list[str]) -> None:
    now = time.monotonic()
    with _not_ready_lock:
        if now - _not_ready_logged[0] < LOG_EVERY_SECONDS:
            return
        _not_ready_logged[0] = now
    logger.warning("Not ready: %s failing", ", ".join(failing))


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}


class HealthProbeMiddleware:
    """Answer `/healthz` and `/readyz` before any other middleware but SecurityMiddleware: no
    session, login, two-factor, CSRF or allowed-host check applies to them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        return probe(request)
