"""The reports page, regenerating with htmx, downloads, the dashboard and the CSV tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from types import SimpleNamespace

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ips.models import AuditEvent, Program, User
from outcomes.models import OutcomeReport
from outcomes.reports import services as report_services
from outcomes.tasks import report_generate_task
from tests.helpers import names_shown

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def in_2025_q2():
    """Today is in 2025-Q2, so the reports page offers 2025-Q1 among the recent quarters."""
    with time_machine.travel(dt.datetime(2025, 5, 6, 14, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_reports_page_of_a_director_lists_the_agency_and_its_programs(
    director: User,
    program: Program,
    other_program: Program,
    outsider_program: Program,
    login_as: Callable[[User], Client],
) -> None:
    content = login_as(director).get(reverse("outcomes:reports")).content.decode()

    assert "Riverside Mental Health (whole agency)" in content
    assert "Harbor Works" in content
    assert "Bridge Team" in content
    assert "Summit Employment" not in content
    # Closed periods first, newest first; the open quarter and month last, marked.
    periods = re.findall(r'<option value="(\d{4}-[\dQ]+)">([^<]+)</option>', content)
    assert [value for value, _ in periods] == [
        "2025-Q1",
        "2024-Q4",
        "2024-Q3",
        "2025-04",
        "2025-03",
        "2025-Q2",
        "2025-05",
    ]
    assert periods[-1][1] == "2025-05 (preliminary: not ended)"
    # One form asks for any report: no button per program and period.
    assert content.count("<form") - content.count('action="/accounts/logout') <= 2
    assert content.count('type="submit"') - content.count("Log out") <= 1


def test_reports_page_of_a_supervisor_lists_their_program_only(
    supervisor: User,
    program: Program,
    other_program: Program,
    login_as: Callable[[User], Client],
) -> None:
    content = login_as(supervisor).get(reverse("outcomes:reports")).content.decode()

    assert "Harbor Works" in content
    assert "Bridge Team" not in content
    assert "(whole agency)" not in content
    assert "Learning-community submission" not in content  # directors export it


def test_reports_page_lists_ready_reports_first_with_their_download(
    quarter: SimpleNamespace,
    director: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        report, _ = report_services.report_request(
            agency=quarter.program.agency,
            program=quarter.program,
            period_label="2025-Q1",
            requested_by=director,
        )
    report_generate_task(report.pk)

    content = login_as(director).get(reverse("outcomes:reports")).content.decode()

    download = reverse("outcomes:report_download", kwargs={"pk": report.pk})
    assert content.index("Ready to download") < content.index(download)
    assert content.index(download) < content.index("Make a report")
    assert "No report is ready yet" not in content


def test_the_learning_community_csv_is_linked_for_directors(
    program: Program, director: User, login_as: Callable[[User], Client]
) -> None:
    content = login_as(director).get(reverse("outcomes:reports")).content.decode()

    closed = reverse("outcomes:submission_csv", kwargs={"period": "2025-Q1"})
    current = reverse("outcomes:submission_csv", kwargs={"period": "2025-Q2"})
    assert f'href="{closed}">2025-Q1</a>' in content
    assert f'href="{current}">2025-Q2 (preliminary)</a>' in content
    assert content.index(closed) < content.index(current)


def test_the_form_queues_the_chosen_report(
    quarter: SimpleNamespace,
    director: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = login_as(director).post(
            reverse("outcomes:report_request"),
            {"report": f"agency-{quarter.program.agency_id}", "period": "2025-Q1"},
        )

    assert response.status_code == 302
    report = OutcomeReport.objects.get()
    assert (report.program_id, report.agency_id, report.period) == (
        None,
        quarter.program.agency_id,
        "2025-Q1",
    )
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ("report", "period", "message"),
    [
        ("team-1", "2025-Q1", "Choose a program or an agency."),
        ("program-x", "2025-Q1", "Choose a program or an agency."),
        ("program-{pk}", "2025-W03", "Reports cover a month (2026-03) or a quarter (2026-Q1)."),
    ],
)
def test_the_form_refuses_bad_choices_and_queues_nothing(
    program: Program,
    director: User,
    login_as: Callable[[User], Client],
    report: str,
    period: str,
    message: str,
) -> None:
    response = login_as(director).post(
        reverse("outcomes:report_request"),
        {"report": report.format(pk=program.pk), "period": period},
    )

    assert response.status_code == 400
    assert response.content.decode() == message
    assert not OutcomeReport.objects.exists()


def test_regenerate_queues_the_report_and_the_cell_polls_until_it_is_ready(
    quarter: SimpleNamespace,
    director: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
) -> None:
    client = login_as(director)
    url = reverse(
        "outcomes:report_generate",
        kwargs={"scope": "program", "pk": quarter.program.pk, "period": "2025-Q1"},
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = client.post(url, **HTMX)

    report = OutcomeReport.objects.get()
    status_url = reverse("outcomes:report_status", kwargs={"pk": report.pk})
    assert len(callbacks) == 1
    assert queued.status_code == 200
    assert f'hx-get="{status_url}"' in queued.content.decode()
    assert "Queued" in queued.content.decode()

    report_generate_task(report.pk)
    ready = client.get(status_url, **HTMX).content.decode()

    assert "hx-get" not in ready
    assert "Ready" in ready
    assert reverse("outcomes:report_download", kwargs={"pk": report.pk}) in ready
    assert "Regenerate" in ready


def test_regenerate_without_htmx_goes_back_to_the_reports_page(
    program: Program,
    supervisor: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
) -> None:
    url = reverse(
        "outcomes:report_generate",
        kwargs={"scope": "program", "pk": program.pk, "period": "2025-03"},
    )
    with django_capture_on_commit_callbacks(execute=False):
        response = login_as(supervisor).post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:reports")
    assert OutcomeReport.objects.get().kind == "month"


def test_regenerate_with_a_bad_period_is_400_and_stores_nothing(
    program: Program, director: User, login_as: Callable[[User], Client]
) -> None:
    url = reverse(
        "outcomes:report_generate",
        kwargs={"scope": "program", "pk": program.pk, "period": "2025-13"},
    )

    response = login_as(director).post(url)

    assert response.status_code == 400
    assert OutcomeReport.objects.count() == 0


def test_download_gives_the_pdf_and_is_audited_as_an_export(
    quarter: SimpleNamespace, director: User, login_as: Callable[[User], Client]
) -> None:
    report, _ = report_services.report_request(
        agency=quarter.program.agency,
        program=quarter.program,
        period_label="2025-Q1",
        requested_by=director,
    )
    report_generate_task(report.pk)

    response = login_as(director).get(reverse("outcomes:report_download", kwargs={"pk": report.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="harbor-works-2025-Q1.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id) == ("export", director, str(report.pk))


def test_download_of_a_report_not_generated_yet_is_404(
    program: Program,
    director: User,
    login_as: Callable[[User], Client],
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        report, _ = report_services.report_request(
            agency=program.agency, program=program, period_label="2025-Q1", requested_by=director
        )

    response = login_as(director).get(reverse("outcomes:report_download", kwargs={"pk": report.pk}))

    assert response.status_code == 404
    assert AuditEvent.objects.count() == 0


def test_dashboard_shows_the_report_numbers_and_the_trend_chart(
    quarter: SimpleNamespace, supervisor: User, login_as: Callable[[User], Client]
) -> None:
    url = reverse("outcomes:dashboard", kwargs={"scope": "program", "pk": quarter.program.pk})

    content = login_as(supervisor).get(url, {"period": "2025-Q1"}).content.decode()

    assert '<td class="num" data-testid="caseload">9</td>' in content
    assert '<td class="num" data-testid="working">4</td>' in content
    assert '<td class="num" data-testid="rate"><strong>44.4 %</strong></td>' in content
    assert '<td class="num" data-testid="out-of-work-rate"><strong>42.9 %</strong></td>' in content
    assert '<td class="num" data-testid="out-of-work">3 of 7</td>' in content
    assert "benchmark 40 %" in content
    assert '<td class="num" data-testid="job-starts">3</td>' in content
    assert '<td class="num" data-testid="first-job-starts">1</td>' in content
    assert '<td class="num" data-testid="in-education">1</td>' in content
    assert '<td class="num" data-testid="closures">2</td>' in content
    assert "by reason: Moved away 2" in content
    assert '<td class="num" data-testid="new-enrollments">3</td>' in content
    assert '<td class="num" data-testid="retention">0 of 1 (0.0 %)</td>' in content
    assert '<td class="num" data-testid="not-yet-contacted">1</td>' in content
    assert "2024-Q1 (a year before)" in content
    assert "<svg" in content
    assert "2025-Q1: 44.4 %" in content  # the chart's description
    assert "2024-Q2" in content  # eight quarters back to 2024-Q2


def test_dashboard_with_a_bad_period_says_how_to_write_one(
    program: Program, director: User, login_as: Callable[[User], Client]
) -> None:
    url = reverse("outcomes:dashboard", kwargs={"scope": "program", "pk": program.pk})

    response = login_as(director).get(url, {"period": "Q1 2025"})

    assert response.status_code == 400
    assert 'id="period-error"' in response.content.decode()
    assert "quarter (2026-Q1)" in response.content.decode()


def test_agency_dashboard_is_for_directors(
    program: Program, director: User, supervisor: User, login_as: Callable[[User], Client]
) -> None:
    url = reverse("outcomes:dashboard", kwargs={"scope": "agency", "pk": program.agency_id})

    assert login_as(supervisor).get(url).status_code == 403
    assert login_as(director).get(url).status_code == 200


def test_job_starts_csv_lists_employer_and_job_type_without_clients(
    quarter: SimpleNamespace, director: User, login_as: Callable[[User], Client]
) -> None:
    url = reverse(
        "outcomes:table_download",
        kwargs={
            "scope": "program",
            "pk": quarter.program.pk,
            "period": "2025-Q1",
            "table": "job-starts",
        },
    )

    response = login_as(director).get(url)

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # E 02-01 at 15.50, F 01-15 at 17.00, F 03-15 at 16.00 (see conftest.py)
    assert [(row["started_on"], row["wage"]) for row in rows] == [
        ("2025-01-15", "17.00"),
        ("2025-02-01", "15.50"),
        ("2025-03-15", "16.00"),
    ]
    assert {row["employer"] for row in rows} == {quarter.employer.name}
    assert {row["preliminary"] for row in rows} == {"no"}
    assert "client" not in ",".join(rows[0])
    for who in (quarter.e, quarter.f):
        assert names_shown(response.content.decode(), who) == []
    assert AuditEvent.objects.filter(action="export", actor=director).count() == 1


def test_an_employer_named_like_a_formula_is_exported_as_text(
    quarter: SimpleNamespace, director: User, login_as: Callable[[User], Client]
) -> None:
    quarter.employer.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    quarter.employer.save(update_fields=["name"])
    url = reverse(
        "outcomes:table_download",
        kwargs={
            "scope": "program",
            "pk": quarter.program.pk,
            "period": "2025-Q1",
            "table": "job-starts",
        },
    )

    rows = list(csv.DictReader(io.StringIO(login_as(director).get(url).content.decode())))

    assert {row["employer"] for row in rows} == {"'@SUM(1+1)*cmd|' /C calc'!A0"}
    assert [row["wage"] for row in rows] == ["17.00", "15.50", "16.00"]


def test_specialist_csv_counts_each_specialists_clients(
    quarter: SimpleNamespace, supervisor: User, login_as: Callable[[User], Client]
) -> None:
    url = reverse(
        "outcomes:table_download",
        kwargs={
            "scope": "program",
            "pk": quarter.program.pk,
            "period": "2025-Q1",
            "table": "specialists",
        },
    )

    rows = list(csv.DictReader(io.StringIO(login_as(supervisor).get(url).content.decode())))

    # Sam Specialist: A B E (I archived) on the caseload, A and E working, E's start.
    # Tara Colleague: F G H; F and H working; F's two starts. Unassigned: D J K; none working.
    assert [
        (r["specialist"], r["caseload"], r["working"], r["rate"], r["job_starts"]) for r in rows
    ] == [
        ("Sam Specialist", "3", "2", "0.6667", "1"),
        ("Tara Colleague", "3", "2", "0.6667", "2"),
        ("Unassigned", "3", "0", "0.0000", "0"),
    ]


def test_unknown_csv_table_is_404(
    program: Program, director: User, login_as: Callable[[User], Client]
) -> None:
    url = reverse(
        "outcomes:table_download",
        kwargs={"scope": "program", "pk": program.pk, "period": "2025-Q1", "table": "clients"},
    )

    assert login_as(director).get(url).status_code == 404
    assert AuditEvent.objects.count() == 0
