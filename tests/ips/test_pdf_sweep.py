"""The sweep (`ips.pdf.pdf_sweep`, beat every two minutes): stored PDFs whose task may have been
lost are sent again without anyone asking, for every kind of stored PDF; a row whose runs keep
being interrupted is given up on. And the tasks' delivery settings and beat entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from fidelity.models import Review, ReviewReport
from fidelity.tasks import review_report_task
from ips.models import Agency, Program, User
from ips.pdf import MAX_ATTEMPTS, RESEND_AFTER, STALE_AFTER, WAITING_AFTER, pdf_sweep
from ips.tasks import pdf_sweep_task, worker_heartbeat_task
from outcomes.models import OutcomeReport
from outcomes.reports import services as report_services
from outcomes.tasks import (
    outcome_rollup_closed_task,
    outcome_rollup_open_task,
    outcome_rollup_task,
    report_generate_task,
)
from tests.factories import MinimumWageFactory
from tests.fidelity.factories import outside_reviewer, plan_review
from tests.outcomes.reports_helpers import eager_celery

pytestmark = pytest.mark.django_db

S = OutcomeReport.Status


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, tuple[int, ...]]]]:
    """What is sent to the broker (name and arguments), instead of sending it."""
    messages: list[tuple[str, tuple[int, ...]]] = []
    monkeypatch.setattr(
        app, "send_task", lambda name, args, *a, **kw: messages.append((name, tuple(args)))
    )
    return messages


def _report(agency: Agency, program: Program, **fields: object) -> OutcomeReport:
    fields = {"requested_at": timezone.now(), **fields}
    return OutcomeReport.objects.create(
        agency=agency, program=program, period="2025-Q1", kind="quarter", **fields
    )


def _ago(delta: dt.timedelta, seconds: int = 1) -> dt.datetime:
    return timezone.now() - delta - dt.timedelta(seconds=seconds)


def _sweep(django_capture_on_commit_callbacks) -> dict[str, int]:
    with django_capture_on_commit_callbacks(execute=True):
        return pdf_sweep()


def test_a_stuck_running_row_is_queued_again_and_made(
    agency: Agency, program: Program, sent: list, django_capture_on_commit_callbacks
) -> None:
    """Its worker was killed mid-run: nobody asks again, the sweep sends it."""
    stuck = _report(agency, program, status=S.RUNNING, started_at=_ago(STALE_AFTER), attempts=1)

    counts = _sweep(django_capture_on_commit_callbacks)

    assert counts["outcomes.OutcomeReport"] == 1
    assert sent == [(OutcomeReport.render_task, (stuck.pk,))]
    stuck.refresh_from_db()
    assert stuck.status == S.PENDING
    assert stuck.requested_at > timezone.now() - dt.timedelta(minutes=1)

    report_generate_task(stuck.pk)  # the worker runs what was sent

    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (S.DONE, 2)
    assert stuck.file.read().startswith(b"%PDF")


def test_rows_not_yet_overdue_are_left_alone(
    agency: Agency,
    program: Program,
    other_program: Program,
    sent: list,
    django_capture_on_commit_callbacks,
) -> None:
    running = _report(
        agency, program, status=S.RUNNING, started_at=timezone.now() - STALE_AFTER / 2
    )
    queued = _report(agency, other_program, requested_at=timezone.now() - RESEND_AFTER / 2)
    before = {row.pk: (row.status, row.requested_at) for row in (running, queued)}

    assert _sweep(django_capture_on_commit_callbacks)["outcomes.OutcomeReport"] == 0

    assert sent == []
    after = {
        row.pk: (row.status, row.requested_at)
        for row in OutcomeReport.objects.filter(pk__in=before)
    }
    assert after == before


def test_a_row_queued_too_long_is_sent_again_once_per_wait(
    agency: Agency, program: Program, sent: list, django_capture_on_commit_callbacks
) -> None:
    """Its message may never have reached the broker. Sent again, it waits as long again before
    the next sweep sends it once more: no flood of duplicates while the worker is busy."""
    lost = _report(agency, program, requested_at=_ago(RESEND_AFTER))

    _sweep(django_capture_on_commit_callbacks)
    _sweep(django_capture_on_commit_callbacks)

    assert sent == [(OutcomeReport.render_task, (lost.pk,))]
    lost.refresh_from_db()
    assert lost.status == S.PENDING


def test_a_row_whose_runs_keep_being_interrupted_is_given_up_and_can_be_asked_again(
    agency: Agency,
    program: Program,
    director: User,
    sent: list,
    django_capture_on_commit_callbacks,
) -> None:
    """A PDF that kills its worker (out of memory) must not be tried forever."""
    MinimumWageFactory(program=program)
    doomed = _report(
        agency, program, status=S.RUNNING, started_at=_ago(STALE_AFTER), attempts=MAX_ATTEMPTS
    )

    assert _sweep(django_capture_on_commit_callbacks)["outcomes.OutcomeReport"] == 0

    assert sent == []
    doomed.refresh_from_db()
    assert doomed.status == S.FAILED
    assert doomed.error == f"Generating was interrupted {MAX_ATTEMPTS} times."

    with django_capture_on_commit_callbacks(execute=True):
        again, queued = report_services.report_request(
            agency=agency, program=program, period_label="2025-Q1", requested_by=director
        )

    assert queued
    assert (again.status, again.attempts) == (S.PENDING, 0)
    assert sent == [(OutcomeReport.render_task, (doomed.pk,))]


def test_every_kind_of_stored_pdf_is_swept(
    agency: Agency,
    program: Program,
    reviewer: User,
    sent: list,
    django_capture_on_commit_callbacks,
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=outside_reviewer(program))
    Review.objects.filter(pk=review.pk).update(status=Review.Status.FINAL)
    lost = ReviewReport.objects.create(review=review, requested_at=_ago(RESEND_AFTER))

    counts = _sweep(django_capture_on_commit_callbacks)

    assert counts == {"fidelity.ReviewReport": 1, "outcomes.OutcomeReport": 0}
    assert sent == [(ReviewReport.render_task, (lost.pk,))]


def test_the_sweep_task_sends_through_the_broker_or_runs_eagerly(
    agency: Agency, program: Program, django_capture_on_commit_callbacks
) -> None:
    lost = _report(agency, program, requested_at=_ago(RESEND_AFTER))

    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        pdf_sweep_task.apply()

    lost.refresh_from_db()
    assert lost.status == S.DONE


def test_a_row_waits_for_the_worker_once_queued_longer_than_a_pdf_takes(
    agency: Agency, program: Program
) -> None:
    fresh = _report(agency, program)
    assert not fresh.waiting_for_worker
    assert fresh.in_progress

    fresh.requested_at = _ago(WAITING_AFTER)
    assert fresh.waiting_for_worker
    fresh.status = S.RUNNING
    assert not fresh.waiting_for_worker


# --- Delivery and schedule ----------------------------------------------------------------------


def test_report_tasks_are_given_back_when_their_worker_dies_and_roll_ups_are_not() -> None:
    for task in (report_generate_task, review_report_task):
        assert (task.acks_late, task.reject_on_worker_lost, task.ignore_result) == (
            True,
            True,
            True,
        )
    for task in (outcome_rollup_task, outcome_rollup_closed_task, outcome_rollup_open_task):
        assert task.acks_late is True
        assert not task.reject_on_worker_lost


def test_beat_sends_the_heartbeat_every_minute_and_the_sweep_every_two_and_both_expire() -> None:
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE

    heartbeat, sweep = schedule["ips-worker-heartbeat"], schedule["ips-pdf-sweep"]

    assert heartbeat["task"] == worker_heartbeat_task.name
    assert sweep["task"] == pdf_sweep_task.name
    assert {heartbeat["task"], sweep["task"]} <= set(app.tasks)
    assert heartbeat["schedule"] == 60
    assert sweep["schedule"] == 120
    assert 0 < heartbeat["options"]["expires"] < heartbeat["schedule"]
    assert 0 < sweep["options"]["expires"] < sweep["schedule"]
    for task in (worker_heartbeat_task, pdf_sweep_task):
        assert (task.acks_late, task.ignore_result) == (True, True)
