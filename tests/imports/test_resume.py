"""A run whose worker died continues from its last written batch; running it twice writes
nothing twice; each batch costs the same number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from clients.models import Client
from imports.models import ImportedRecord, ImportRun
from imports.services import import_confirm, import_preview, import_write
from imports.tasks import import_write_task
from ips.models import Program, User
from tests.imports.files import client_row, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_run(program: Program, supervisor: User, specialist: User, settings: Settings) -> ImportRun:
    settings.IMPORT_BATCH_ROWS = 10
    settings.IMPORT_INLINE_ROWS = 0  # written by the worker
    content = csv_bytes([client_row(n) for n in range(35)])
    run = import_preview(
        program=program, kind="clients", file_name="c.csv", content=content, actor=supervisor
    )
    return import_confirm(run=run, actor=supervisor)


def test_a_large_file_is_left_to_the_worker(big_run: ImportRun) -> None:
    assert (big_run.status, big_run.rows_done) == ("running", 0)
    assert Client.objects.count() == 0


def test_resume_after_the_worker_died_continues_where_it_stopped(big_run: ImportRun) -> None:
    # The worker wrote two batches, then died.
    partway = import_write(run_id=big_run.pk, batches=2)
    assert partway is not None
    assert (partway.status, partway.rows_done, Client.objects.count()) == ("running", 20, 20)

    import_write_task(big_run.pk)  # delivered again

    big_run.refresh_from_db()
    assert (big_run.status, big_run.rows_done, big_run.created) == ("done", 35, 35)
    assert Client.objects.count() == 35
    assert ImportedRecord.objects.filter(kind="clients").count() == 35


def test_running_the_task_twice_writes_nothing_twice(big_run: ImportRun) -> None:
    import_write_task(big_run.pk)
    import_write_task(big_run.pk)

    big_run.refresh_from_db()
    assert (big_run.status, big_run.created) == ("done", 35)
    assert Client.objects.count() == 35


def test_every_batch_costs_the_same_queries(big_run: ImportRun) -> None:
    import_write(run_id=big_run.pk, batches=1)  # the run's one-off look-ups (staff, …)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            import_write(run_id=big_run.pk, batches=1)
        counts.append(len(queries))

    assert counts[0] == counts[1]
