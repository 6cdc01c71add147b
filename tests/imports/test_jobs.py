"""Jobs imported under the job form's and the API's rules: self-employment without an employer,
every other job with one; tips toward the minimum wage; a kind of set-aside work by value or
label; the template's optional columns."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import EMPLOYER_OR_SELF_EMPLOYED, Job
from imports.models import ImportRun
from imports.services import import_confirm, import_preview
from ips.models import Program, User
from tests.clients.factories import EmployerFactory
from tests.factories import MinimumWageFactory
from tests.imports.files import client_row, csv_bytes

pytestmark = pytest.mark.django_db

COLUMNS = [
    "external_id",
    "client_external_id",
    "employer",
    "title",
    "job_type",
    "started_on",
    "ended_on",
    "end_reason",
    "hours_per_week",
    "hourly_wage",
    "set_aside",
    "self_employed",
    "tips_per_hour",
    "set_aside_kind",
]


def job_row(n: int, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "external_id": f"J-{n}",
        "client_external_id": "C-1",
        "employer": "Harbor Bakery",
        "title": "Baker",
        "job_type": "Food service",
        "started_on": "2025-02-03",
        "hours_per_week": "20",
        "hourly_wage": "16.00",
        "set_aside": "no",
    }
    row.update(changes)
    return row


@pytest.fixture
def ready(program: Program, supervisor: User, specialist: User) -> Program:
    """A program with a minimum wage (15.00), an employer and one imported client."""
    MinimumWageFactory(program=program)
    EmployerFactory(program=program, name="Harbor Bakery")
    clients = import_preview(
        program=program,
        kind="clients",
        file_name="c.csv",
        content=csv_bytes([client_row(1)]),
        actor=supervisor,
    )
    import_confirm(run=clients, actor=supervisor)
    return program


def preview_jobs(program: Program, actor: User, rows: list[dict[str, object]]) -> ImportRun:
    return import_preview(
        program=program,
        kind="jobs",
        file_name="jobs.csv",
        content=csv_bytes(rows, columns=COLUMNS),
        actor=actor,
    )


def test_a_self_employed_job_is_imported_without_an_employer(
    ready: Program, supervisor: User
) -> None:
    run = preview_jobs(ready, supervisor, [job_row(1, employer="", self_employed="yes")])
    assert (run.created, run.errors) == (1, [])

    import_confirm(run=run, actor=supervisor)

    job = Job.objects.get()
    assert (job.self_employed, job.employer_id) == (True, None)


def test_preview_refuses_a_job_without_an_employer_unless_self_employed(
    ready: Program, supervisor: User
) -> None:
    run = preview_jobs(
        ready,
        supervisor,
        [job_row(1, employer="", self_employed="no"), job_row(2, employer="")],
    )

    assert [(e["row"], e["column"], e["message"]) for e in run.errors] == [
        (2, "employer", EMPLOYER_OR_SELF_EMPLOYED),
        (3, "employer", EMPLOYER_OR_SELF_EMPLOYED),
    ]
    assert run.created == 0
    assert Job.objects.count() == 0


def test_tips_count_toward_the_minimum_wage(ready: Program, supervisor: User) -> None:
    rows = [
        job_row(1, hourly_wage="2.13", tips_per_hour="14.00"),  # 16.13 an hour
        job_row(2, hourly_wage="2.13", tips_per_hour=""),  # no tips: under the minimum
        job_row(3, hourly_wage="2.13", tips_per_hour="-1"),
    ]
    run = preview_jobs(ready, supervisor, rows)
    assert [(e["row"], e["column"]) for e in run.errors] == [(4, "tips_per_hour")]

    import_confirm(run=run, actor=supervisor)

    jobs = {job.title + str(job.tips_per_hour): job for job in Job.objects.all()}
    assert set(jobs) == {"Baker14.00", "Baker0.00"}
    assert jobs["Baker14.00"].competitive is True
    assert jobs["Baker0.00"].competitive is False


def test_a_set_aside_kind_by_value_or_label_sets_the_job_aside(
    ready: Program, supervisor: User
) -> None:
    rows = [
        job_row(1, set_aside_kind="enclave"),
        job_row(2, set_aside_kind="Sheltered workshop"),
        job_row(3, set_aside_kind="a kind of its own"),
    ]
    run = preview_jobs(ready, supervisor, rows)
    assert [(e["row"], e["column"]) for e in run.errors] == [(4, "set_aside_kind")]
    assert "Sheltered workshop" in run.errors[0]["message"]

    import_confirm(run=run, actor=supervisor)

    stored = Job.objects.order_by("set_aside_kind").values_list(
        "set_aside_kind", "set_aside", "competitive"
    )
    assert list(stored) == [("enclave", True, False), ("sheltered_workshop", True, False)]


def test_a_file_without_the_optional_columns_keeps_what_they_hold(
    ready: Program, supervisor: User
) -> None:
    first = preview_jobs(ready, supervisor, [job_row(1, tips_per_hour="3.00")])
    import_confirm(run=first, actor=supervisor)
    contract = csv_bytes([job_row(1, hours_per_week="25")], kind="jobs")  # no optional columns

    again = import_preview(
        program=ready, kind="jobs", file_name="j.csv", content=contract, actor=supervisor
    )
    import_confirm(run=again, actor=supervisor)

    job = Job.objects.get()
    assert (job.hours_per_week, job.tips_per_hour, job.version) == (
        Decimal("25.00"),
        Decimal("3.00"),
        2,
    )


def test_the_jobs_template_has_the_optional_columns(
    login_as: Callable[[User], Client], supervisor: User
) -> None:
    response = login_as(supervisor).get(
        reverse("imports:template", kwargs={"kind": "jobs", "fmt": "csv"})
    )

    assert response.status_code == 200
    header = response.content.decode().splitlines()[0].split(",")
    assert header[-3:] == ["self_employed", "tips_per_hour", "set_aside_kind"]


def test_checking_jobs_costs_no_query_per_row(ready: Program, supervisor: User) -> None:
    with CaptureQueriesContext(connection) as one:
        preview_jobs(ready, supervisor, [job_row(1)])
    with CaptureQueriesContext(connection) as three:
        preview_jobs(ready, supervisor, [job_row(n) for n in range(1, 4)])

    assert len(three) == len(one), "\n".join(query["sql"] for query in three)
