"""A program with no minimum-wage schedule has no competitive jobs to count: it is refused a
roll-up and a rate with a message saying why, never shown 0 % (`ips-reference.md` 4.1).

Crossroads Team (`crossroads`) has no schedule; Harbor Works (`quarter`) has one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ips.calendar import Period
from ips.models import Agency, Program, User
from outcomes.models import OutcomeReport, OutcomeRollup
from outcomes.reports import services as report_services
from outcomes.reports.context import Scope, report_context
from outcomes.selectors import NoMinimumWage
from outcomes.services import outcome_rollup
from tests.clients.factories import ClientFactory, JobFactory
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

Q1 = Period.parse("2025-Q1")
REFUSED = "Crossroads Team has no minimum-wage schedule"


@pytest.fixture
def crossroads(agency: Agency) -> Program:
    return ProgramFactory(agency=agency, name="Crossroads Team")


@pytest.fixture
def bridge_client(crossroads: Program) -> object:
    """A client of Crossroads Team on the 2025-Q1 caseload with a job."""
    client = ClientFactory(
        program=crossroads, referred_on=dt.date(2024, 11, 1), enrolled_on=dt.date(2024, 12, 1)
    )
    JobFactory(client=client, started_on=dt.date(2025, 2, 1))
    return client


def test_a_rollup_of_the_program_is_refused_with_a_message(
    crossroads: Program, bridge_client: object
) -> None:
    with pytest.raises(NoMinimumWage, match=REFUSED):
        outcome_rollup(period=Q1, program_ids=[crossroads.pk])

    assert not OutcomeRollup.objects.exists()


def test_a_rollup_of_every_program_leaves_it_out(
    quarter: SimpleNamespace, crossroads: Program, bridge_client: object
) -> None:
    assert outcome_rollup(period=Q1) == 1

    assert list(OutcomeRollup.objects.values_list("program_id", flat=True)) == [quarter.program.pk]


def test_the_command_names_the_programs_left_out(
    quarter: SimpleNamespace, crossroads: Program, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("rollup_outcomes", "--period", "2025-Q1")

    out = capsys.readouterr().out
    assert "2025-Q1: 1 program roll-up(s) stored." in out
    assert f"Not rolled up: {REFUSED}" in out
    with pytest.raises(CommandError, match=REFUSED):
        call_command("rollup_outcomes", "--period", "2025-Q1", "--program", str(crossroads.pk))


def test_the_api_refuses_the_rate_with_409_and_the_reason(
    crossroads: Program, login_as: Callable[[User], Client], director: User
) -> None:
    response = login_as(director).get(
        reverse("api:outcomes"), {"program": crossroads.pk, "period": "2025-Q1"}
    )

    assert response.status_code == 409
    assert response.json()["detail"].startswith(REFUSED)


def test_the_dashboard_says_why_instead_of_0_percent(
    crossroads: Program,
    bridge_client: object,
    login_as: Callable[[User], Client],
    director: User,
) -> None:
    url = reverse("outcomes:dashboard", kwargs={"scope": "program", "pk": crossroads.pk})

    content = login_as(director).get(url, {"period": "2025-Q1"}).content.decode()

    assert REFUSED in content
    assert 'data-testid="rate"' not in content
    assert "0.0 %" not in content


def test_a_report_of_the_program_is_refused(crossroads: Program, director: User) -> None:
    with pytest.raises(ValueError, match=REFUSED):
        report_services.report_request(
            agency=crossroads.agency,
            program=crossroads,
            period_label="2025-Q1",
            requested_by=director,
        )


def test_the_agency_counts_only_programs_with_a_schedule_and_says_which_are_left_out(
    quarter: SimpleNamespace, agency: Agency, crossroads: Program, bridge_client: object
) -> None:
    """Harbor Works alone: 9 on the caseload, 4 working. Bridge Team's client is not counted
    as a client who does not work."""
    context = report_context(Scope(agency=agency), Q1, generated_at=timezone.now())

    assert (context["outcome"].caseload, context["outcome"].working) == (9, 4)
    assert [program.name for program in context["left_out"]] == ["Crossroads Team"]


def test_the_submission_csv_gives_the_reason_instead_of_numbers(
    quarter: SimpleNamespace,
    crossroads: Program,
    login_as: Callable[[User], Client],
    director: User,
) -> None:
    response = login_as(director).get(
        reverse("outcomes:submission_csv", kwargs={"period": "2025-Q1"})
    )

    rows = {row["program"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert (rows["Crossroads Team"]["caseload"], rows["Crossroads Team"]["rate"]) == ("", "")
    assert rows["Crossroads Team"]["note"].startswith(REFUSED)
    assert (rows["Harbor Works"]["rate"], rows["Harbor Works"]["note"]) == ("0.4444", "")


def test_the_report_api_answers_409_with_the_reason_and_queues_nothing(
    crossroads: Program, login_as: Callable[[User], Client], director: User
) -> None:
    url = reverse("api:program-report", kwargs={"pk": crossroads.pk, "period": "2025-Q1"})

    response = login_as(director).get(url)

    assert response.status_code == 409
    assert response.json()["detail"].startswith(REFUSED)
    assert not OutcomeReport.objects.exists()
