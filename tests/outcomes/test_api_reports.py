"""`GET /api/v1/programs/ID/reports/<period>.pdf`: 202 with a Location while it is generated,
then the stored PDF; the same rate as `/api/v1/outcomes/`."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from ips.models import AuditEvent, Program, User
from outcomes.models import OutcomeReport
from tests.outcomes.reports_helpers import eager_celery, pdf_text

pytestmark = pytest.mark.django_db


def report_url(program: Program, period: str) -> str:
    return reverse("api:program-report", kwargs={"pk": program.pk, "period": period})


def test_first_request_answers_202_then_the_pdf_once_generated(
    quarter: SimpleNamespace,
    director: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
) -> None:
    client = login_as(director)
    url = report_url(quarter.program, "2025-Q1")

    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        accepted = client.get(url)
    ready = client.get(url)

    assert accepted.status_code == 202
    assert accepted["Location"] == f"http://testserver{url}"
    assert accepted["Retry-After"] == "2"
    assert accepted.json()["status"] == "pending"
    assert accepted.json()["preliminary"] is False  # 2025-Q1 ended long ago
    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/pdf"
    data = b"".join(ready.streaming_content)
    assert data.startswith(b"%PDF")
    report = OutcomeReport.objects.get()
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.EXPORT, object_id=str(report.pk), actor=director
        ).count()
        == 1
    )


def test_the_pdf_shows_the_rate_the_api_gives(
    quarter: SimpleNamespace,
    supervisor: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
) -> None:
    client = login_as(supervisor)
    url = report_url(quarter.program, "2025-Q1")
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        client.get(url)

    pdf = b"".join(client.get(url).streaming_content)
    api = client.get(reverse("api:outcomes"), {"program": quarter.program.pk, "period": "2025-Q1"})

    rate = api.json()["rate"]
    assert rate == 0.4444  # 4 of 9, by hand
    assert f"Competitive employment rate {rate * 100:.1f} %" in pdf_text(pdf)


def test_while_generating_it_keeps_answering_202_without_queueing_again(
    quarter: SimpleNamespace,
    director: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
) -> None:
    client = login_as(director)
    url = report_url(quarter.program, "2025-03")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.get(url)
        second = client.get(url)

    assert (first.status_code, second.status_code) == (202, 202)
    assert len(callbacks) == 1
    assert OutcomeReport.objects.get().kind == "month"


def test_a_bad_period_is_400_and_stores_nothing(
    program: Program, director: User, login_as: Callable[[User], Client]
) -> None:
    client = login_as(director)

    for period in ("2025-Q5", "2025-W03", "next"):
        response = client.get(report_url(program, period))
        assert response.status_code == 400
        assert "period" in response.json()
    assert OutcomeReport.objects.count() == 0


def test_another_agencys_program_is_404(
    program: Program, outsider_director: User, login_as: Callable[[User], Client]
) -> None:
    response = login_as(outsider_director).get(report_url(program, "2025-Q1"))

    assert response.status_code == 404
    assert OutcomeReport.objects.count() == 0


def test_a_specialist_of_the_program_is_refused(
    program: Program, specialist: User, login_as: Callable[[User], Client]
) -> None:
    response = login_as(specialist).get(report_url(program, "2025-Q1"))

    assert response.status_code == 403
    assert OutcomeReport.objects.count() == 0


def test_agency_report_is_for_directors_not_supervisors(
    program: Program,
    director: User,
    supervisor: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
) -> None:
    url = reverse("api:agency-report", kwargs={"pk": program.agency_id, "period": "2025-Q1"})

    refused = login_as(supervisor).get(url)
    with django_capture_on_commit_callbacks(execute=False):
        accepted = login_as(director).get(url)

    assert refused.status_code == 403
    assert accepted.status_code == 202
    assert OutcomeReport.objects.get().program is None


# --- Whatever the client accepts ----------------------------------------------------------------

ACCEPTS = ["application/pdf", "*/*", None, "application/json", "text/html, */*;q=0.8"]


def _get(client: Client, url: str, accept: str | None) -> object:
    return client.get(url, headers={"Accept": accept} if accept else {})


def _report_urls(quarter: SimpleNamespace, period: str) -> list[str]:
    return [
        report_url(quarter.program, period),
        reverse("api:agency-report", kwargs={"pk": quarter.program.agency_id, "period": period}),
    ]


def test_a_ready_pdf_is_answered_whatever_the_client_accepts(
    quarter: SimpleNamespace,
    director: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
) -> None:
    client = login_as(director)
    urls = _report_urls(quarter, "2025-Q1")
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        for url in urls:
            client.get(url)

    for url in urls:
        for accept in ACCEPTS:
            ready = _get(client, url, accept)
            assert (ready.status_code, ready["Content-Type"]) == (200, "application/pdf"), accept
            assert b"".join(ready.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("accept", ACCEPTS)
def test_progress_is_json_whatever_the_client_accepts(
    quarter: SimpleNamespace,
    director: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
    accept: str | None,
) -> None:
    client = login_as(director)

    with django_capture_on_commit_callbacks(execute=False):
        answers = [_get(client, url, accept) for url in _report_urls(quarter, "2025-Q1")]

    for answer in answers:
        assert (answer.status_code, answer["Content-Type"]) == (202, "application/json")
        assert answer.json()["status"] == "pending"


@pytest.mark.parametrize("accept", ["application/pdf", None])
def test_errors_are_json_when_the_client_asks_for_a_pdf(
    quarter: SimpleNamespace,
    director: User,
    outsider_director: User,
    login_as: Callable[[User], Client],
    accept: str | None,
) -> None:
    bad_period = _get(login_as(director), report_url(quarter.program, "2025-Q5"), accept)
    not_found = _get(login_as(outsider_director), report_url(quarter.program, "2025-Q1"), accept)

    assert (bad_period.status_code, bad_period["Content-Type"]) == (400, "application/json")
    assert "period" in bad_period.json()
    assert (not_found.status_code, not_found["Content-Type"]) == (404, "application/json")
    assert OutcomeReport.objects.count() == 0
