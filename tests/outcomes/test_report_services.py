"""Stored reports: asking, generating (Celery eager, real database), replacing, failing, retrying.

Numbers are those of the hand-computed 2025-Q1 of Harbor Works in `conftest.py`: caseload 9,
working 4 (rate 4/9 = 44.4 %), job starts 3, first job starts 1, in education 1, days to first
employer contact median 7 / mean 6.7, to first job 27 / 27, 4 current jobs averaging 21.25 h
and $16.63, 2 job endings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ips.models import User
from ips.pdf import STALE_AFTER
from outcomes.models import OutcomeReport
from outcomes.reports import services as report_services
from outcomes.tasks import report_generate_task
from tests.helpers import names_shown
from tests.outcomes.reports_helpers import eager_celery, pdf_text

pytestmark = pytest.mark.django_db

S = OutcomeReport.Status


def _request(quarter: SimpleNamespace, user: User, period: str = "2025-Q1") -> OutcomeReport:
    report, _ = report_services.report_request(
        agency=quarter.program.agency,
        program=quarter.program,
        period_label=period,
        requested_by=user,
    )
    return report


def test_requested_report_is_generated_by_the_task_with_the_headline_numbers(
    quarter: SimpleNamespace, director: User, django_capture_on_commit_callbacks
) -> None:
    with eager_celery(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = _request(quarter, director)

    assert len(callbacks) == 1  # the task is sent once the request commits
    report.refresh_from_db()
    assert report.status == S.DONE
    assert report.kind == "quarter"
    assert report.finished_at is not None
    data = report.file.read()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Quarterly outcome report: Harbor Works" in text
    assert "Caseload (clients served) 9" in text
    assert "Working in a competitive job 4" in text
    assert "Competitive employment rate 44.4 %" in text
    assert "Job starts 3" in text
    assert "First job starts 1" in text
    assert "In education or training 1" in text
    assert "(median / mean) 7.0 / 5.7" in text
    assert "(median / mean) 27.0 / 25.3" in text
    assert "Average hours per week of those jobs 21.25" in text
    assert "Average hourly wage of those jobs $16.63" in text
    assert "Job endings 1" in text
    assert "by reason: Quit 1" in text
    assert "benchmark 40 %) 42.9 %" in text
    assert "Closures 2" in text
    assert "by reason: Moved away 2" in text
    assert "Definitions used" in text


def test_asking_again_while_queued_sends_nothing_more(
    quarter: SimpleNamespace, director: User, supervisor: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, queued_first = report_services.report_request(
            agency=quarter.program.agency,
            program=quarter.program,
            period_label="2025-Q1",
            requested_by=director,
        )
        second, queued_second = report_services.report_request(
            agency=quarter.program.agency,
            program=quarter.program,
            period_label="2025-Q1",
            requested_by=supervisor,
        )

    assert (queued_first, queued_second) == (True, False)
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert OutcomeReport.objects.get().status == S.PENDING


def test_a_week_is_not_a_report_period_and_changes_nothing(
    quarter: SimpleNamespace, director: User
) -> None:
    with pytest.raises(ValueError, match=r"month .* or a quarter"):
        _request(quarter, director, period="2025-W03")

    assert OutcomeReport.objects.count() == 0


def test_running_the_task_twice_generates_once(quarter: SimpleNamespace, director: User) -> None:
    report = _request(quarter, director)

    report_generate_task(report.pk)
    report.refresh_from_db()
    first_file, first_finished = report.file.name, report.finished_at
    report_generate_task(report.pk)
    report.refresh_from_db()

    assert report.status == S.DONE
    assert (report.file.name, report.finished_at) == (first_file, first_finished)


def test_regenerating_replaces_the_file_and_removes_the_old_one(
    quarter: SimpleNamespace, director: User, django_capture_on_commit_callbacks
) -> None:
    report = _request(quarter, director)
    report_services.report_generate(report_id=report.pk)
    report.refresh_from_db()
    old_name = report.file.name
    storage = report.file.storage

    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        again, queued = report_services.report_request(
            agency=quarter.program.agency,
            program=quarter.program,
            period_label="2025-Q1",
            requested_by=director,
        )

    assert queued
    again.refresh_from_db()
    assert again.pk == report.pk
    assert again.status == S.DONE
    assert again.file.name != old_name
    assert storage.exists(again.file.name)
    assert not storage.exists(old_name)
    assert OutcomeReport.objects.count() == 1


def test_a_failed_generation_is_marked_failed_and_can_be_retried(
    quarter: SimpleNamespace, director: User, settings, tmp_path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked
    report = _request(quarter, director)

    report_generate_task(report.pk)

    report.refresh_from_db()
    assert report.status == S.FAILED
    assert report.error.startswith("Generating failed (")
    assert "Harbor" not in report.error
    assert not report.file

    settings.MEDIA_ROOT = tmp_path / "media"
    _, queued = report_services.report_request(
        agency=quarter.program.agency,
        program=quarter.program,
        period_label="2025-Q1",
        requested_by=director,
    )
    report_generate_task(report.pk)

    report.refresh_from_db()
    assert queued
    assert (report.status, report.error) == (S.DONE, "")
    assert report.file.read().startswith(b"%PDF")


def test_a_run_killed_halfway_is_taken_over_once_stale_but_not_before(
    quarter: SimpleNamespace, director: User
) -> None:
    report = _request(quarter, director)
    recently = timezone.now() - dt.timedelta(minutes=1)
    OutcomeReport.objects.filter(pk=report.pk).update(status=S.RUNNING, started_at=recently)

    assert report_services.report_generate(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.status == S.RUNNING

    long_ago = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
    OutcomeReport.objects.filter(pk=report.pk).update(started_at=long_ago)
    report_generate_task(report.pk)

    report.refresh_from_db()
    assert report.status == S.DONE
    assert report.file.read().startswith(b"%PDF")


def _render_then(monkeypatch: pytest.MonkeyPatch, during: Callable[[], None]) -> None:
    """Make the next renders call `during` once the PDF is made, before it is stored."""
    real = report_services.render_pdf

    def render(template: str, context: dict) -> bytes:
        pdf = real(template, context)
        during()
        return pdf

    monkeypatch.setattr(report_services, "render_pdf", render)


def _generated(quarter: SimpleNamespace, director: User) -> OutcomeReport:
    report = _request(quarter, director)
    report_generate_task(report.pk)
    report.refresh_from_db()
    return report


def test_a_run_that_lost_its_claim_leaves_the_newer_run_alone(
    quarter: SimpleNamespace, director: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that was taken over while rendering (it was stuck) stores nothing and removes its
    own file: the newer run's result wins."""
    report = _generated(quarter, director)
    stored = report.file.name
    folder = report.file.storage.path(str(Path(stored).parent))
    long_ago = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
    OutcomeReport.objects.filter(pk=report.pk).update(status=S.PENDING, requested_at=long_ago)
    newer = timezone.now() + dt.timedelta(seconds=5)

    def taken_over() -> None:
        OutcomeReport.objects.filter(pk=report.pk).update(status=S.RUNNING, started_at=newer)

    _render_then(monkeypatch, taken_over)
    report_generate_task(report.pk)

    report.refresh_from_db()
    assert (report.status, report.started_at, report.file.name) == (S.RUNNING, newer, stored)
    assert sorted(Path(folder).iterdir()) == [Path(report.file.path)]


def test_during_a_re_render_the_page_serves_the_previous_file_and_the_api_answers_202(
    quarter: SimpleNamespace,
    director: User,
    login_as: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = _generated(quarter, director)
    old_name = report.file.name
    old_pdf = report.file.read()
    client = login_as(director)
    api_url = reverse("api:program-report", kwargs={"pk": quarter.program.pk, "period": "2025-Q1"})
    page_url = reverse("outcomes:report_download", kwargs={"pk": report.pk})
    during: list = []
    _render_then(monkeypatch, lambda: during.extend([client.get(api_url), client.get(page_url)]))

    _, queued = report_services.report_request(
        agency=quarter.program.agency,
        program=quarter.program,
        period_label="2025-Q1",
        requested_by=director,
    )
    report_generate_task(report.pk)

    assert queued
    # The API answers 202 until the newer report is in (its contract); the page's download link
    # serves the previous complete file meanwhile.
    api_during, page_during = during
    assert api_during.status_code == 202
    assert api_during["Location"].endswith(api_url)
    assert page_during.status_code == 200
    assert b"".join(page_during.streaming_content) == old_pdf
    report.refresh_from_db()
    assert report.status == S.DONE
    assert report.file.name != old_name
    assert not report.file.storage.exists(old_name)


def test_a_failed_re_render_keeps_the_previous_file_and_says_failed_without_client_data(
    quarter: SimpleNamespace,
    director: User,
    login_as: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    report = _generated(quarter, director)
    old_name, old_pdf = report.file.name, report.file.read()
    secret = f"{quarter.e.first_name} {quarter.e.last_name} was fired"

    def fail() -> None:
        raise ValueError(secret)

    _render_then(monkeypatch, fail)
    report_services.report_request(
        agency=quarter.program.agency,
        program=quarter.program,
        period_label="2025-Q1",
        requested_by=director,
    )
    report_generate_task(report.pk)

    report.refresh_from_db()
    assert (report.status, report.error) == (S.FAILED, "Generating failed (ValueError).")
    assert report.file.name == old_name
    assert names_shown(caplog.text, quarter.e) == []
    assert "ValueError" in caplog.text
    download = login_as(director).get(reverse("outcomes:report_download", kwargs={"pk": report.pk}))
    assert b"".join(download.streaming_content) == old_pdf


def test_agency_report_lists_job_starts_without_client_names(
    quarter: SimpleNamespace, director: User, other_program, specialist: User
) -> None:
    """A client whose name is in the data, with a job start in the quarter, in each program."""
    from decimal import Decimal

    from tests.clients.factories import ClientFactory, EmployerFactory, JobFactory

    for program, first, last in (
        (quarter.program, "Zebedee", "Quillfeather"),
        (other_program, "Ottoline", "Marchbanks"),
    ):
        program.minimum_wages.get_or_create(
            effective_on=dt.date(2024, 1, 1), defaults={"hourly": Decimal("15")}
        )
        client = ClientFactory(
            program=program,
            first_name=first,
            last_name=last,
            enrolled_on=dt.date(2024, 12, 1),
            referred_on=dt.date(2024, 11, 25),
        )
        JobFactory(
            client=client,
            employer=EmployerFactory(program=program, name=f"{last} Works Ltd"),
            started_on=dt.date(2025, 2, 3),
            hourly_wage=Decimal("19.00"),
        )
    report, _ = report_services.report_request(
        agency=quarter.program.agency,
        program=None,
        period_label="2025-Q1",
        requested_by=director,
    )

    report_generate_task(report.pk)

    report.refresh_from_db()
    text = pdf_text(report.file.read())
    assert "Quarterly outcome report: Riverside Mental Health" in text
    assert "Quillfeather Works Ltd" in text
    assert "Marchbanks Works Ltd" in text
    # Harbor Works 3 + Zebedee's start; Bridge Team: Ottoline's start.
    assert "Job starts 5" in text
    for name in ("Zebedee", "Ottoline"):
        assert name not in text
    for name in ("Quillfeather", "Marchbanks"):
        assert text.count(name) == 1  # only in the employer's name


def test_a_report_queued_long_ago_whose_message_was_lost_can_be_asked_for_again(
    quarter: SimpleNamespace, director: User, django_capture_on_commit_callbacks
) -> None:
    report = _request(quarter, director)
    long_ago = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
    OutcomeReport.objects.filter(pk=report.pk).update(requested_at=long_ago)
    report.refresh_from_db()
    assert report.is_stuck
    assert not report.in_progress

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again, queued = report_services.report_request(
            agency=quarter.program.agency,
            program=quarter.program,
            period_label="2025-Q1",
            requested_by=director,
        )

    assert queued
    assert len(callbacks) == 1
    assert again.in_progress
    assert again.requested_at > long_ago


def test_a_report_of_an_open_quarter_says_preliminary_on_every_page(
    quarter: SimpleNamespace, director: User, django_capture_on_commit_callbacks
) -> None:
    """On 7 December the quarter ending 31 December is not over: its report says so."""
    with time_machine.travel(dt.datetime(2025, 3, 7, 15, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            report, _ = report_services.report_request(
                agency=quarter.program.agency,
                program=quarter.program,
                period_label="2025-Q1",
                requested_by=director,
            )
        report_services.report_generate(report_id=report.pk)
    report.refresh_from_db()
    with report.file.open("rb") as stored:
        text = pdf_text(stored.read())

    assert "Preliminary: 2025-Q1 has not ended" in text
    assert "Competitive jobs held as of 7 Mar 2025" in text
    assert "held on 31 Mar 2025" not in text
    assert text.count("preliminary") >= 2  # the footer of every page
