"""The imports API contract, access per persona, and exports that never run a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from openpyxl import load_workbook

from clients.models import Client
from imports.models import ImportRun
from ips.models import AuditEvent, Program, Role, User
from tests.clients.factories import ClientFactory, JobFactory
from tests.factories import StaffRoleFactory, UserFactory
from tests.imports.files import client_row, csv_bytes

pytestmark = pytest.mark.django_db
URL = "/api/v1/imports/"


def post(http: HttpClient, program: Program, rows: list[dict[str, object]], commit: bool) -> object:
    upload = SimpleUploadedFile("clients.csv", csv_bytes(rows), content_type="text/csv")
    data = {"kind": "clients", "program": program.pk, "file": upload, "commit": commit}
    return http.post(URL, data)


def test_preview_then_import_through_the_api(
    program: Program, supervisor: User, specialist: User, login_as: Callable[[User], HttpClient]
) -> None:
    http = login_as(supervisor)
    rows = [client_row(1), client_row(2, minutes="x", birth_date="soon")]

    preview = post(http, program, rows, commit=False)

    assert preview.status_code == 201
    body = preview.json()
    assert set(body) == {
        "id", "kind", "program", "status", "rows", "created", "updated", "skipped", "errors",
    }  # fmt: skip
    assert (body["kind"], body["program"], body["status"]) == ("clients", program.pk, "previewed")
    assert (body["rows"], body["created"], body["updated"], body["skipped"]) == (2, 1, 0, 0)
    assert body["errors"] == [
        {"row": 3, "column": "birth_date", "message": body["errors"][0]["message"]}
    ]
    assert Client.objects.count() == 0

    done = post(http, program, rows, commit=True).json()
    assert (done["status"], done["created"]) == ("done", 1)
    polled = http.get(f"{URL}{done['id']}/").json()
    assert polled == done
    again = post(http, program, rows, commit=True).json()
    assert (again["created"], again["skipped"]) == (0, 1)
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "expected"), [("admin", 201), ("specialist", 403), ("director", 403)]
)
def test_who_may_import(
    persona: str,
    expected: int,
    program: Program,
    request: pytest.FixtureRequest,
    specialist: User,
    login_as: Callable[[User], HttpClient],
) -> None:
    user = request.getfixturevalue(persona)

    response = post(login_as(user), program, [client_row(1)], commit=False)

    assert response.status_code == expected


def test_other_agencies_get_404(
    program: Program,
    supervisor: User,
    outsider_director: User,
    outsider_program: Program,
    login_as: Callable[[User], HttpClient],
) -> None:
    outsider_supervisor = UserFactory(username="lee.lakeside", home_agency=outsider_program.agency)
    StaffRoleFactory(user=outsider_supervisor, role=Role.SUPERVISOR, program=outsider_program)
    http = login_as(outsider_supervisor)

    assert post(http, program, [client_row(1)], commit=False).status_code == 404
    run = ImportRun.objects.create(
        program=program, kind="clients", file_name="x", file_format="csv", created_by=supervisor
    )
    assert http.get(f"{URL}{run.pk}/").status_code == 404


def test_bad_file_is_400_and_writes_nothing(
    program: Program, supervisor: User, login_as: Callable[[User], HttpClient]
) -> None:
    upload = SimpleUploadedFile("x.csv", b"", content_type="text/csv")
    response = login_as(supervisor).post(
        URL, {"kind": "clients", "program": program.pk, "file": upload}
    )

    assert response.status_code == 400
    assert response.json() == {"file": ["The file is empty."]}
    assert ImportRun.objects.count() == 0


@pytest.fixture
def formula_job(program: Program, specialist: User) -> None:
    client = ClientFactory(program=program, specialist=specialist, last_name="=1+1")
    JobFactory(client=client, employer__program=program, title="@SUM(A1)")


def test_csv_export_neutralises_formulas(
    formula_job: None, program: Program, supervisor: User, login_as: Callable[[User], HttpClient]
) -> None:
    url = reverse("imports:export", args=[program.pk, "jobs", "csv"])

    response = login_as(supervisor).get(url)

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][3] == "'=1+1"
    assert rows[1][5] == "'@SUM(A1)"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_xlsx_export_has_text_not_formulas(
    formula_job: None, program: Program, supervisor: User, login_as: Callable[[User], HttpClient]
) -> None:
    response = login_as(supervisor).get(
        "/api/v1/exports/caseload/", {"format": "xlsx", "specialist": "all"}
    )

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if "1+1" in str(cell.value)]
    assert [(cell.value, cell.data_type) for cell in cells] == [("'=1+1", "s")]


def test_jobs_export_names_self_employment_as_the_employer(
    program: Program, specialist: User, supervisor: User, login_as: Callable[[User], HttpClient]
) -> None:
    client = ClientFactory(program=program, specialist=specialist)
    JobFactory(client=client, employer=None, self_employed=True, title="Dog walker")
    url = reverse("imports:export", args=[program.pk, "jobs", "csv"])

    response = login_as(supervisor).get(url)

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [(row[4], row[5]) for row in rows[1:]] == [("Self-employed", "Dog walker")]
