"""Previewing a file writes nothing; confirming writes its valid rows; importing again updates
or skips, never duplicates."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clients.models import Client, Episode
from imports.models import ImportedRecord, ImportRun
from imports.services import import_confirm, import_preview
from ips.models import AuditEvent, AuditEventClient, Program, User
from tests.imports.files import client_row, csv_bytes

pytestmark = pytest.mark.django_db


def preview(program: Program, actor: User, content: bytes, kind: str = "clients") -> ImportRun:
    return import_preview(
        program=program, kind=kind, file_name="clients.csv", content=content, actor=actor
    )


def test_preview_writes_nothing_but_the_run(
    program: Program, supervisor: User, specialist: User
) -> None:
    run = preview(program, supervisor, csv_bytes([client_row(1), client_row(2)]))

    assert (run.status, run.rows, run.created, run.errors) == ("previewed", 2, 2, [])
    assert [action for _, _, action in run.plan] == ["create", "create"]
    assert Client.objects.count() == 0
    assert ImportedRecord.objects.count() == 0


def test_confirm_writes_clients_with_their_episode_and_audits_them(
    program: Program, supervisor: User, specialist: User
) -> None:
    run = preview(
        program,
        supervisor,
        csv_bytes(
            [client_row(1), client_row(2, closed_on="2025-03-01", closure_reason="Moved away")]
        ),
    )

    done = import_confirm(run=run, actor=supervisor)

    assert (done.status, done.created, done.updated, done.skipped) == ("done", 2, 0, 0)
    assert done.content is None
    clients = Client.objects.order_by("first_name")
    assert [c.specialist_id for c in clients] == [specialist.pk, specialist.pk]
    closed = Episode.objects.get(client__first_name="Synth2")
    assert (str(closed.closed_on), closed.closure_reason) == ("2025-03-01", "moved")
    assert all(c.current_episode_id for c in clients)
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.actor == supervisor
    assert set(
        AuditEventClient.objects.filter(event=event).values_list("client_id", flat=True)
    ) == {c.pk for c in clients}


def test_importing_again_updates_changed_rows_and_skips_the_rest(
    program: Program, supervisor: User, specialist: User
) -> None:
    import_confirm(
        run=preview(program, supervisor, csv_bytes([client_row(1), client_row(2)])),
        actor=supervisor,
    )

    again = preview(
        program, supervisor, csv_bytes([client_row(1), client_row(2, last_name="Corrected")])
    )
    done = import_confirm(run=again, actor=supervisor)

    assert (done.created, done.updated, done.skipped) == (0, 1, 1)
    assert Client.objects.count() == 2
    assert Episode.objects.count() == 2
    assert Client.objects.filter(last_name="Corrected").count() == 1


def test_bad_rows_are_listed_and_the_rest_written(
    program: Program, supervisor: User, specialist: User
) -> None:
    rows = [
        client_row(1),
        client_row(2, referred_on="2999-01-01"),
        client_row(3, specialist="nobody"),
        client_row(4, birth_date="not a date"),
        client_row(5, first_name="Synth1", last_name="Person1"),
    ]
    run = preview(program, supervisor, csv_bytes(rows))

    errors = {(e["row"], e["column"]) for e in run.errors}
    assert errors == {(3, "referred_on"), (4, "specialist"), (5, "birth_date"), (6, "last_name")}
    done = import_confirm(run=run, actor=supervisor)
    assert done.created == 1
    assert Client.objects.count() == 1


def test_wrong_columns_refuse_the_file(program: Program, supervisor: User) -> None:
    content = csv_bytes([client_row(1)], columns=["external_id", "first_name", "surname"])

    with pytest.raises(
        ValidationError, match=r"missing columns: last_name.*unknown columns: surname"
    ):
        preview(program, supervisor, content)
    assert ImportRun.objects.count() == 0
