"""A file too large to check in the request is checked by the worker: the upload answers at
once (`checking`), the page polls the progress, the preview is the same as in the request; the
API's `commit=true` is confirmed once checked; a check whose worker died is sent again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from clients.models import Client
from imports.models import ImportRun
from imports.services import import_confirm, import_preview, import_sweep
from imports.tasks import import_check_task
from ips.models import AuditEvent, Program, User
from tests.imports.files import client_row, csv_bytes

pytestmark = pytest.mark.django_db

ROWS = [client_row(n) for n in range(6)] + [client_row(99, birth_date="soon")]


@pytest.fixture
def small_inline(settings: Settings) -> None:
    settings.IMPORT_INLINE_PREVIEW_ROWS = 5
    settings.IMPORT_BATCH_ROWS = 3
    settings.IMPORT_INLINE_ROWS = 100


def test_a_large_file_is_checked_by_the_worker(
    program: Program, supervisor: User, specialist: User, small_inline: None
) -> None:
    run = import_preview(
        program=program,
        kind="clients",
        file_name="c.csv",
        content=csv_bytes(ROWS),
        actor=supervisor,
    )
    assert (run.status, run.rows, run.created, run.plan) == ("checking", 7, 0, [])

    import_check_task(run.pk)
    import_check_task(run.pk)  # delivered twice: checked once

    run.refresh_from_db()
    assert (run.status, run.created, run.rows_done, run.attempts) == ("previewed", 6, 0, 1)
    assert [(e["row"], e["column"]) for e in run.errors] == [(8, "birth_date")]
    assert len(run.plan) == 6
    assert Client.objects.count() == 0
    done = import_confirm(run=run, actor=supervisor)
    assert (done.status, done.created) == ("done", 6)


def test_the_page_polls_the_check_then_shows_the_preview(
    program: Program,
    supervisor: User,
    specialist: User,
    small_inline: None,
    login_as: Callable[[User], HttpClient],
) -> None:
    http = login_as(supervisor)
    upload = SimpleUploadedFile("c.csv", csv_bytes(ROWS), content_type="text/csv")
    form = {"kind": "clients", "file": upload, "encoding": "auto", "date_order": "mdy"}
    response = http.post(reverse("imports:start", args=[program.pk]), form, follow=True)
    run = ImportRun.objects.get()
    status_url = reverse("imports:status", args=[run.pk])
    assert status_url in response.content.decode()
    assert "Checking the file" in response.content.decode()

    import_check_task(run.pk)
    polled = http.get(status_url, headers={"HX-Request": "true"})

    assert polled["HX-Redirect"] == reverse("imports:detail", args=[run.pk])
    page = http.get(reverse("imports:detail", args=[run.pk])).content.decode()
    assert "Confirm: import 6 rows" in page


def test_the_api_imports_a_large_file_once_it_is_checked(
    program: Program,
    supervisor: User,
    specialist: User,
    small_inline: None,
    login_as: Callable[[User], HttpClient],
) -> None:
    http = login_as(supervisor)
    upload = SimpleUploadedFile("c.csv", csv_bytes(ROWS), content_type="text/csv")
    body = http.post(
        "/api/v1/imports/",
        {"kind": "clients", "program": program.pk, "file": upload, "commit": True},
    ).json()
    assert (body["status"], body["rows"], body["created"]) == ("checking", 7, 0)

    import_check_task(body["id"])

    polled = http.get(f"/api/v1/imports/{body['id']}/").json()
    assert (polled["status"], polled["created"], len(polled["errors"])) == ("done", 6, 1)
    assert Client.objects.count() == 6
    assert AuditEvent.objects.get(action=AuditEvent.Action.IMPORT).actor == supervisor


def test_a_check_whose_worker_died_is_sent_again(
    program: Program, supervisor: User, specialist: User, small_inline: None
) -> None:
    run = import_preview(
        program=program,
        kind="clients",
        file_name="c.csv",
        content=csv_bytes(ROWS),
        actor=supervisor,
    )
    long_ago = timezone.now() - dt.timedelta(hours=1)
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=long_ago)

    assert import_sweep() == 1

    run.refresh_from_db()
    assert run.status == "checking"
    assert run.heartbeat_at > long_ago
