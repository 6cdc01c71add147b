"""The quarterly learning-community submission CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from types import SimpleNamespace

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ips.models import AuditEvent, Program, User

pytestmark = pytest.mark.django_db


def _url(period: str) -> str:
    return reverse("outcomes:submission_csv", kwargs={"period": period})


def _rows(response: object) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_director_exports_one_row_per_program_of_the_agency(
    quarter: SimpleNamespace,
    other_program: Program,
    outsider_program: Program,
    login_as: Callable[[User], Client],
    director: User,
) -> None:
    response = login_as(director).get(_url("2025-Q1"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="outcomes-2025-Q1.csv"' in response["Content-Disposition"]
    rows = _rows(response)
    assert [row["program"] for row in rows] == ["Bridge Team", "Harbor Works"]
    harbor = rows[1]
    assert harbor == {
        "program_id": str(quarter.program.pk),
        "program": "Harbor Works",
        "period": "2025-Q1",
        "caseload": "9",
        "working": "4",
        "rate": "0.4444",
        "job_starts": "3",
        "in_education": "1",
        "out_of_work_caseload": "7",
        "out_of_work_working": "3",
        "out_of_work_rate": "0.4286",
        "new_enrollments": "3",
        "closures": "2",
        "preliminary": "no",
        "note": "",
    }
    assert (rows[0]["caseload"], rows[0]["rate"]) == ("0", "")  # no one: no rate
    assert "Summit Employment" not in response.content.decode()


def test_export_is_audited_per_program(
    quarter: SimpleNamespace,
    other_program: Program,
    login_as: Callable[[User], Client],
    director: User,
) -> None:
    login_as(director).get(_url("2025-Q1"))

    events = AuditEvent.objects.filter(actor=director, action=AuditEvent.Action.EXPORT)
    assert sorted(int(event.object_id) for event in events) == sorted(
        [quarter.program.pk, other_program.pk]
    )
    assert {event.path for event in events} == {_url("2025-Q1")}


def test_outsider_director_exports_only_their_own_programs(
    quarter: SimpleNamespace,
    outsider_program: Program,
    login_as: Callable[[User], Client],
    outsider_director: User,
) -> None:
    rows = _rows(login_as(outsider_director).get(_url("2025-Q1")))

    assert [row["program"] for row in rows] == ["Summit Employment"]


def test_the_open_quarter_is_marked_preliminary(
    quarter: SimpleNamespace, login_as: Callable[[User], Client], director: User
) -> None:
    with time_machine.travel(dt.datetime(2025, 3, 20, 15, 0, tzinfo=dt.UTC), tick=False):
        rows = _rows(login_as(director).get(_url("2025-Q1")))

    assert {row["preliminary"] for row in rows} == {"yes"}


@pytest.mark.parametrize("period", ["2025-03", "2025-Q5", "junk"])
def test_bad_period_is_400_and_audits_nothing(
    quarter: SimpleNamespace, login_as: Callable[[User], Client], director: User, period: str
) -> None:
    response = login_as(director).get(_url(period))

    assert response.status_code == 400
    assert "quarter, such as 2026-Q1" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize("persona", ["supervisor", "specialist", "reviewer", "admin"])
def test_other_roles_may_not_export(
    quarter: SimpleNamespace,
    login_as: Callable[[User], Client],
    request: pytest.FixtureRequest,
    persona: str,
) -> None:
    response = login_as(request.getfixturevalue(persona)).get(_url("2025-Q1"))

    assert response.status_code == 403
    assert b"Harbor Works" not in response.content


def test_a_program_name_written_like_a_formula_is_exported_as_text(
    quarter: SimpleNamespace, login_as: Callable[[User], Client], director: User
) -> None:
    Program.objects.filter(pk=quarter.program.pk).update(name='=HYPERLINK("http://x","Hi")')

    rows = _rows(login_as(director).get(_url("2025-Q1")))

    assert [row["program"] for row in rows] == ['\'=HYPERLINK("http://x","Hi")']
    assert rows[0]["caseload"] == "9"
