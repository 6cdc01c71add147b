"""Sending a task by its registered name once the transaction commits: in this process with
eager tasks (the SQLite fallback), to the broker otherwise, never before the commit."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import shared_task

from config.celery import app
from ips.queue import BROKER, broker_unavailable, send_on_commit
from tests.conftest import RedisOutage, point_broker
from tests.helpers import process_environ
from tests.outcomes.reports_helpers import eager_celery

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]
CALLS: list[tuple[int, ...]] = []


@shared_task(name="tests.ips.record_call")
def record_call(*ids: int) -> None:
    CALLS.append(ids)


@pytest.fixture(autouse=True)
def _no_calls() -> None:
    CALLS.clear()


def test_with_eager_tasks_the_task_runs_in_this_process_once_committed(
    django_capture_on_commit_callbacks,
) -> None:
    with eager_celery(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_on_commit("tests.ips.record_call", 7, 8)
        assert CALLS == []  # not before the commit

    assert len(callbacks) == 1
    assert CALLS == [(7, 8)]


def test_without_eager_tasks_the_task_goes_to_the_broker_by_name(
    django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, tuple[int, ...]]] = []
    monkeypatch.setattr(app, "send_task", lambda name, args, *a, **kw: sent.append((name, args)))

    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("tests.ips.record_call", 7)

    assert sent == [("tests.ips.record_call", (7,))]
    assert CALLS == []


def test_a_name_no_task_has_fails_at_once_inside_the_transaction(
    django_capture_on_commit_callbacks,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(KeyError),
    ):
        send_on_commit("outcomes.tasks.no_such_task", 1)

    assert callbacks == []


def test_a_web_process_that_imported_no_task_module_finds_the_tasks_by_name() -> None:
    """What `make run` does with eager tasks: the web process never imports `tasks` modules."""
    script = (
        "import sys, django; django.setup(); "
        "from ips.queue import registered_task; "
        "assert 'fidelity.tasks' not in sys.modules; "
        "print(registered_task('fidelity.tasks.review_report_task').name, "
        "registered_task('outcomes.tasks.report_generate_task').name)"
    )
    result = subprocess.run(  # noqa: S603 (a fixed command line)
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env={**process_environ(), "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "fidelity.tasks.review_report_task",
        "outcomes.tasks.report_generate_task",
    ]


# --- The broker down ----------------------------------------------------------------------------


def test_with_the_broker_down_sending_fails_quietly_and_is_logged_once(
    django_capture_on_commit_callbacks, redis_down: RedisOutage, caplog: pytest.LogCaptureFixture
) -> None:
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("tests.ips.record_call", 7)
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("tests.ips.record_call", 8)  # not tried: the broker is known to be down

    assert time.monotonic() - started < 5
    assert broker_unavailable()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [
        "Celery broker unavailable (OperationalError) for 0 s; carrying on without it"
    ]
    assert CALLS == []


def test_a_hung_broker_costs_a_send_seconds_not_minutes(
    django_capture_on_commit_callbacks, redis_down: RedisOutage
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)  # connections queue up, never accepted, never answered
        host, port = hung.getsockname()
        point_broker(app, f"redis://{host}:{port}/0")
        started = time.monotonic()

        with django_capture_on_commit_callbacks(execute=True):
            send_on_commit("tests.ips.record_call", 7)

        assert time.monotonic() - started < 15
    assert broker_unavailable()


def test_once_the_broker_is_back_sending_resumes_after_half_a_minute(
    django_capture_on_commit_callbacks, redis_down: RedisOutage, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr("ips.outage.time.monotonic", lambda: clock[0])
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("tests.ips.record_call", 7)
    assert broker_unavailable()
    redis_down.end(forget_outages=False)
    sent: list[tuple[str, tuple[int, ...]]] = []
    monkeypatch.setattr(app, "send_task", lambda name, args, *a, **kw: sent.append((name, args)))

    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("tests.ips.record_call", 8)  # within the half minute: not tried
    assert sent == []
    assert broker_unavailable()

    clock[0] += BROKER.skip_seconds
    assert not broker_unavailable()
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("tests.ips.record_call", 9)

    assert sent == [("tests.ips.record_call", (9,))]
