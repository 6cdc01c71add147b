"""An agency brings in 200 clients with their jobs and a year of contacts: preview, fix the two
bad rows, import twice with no duplicates, and the past quarter's rate is right."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest_django.fixtures import Settings

from clients.models import Client, Contact, Job
from employers.models import Employer
from imports.models import ImportRun
from imports.services import import_confirm, import_preview
from ips.calendar import Period
from ips.models import Program, User
from outcomes.selectors import program_outcomes
from tests.factories import MinimumWageFactory
from tests.imports.files import client_row, csv_bytes

pytestmark = pytest.mark.django_db

CLIENTS = 200
WORKING = 60  # competitive jobs from February 2025, still held
SET_ASIDE = 20  # jobs set aside for people with disabilities: never competitive


def run(program: Program, actor: User, kind: str, rows: list[dict[str, object]]) -> ImportRun:
    content = csv_bytes(rows, kind=kind)
    preview = import_preview(
        program=program, kind=kind, file_name=f"{kind}.csv", content=content, actor=actor
    )
    return import_confirm(run=preview, actor=actor)


def job_row(n: int, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "external_id": f"J-{n}",
        "client_external_id": f"C-{n}",
        "employer": "E-1",
        "title": "Baker",
        "job_type": "Food service",
        "started_on": "2025-02-03",
        "hours_per_week": "20",
        "hourly_wage": "25.00",
        "set_aside": "yes" if n >= WORKING else "no",
    }
    row.update(changes)
    return row


def contact_rows() -> list[dict[str, object]]:
    start = dt.date(2025, 1, 20)
    return [
        {
            "external_id": f"K-{n}-{month}",
            "client_external_id": f"C-{n}",
            "contacted_on": (start + dt.timedelta(days=30 * month)).isoformat(),
            "minutes": "30",
            "purpose": "job_search",
            "mode": "phone",
        }
        for n in range(CLIENTS)
        for month in range(12)
    ]


def test_two_hundred_clients_jobs_and_a_year_of_contacts(
    program: Program, supervisor: User, specialist: User, settings: Settings
) -> None:
    settings.IMPORT_INLINE_ROWS = settings.IMPORT_INLINE_PREVIEW_ROWS = 10_000
    if not program.minimum_wages.exists():
        MinimumWageFactory(program=program)  # 15.00 an hour from 2025
    employers = run(program, supervisor, "employers", [{"external_id": "E-1", "name": "Bakery"}])
    assert employers.created == 1

    clients = [client_row(n) for n in range(CLIENTS)]
    clients[7]["referred_on"] = "2999-01-01"  # a bad row
    first = run(program, supervisor, "clients", clients)
    assert (first.created, [e["row"] for e in first.errors]) == (CLIENTS - 1, [9])

    jobs = [job_row(n) for n in range(WORKING + SET_ASIDE)]
    jobs[3]["hourly_wage"] = "twelve"  # the other bad row
    first_jobs = run(program, supervisor, "jobs", jobs)
    assert [(e["row"], e["column"]) for e in first_jobs.errors] == [
        (5, "hourly_wage"),
        (9, "client_external_id"),
    ]

    clients[7]["referred_on"] = "2025-01-06"
    jobs[3]["hourly_wage"] = "25.00"
    for _ in range(2):  # corrected, then the same files once more
        again = run(program, supervisor, "clients", clients)
        again_jobs = run(program, supervisor, "jobs", jobs)
        contacts = run(program, supervisor, "contacts", contact_rows())
    assert (again.created, again.skipped, again.errors) == (0, CLIENTS, [])
    assert (again_jobs.created, again_jobs.skipped) == (0, WORKING + SET_ASIDE)
    assert (contacts.created, contacts.skipped, contacts.errors) == (0, CLIENTS * 12, [])

    assert Client.objects.count() == CLIENTS
    assert Job.objects.count() == WORKING + SET_ASIDE
    assert Contact.objects.count() == CLIENTS * 12
    assert Employer.objects.count() == 1
    outcome = program_outcomes([program.pk], Period.quarter(2025, 2))[program.pk]
    assert (outcome.caseload, outcome.working) == (CLIENTS, WORKING)
    assert outcome.rate == pytest.approx(WORKING / CLIENTS)
