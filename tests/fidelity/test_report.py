"""A signed-off review's stored report: queued on sign-off and amendment, made by the task,
swapped in whole, downloaded (202 while none is ready), and safe to run twice or after a
failure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fidelity import services
from fidelity.models import Review, ReviewItem, ReviewReport
from fidelity.tasks import review_report_task
from ips.models import AuditEvent, Program, User
from ips.pdf import STALE_AFTER
from tests.fidelity.factories import final_review, outside_reviewer, plan_review, score_all
from tests.outcomes.reports_helpers import eager_celery, pdf_text

pytestmark = pytest.mark.django_db

S = ReviewReport.Status
Login = Callable[[User], Client]


@pytest.fixture
def second_reviewer(program: Program) -> User:
    return outside_reviewer(program)


@pytest.fixture
def signed_off(program: Program, reviewer: User, second_reviewer: User) -> Review:
    """Signed off with every item agreed at 4 (total 100); its report queued, not made yet."""
    return final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)


def _url(review: Review) -> str:
    return reverse("fidelity:report", args=[review.pk])


def _made(review: Review) -> ReviewReport:
    review_report_task(review.pk)
    return ReviewReport.objects.get(review=review)


def _amend(review: Review, actor: User, number: int = 9, score: int = 5) -> None:
    row = ReviewItem.objects.get(review=review, item__number=number)
    services.review_item_amend(review_item=row, actor=actor, score=score, reason="Recounted")


def _render_then(monkeypatch: pytest.MonkeyPatch, during: Callable[[], None]) -> None:
    """Make the next renders call `during` once the PDF is made, before it is stored."""
    real = services.render_pdf

    def render(template: str, context: dict) -> bytes:
        pdf = real(template, context)
        during()
        return pdf

    monkeypatch.setattr(services, "render_pdf", render)


def _exports(review: Review) -> int:
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT,
        content_type=ContentType.objects.get_for_model(Review),
        object_id=str(review.pk),
    ).count()


def test_sign_off_queues_the_report_once_committed_and_the_task_stores_it(
    program: Program, reviewer: User, second_reviewer: User, django_capture_on_commit_callbacks
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)
    score_all(review, reviewer, 4)
    score_all(review, second_reviewer, 4)
    review = services.review_open_consensus(review=review, actor=reviewer)

    # The worker's part runs here (eager): the sign-off only queues it once committed.
    with eager_celery(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.review_finalise(review=review, actor=reviewer, version=review.version)

    assert len(callbacks) == 1
    report = ReviewReport.objects.get(review=review)
    assert (report.status, report.requested_by, report.error) == (S.DONE, reviewer, "")
    assert "Total 100 of 125 — Good fidelity" in pdf_text(report.file.read())


def test_running_the_task_twice_makes_the_report_once(signed_off: Review) -> None:
    first = _made(signed_off)

    review_report_task(signed_off.pk)

    again = ReviewReport.objects.get(review=signed_off)
    assert again.status == S.DONE
    assert (again.file.name, again.finished_at) == (first.file.name, first.finished_at)


def test_download_while_none_is_ready_answers_202_with_location_and_retry_after(
    program: Program,
    reviewer: User,
    second_reviewer: User,
    director: User,
    login_as: Login,
    django_capture_on_commit_callbacks,
) -> None:
    review = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)
    ReviewReport.objects.filter(review=review).delete()  # say the sign-off's message was lost
    client = login_as(director)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.get(_url(review))
        second = client.get(_url(review))

    assert (first.status_code, second.status_code) == (202, 202)
    assert first["Location"] == f"http://testserver{_url(review)}"
    assert first["Retry-After"] == "2"
    assert b"being prepared" in first.content
    assert b'http-equiv="refresh"' in first.content
    assert len(callbacks) == 1  # queued once, by the first download
    report = ReviewReport.objects.get(review=review)
    assert (report.status, report.requested_by) == (S.PENDING, director)
    assert _exports(review) == 0  # nothing was downloaded yet


def test_download_once_ready_is_the_pdf_and_is_audited_as_an_export(
    signed_off: Review, director: User, login_as: Login
) -> None:
    _made(signed_off)

    response = login_as(director).get(_url(signed_off))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="fidelity-review-' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert _exports(signed_off) == 1


def test_with_eager_tasks_the_first_download_queues_it_and_the_next_gets_it(
    program: Program,
    reviewer: User,
    second_reviewer: User,
    director: User,
    login_as: Login,
    django_capture_on_commit_callbacks,
) -> None:
    review = final_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, score=4)
    ReviewReport.objects.filter(review=review).delete()
    client = login_as(director)

    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        accepted = client.get(_url(review))
    ready = client.get(_url(review))

    assert accepted.status_code == 202
    assert ready.status_code == 200
    assert b"".join(ready.streaming_content).startswith(b"%PDF")


def test_an_amendment_renders_the_report_again_and_swaps_the_file(
    signed_off: Review, reviewer: User, django_capture_on_commit_callbacks
) -> None:
    old = _made(signed_off)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _amend(signed_off, reviewer)
    queued = ReviewReport.objects.get(review=signed_off)
    new = _made(signed_off)

    assert len(callbacks) == 1
    assert queued.status == S.PENDING
    assert new.status == S.DONE
    assert new.file.name != old.file.name
    assert not old.file.storage.exists(old.file.name)
    assert "Total 101 of 125" in pdf_text(new.file.read())


def test_a_download_during_a_re_render_gets_the_previous_complete_file(
    signed_off: Review,
    reviewer: User,
    director: User,
    login_as: Login,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = _made(signed_off)
    old_pdf = old.file.read()
    client = login_as(director)
    during: list = []
    _render_then(monkeypatch, lambda: during.append(client.get(_url(signed_off))))

    _amend(signed_off, reviewer)
    review_report_task(signed_off.pk)

    assert [response.status_code for response in during] == [200]
    assert b"".join(during[0].streaming_content) == old_pdf
    assert ReviewReport.objects.get(review=signed_off).file.name != old.file.name


def test_a_failed_render_keeps_the_previous_file_and_says_failed_without_client_data(
    signed_off: Review,
    reviewer: User,
    director: User,
    login_as: Login,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = _made(signed_off)
    old_pdf = old.file.read()

    def fail() -> None:
        raise ValueError("Zebedee Quillfeather was fired from the bakery")

    _render_then(monkeypatch, fail)
    _amend(signed_off, reviewer)
    review_report_task(signed_off.pk)

    report = ReviewReport.objects.get(review=signed_off)
    assert (report.status, report.error) == (S.FAILED, "Generating failed (ValueError).")
    assert report.file.name == old.file.name
    assert "Quillfeather" not in caplog.text
    download = login_as(director).get(_url(signed_off))
    assert b"".join(download.streaming_content) == old_pdf


def test_a_failed_report_without_a_file_is_queued_again_by_a_download(
    signed_off: Review,
    director: User,
    login_as: Login,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:
    def fail() -> None:
        raise OSError("disk full")

    _render_then(monkeypatch, fail)
    assert _made(signed_off).status == S.FAILED
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accepted = login_as(director).get(_url(signed_off))
    made = _made(signed_off)

    assert accepted.status_code == 202
    assert len(callbacks) == 1
    assert (made.status, made.error) == (S.DONE, "")


def test_a_render_killed_halfway_is_claimed_again_once_stuck_but_not_before(
    signed_off: Review,
) -> None:
    recently = timezone.now() - dt.timedelta(minutes=1)
    ReviewReport.objects.filter(review=signed_off).update(status=S.RUNNING, started_at=recently)

    assert services.review_report_render(review_id=signed_off.pk) is None
    assert ReviewReport.objects.get(review=signed_off).status == S.RUNNING

    long_ago = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
    ReviewReport.objects.filter(review=signed_off).update(started_at=long_ago)
    review_report_task(signed_off.pk)

    report = ReviewReport.objects.get(review=signed_off)
    assert report.status == S.DONE
    assert report.file.read().startswith(b"%PDF")


def test_a_queued_report_whose_message_was_lost_is_queued_again_by_a_download(
    signed_off: Review, director: User, login_as: Login, django_capture_on_commit_callbacks
) -> None:
    long_ago = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
    ReviewReport.objects.filter(review=signed_off).update(requested_at=long_ago)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = login_as(director).get(_url(signed_off))

    assert response.status_code == 202
    assert len(callbacks) == 1
    assert ReviewReport.objects.get(review=signed_off).requested_at > long_ago


def test_an_amendment_during_a_render_makes_that_render_give_way(
    signed_off: Review, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render read the review before the amendment: it must not be the report kept."""
    _render_then(monkeypatch, lambda: _amend(signed_off, reviewer))

    assert services.review_report_render(review_id=signed_off.pk) is not None
    given_way = ReviewReport.objects.get(review=signed_off)
    monkeypatch.undo()
    made = _made(signed_off)

    assert (given_way.status, given_way.file.name) == (S.PENDING, "")
    assert made.status == S.DONE
    assert "Total 101 of 125" in pdf_text(made.file.read())


def test_only_a_signed_off_review_has_a_report(
    program: Program, reviewer: User, second_reviewer: User, director: User, login_as: Login
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second_reviewer)

    with pytest.raises(ValidationError, match="signed-off"):
        services.review_report_request(review=review, requested_by=director)
    response = login_as(director).get(_url(review))

    assert response.status_code == 404
    assert not ReviewReport.objects.exists()
