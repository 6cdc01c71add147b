"""Writes of the imports: preview a file (nothing written), confirm it, write it in batches
(in the request for a small file, else by the worker), resume a run whose worker died.

- `import_preview` reads and checks every row against the program as it is now, and stores
  the run `previewed` with the file, what each row would do and every error. Nothing else.
  A large file is only read (its columns, its size) in the request and checked by the worker
  (`import_check`, the run `checking` meanwhile).
- `import_confirm` moves it to `running` (once: a second confirm changes nothing) and writes it
  now (small files) or sends the task once the transaction commits.
- `import_write` writes the batches from where the run stands. Each batch is one transaction
  holding the run's row lock: its records, their external-id mappings, the run's counts and
  progress (`rows_done`) and the audit rows commit together or not at all. A worker killed
  mid-batch loses that batch only; the run sent again (the sweep, or a visit to its page)
  continues at `rows_done`, and two runs at once take turns, so no row is written twice.
  Rows are checked again as they are written against the records (what was valid at preview
  may not be now: a client archived since); the model's field checks, which read only the
  row's cells, are not run again on the rows the preview found valid (the run's `plan`, kept
  until it is done).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from employers.models import normalise_employer_name
from imports.cells import Row, parse_date
from imports.files import FileRefused, Sheet, read_sheet
from imports.kinds import KINDS
from imports.kinds.base import Context, Outcome
from imports.kinds.clients import person_key
from imports.models import IN_WORKER, ImportRun, Kind
from ips import access
from ips.access import Capability
from ips.audit import audit_read
from ips.calendar import Period, today
from ips.models import Agency, AuditEvent, AuditEventClient, Program, User
from ips.queue import send_on_commit

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

TASK = "imports.tasks.import_write_task"
CHECK_TASK = "imports.tasks.import_check_task"
ROLLUP_TASK = "outcomes.tasks.outcome_rollup_task"
S = ImportRun.Status


def _rows(sheet: Sheet, date_order: str) -> list[Row]:
    day = today()
    return [Row(number, values, date_order=date_order, today=day) for number, values in sheet.rows]


def _read(content: bytes, *, kind: str, encoding: str) -> Sheet:
    """The file's rows, refused (FileRefused) unless its columns are those of `kind`."""
    sheet = read_sheet(content, encoding=encoding, prefer_sheet=kind)
    problem = KINDS[kind].header_problem(sheet.header)
    if problem:
        raise FileRefused(problem)
    return sheet


def import_preview(
    *,
    program: Program,
    kind: str,
    file_name: str,
    content: bytes,
    actor: User,
    encoding: str = "auto",
    date_order: str = "mdy",
    commit: bool = False,
) -> ImportRun:
    """Check a file of `kind` for the program and store what importing it would do: the rows
    created, updated (imported before, changed since) or skipped (unchanged), and every error
    (row, column, message). Nothing else is written. ValidationError for a file that cannot be
    imported at all (its columns, its size, not a spreadsheet, a formula, …).

    A file of more than `IMPORT_INLINE_PREVIEW_ROWS` rows is checked by the worker: the run is
    stored `checking` and previewed once the worker is done (`import_check`), then confirmed
    at once when `commit` asks for it."""
    if kind not in KINDS:
        raise ValidationError({"kind": f"Choose one of: {', '.join(Kind.values)}."})
    try:
        sheet = _read(content, kind=kind, encoding=encoding)
    except FileRefused as refused:
        raise ValidationError({"file": refused.message}) from None
    run = ImportRun(
        program=program,
        kind=kind,
        file_name=file_name[:255],
        content=content,
        file_format=sheet.file_format,
        encoding=sheet.encoding,
        date_order=date_order,
        created_by=actor,
        rows=len(sheet.rows),
    )
    if len(sheet.rows) > settings.IMPORT_INLINE_PREVIEW_ROWS:
        with transaction.atomic():
            run.status, run.heartbeat_at, run.commit_when_checked = (
                S.CHECKING,
                timezone.now(),
                commit,
            )
            run.save()
            send_on_commit(CHECK_TASK, run.pk)
        return run
    ctx = Context(program=program, actor=actor, date_order=date_order)
    _store_outcome(run, _process(ctx, KINDS[kind], _rows(sheet, date_order)))
    run.save()
    return run


def _store_outcome(run: ImportRun, outcome: Outcome) -> None:
    run.created, run.updated, run.skipped = outcome.created, outcome.updated, outcome.skipped
    run.errors, run.plan = outcome.errors, outcome.plan


def _process(
    ctx: Context, kind: Any, rows: list[Row], progress: Callable[[int], Any] | None = None
) -> Outcome:
    total = Outcome()
    size = settings.IMPORT_BATCH_ROWS
    for start in range(0, len(rows), size):
        batch = kind.process(ctx, rows[start : start + size])
        total.plan += batch.plan
        total.errors += batch.errors
        total.created += batch.created
        total.updated += batch.updated
        total.skipped += batch.skipped
        if progress is not None:
            progress(start + len(rows[start : start + size]))
    return total


def import_check(*, run_id: int) -> ImportRun | None:
    """Check (preview) a file too large for the request, in the worker: the same outcome as
    `import_preview`, the rows checked so far recorded for the progress bar. Nothing but the
    run is written, so a run whose worker died is checked again from the start. A run the API
    asked to import at once is then confirmed. None when there was nothing to check."""
    run = ImportRun.objects.select_related("program", "created_by").filter(pk=run_id).first()
    if run is None or run.status != S.CHECKING:
        return None
    checking = ImportRun.objects.filter(pk=run_id, status=S.CHECKING)
    checking.update(heartbeat_at=timezone.now(), attempts=F("attempts") + 1)
    try:
        sheet = _read(bytes(run.content or b""), kind=run.kind, encoding=run.encoding or "auto")
    except FileRefused:
        return _fail(run_id, "The stored file could not be read again.")
    ctx = Context(program=run.program, actor=run.created_by, date_order=run.date_order)
    outcome = _process(
        ctx,
        KINDS[run.kind],
        _rows(sheet, run.date_order),
        progress=lambda done: checking.update(rows_done=done, heartbeat_at=timezone.now()),
    )
    _store_outcome(run, outcome)
    checked = checking.update(
        status=S.PREVIEWED,
        rows_done=0,
        heartbeat_at=None,
        created=run.created,
        updated=run.updated,
        skipped=run.skipped,
        errors=run.errors,
        plan=run.plan,
    )
    run.refresh_from_db()
    if checked and run.commit_when_checked:
        return import_confirm(run=run, actor=run.created_by)
    return run


def import_confirm(*, run: ImportRun, actor: User) -> ImportRun:
    """Write a previewed run (all its valid rows), recording the import in the audit trail.
    A run already confirmed is left as it is, except one whose worker died: it is sent again.
    Small files are written at once; larger ones by the worker."""
    with transaction.atomic():
        now = timezone.now()
        claimed = ImportRun.objects.filter(pk=run.pk, status=S.PREVIEWED).update(
            status=S.RUNNING,
            started_at=now,
            heartbeat_at=now,
            rows_done=0,
            created=0,
            updated=0,
            skipped=0,
            errors=[],
        )
        if claimed:
            event = AuditEvent.objects.create(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                agency_id=run.program.agency_id,
                content_type=ContentType.objects.get_for_model(ImportRun),
                object_id=str(run.pk),
                path=f"/imports/{run.pk}/",
            )
            ImportRun.objects.filter(pk=run.pk).update(audit_event=event)
        else:
            stale = ImportRun.objects.stale(now).filter(pk=run.pk).values_list("status", flat=True)
            if stale:
                _send_again(run.pk, stale[0])
            run.refresh_from_db()
            return run
        if run.rows > settings.IMPORT_INLINE_ROWS:
            send_on_commit(TASK, run.pk)
    if run.rows <= settings.IMPORT_INLINE_ROWS:
        import_write(run_id=run.pk)
    run.refresh_from_db()
    return run


def import_write(*, run_id: int, batches: int | None = None) -> ImportRun | None:
    """Write the run's batches from where it stands (all of them, or `batches` of them), then
    finish it. Returns None when there was nothing to do (not running: done, failed, gone)."""
    runs = ImportRun.objects.select_related("program", "created_by").defer("plan")
    run = runs.filter(pk=run_id).first()
    if run is None or run.status != S.RUNNING:
        return None
    ImportRun.objects.filter(pk=run_id).update(
        heartbeat_at=timezone.now(), attempts=F("attempts") + 1
    )
    try:
        sheet = _read(bytes(run.content or b""), kind=run.kind, encoding=run.encoding or "auto")
    except FileRefused:
        return _fail(run_id, "The stored file could not be read again.")
    rows = _rows(sheet, run.date_order)
    kind = KINDS[run.kind]
    actor = run.audit_event.actor if run.audit_event_id else run.created_by
    ctx = Context(program=run.program, actor=actor, date_order=run.date_order, write=True)
    plan = ImportRun.objects.filter(pk=run_id).values_list("plan", flat=True).get()
    ctx.checked = {number for number, _, _ in plan}
    del plan  # only the row numbers are needed; a large file's plan is megabytes
    _replay(ctx, kind, rows[: run.rows_done])
    written = 0
    while batches is None or written < batches:
        try:
            more = _write_batch(ctx, kind, rows, run_id)
        except DatabaseError as error:
            # The kind of error only: its message could quote a row's values.
            logger.error("Import run %s failed: %s", run_id, type(error).__name__)
            return _fail(run_id, f"Writing a batch failed ({type(error).__name__}).")
        if not more:
            return _finish(run_id)
        written += 1
    return ImportRun.objects.get(pk=run_id)


def _replay(ctx: Context, kind: Any, done: list[Row]) -> None:
    """What the rows already written showed the run (their external ids, the people and names
    they named), so a resumed run still refuses a later row repeating one of them."""
    for row in done:
        ext = row.text("external_id")
        if ext:
            ctx.seen_ids.setdefault(ext, row.number)
        for key in _remembered(kind.key, row):
            ctx.seen.setdefault(key, row.number)


def _remembered(kind: str, row: Row) -> list[Any]:
    if kind == "clients":
        born = parse_date(row.text("birth_date"), row.date_order)
        return [person_key(row.text("first_name"), row.text("last_name"), born)]
    if kind == "employers":
        return [normalise_employer_name(row.text("name"))]
    return []


def _write_batch(ctx: Context, kind: Any, rows: list[Row], run_id: int) -> bool:
    """Write the next batch; False when every row has been written."""
    with transaction.atomic():
        run = (
            ImportRun.objects.select_for_update()
            .only("status", "rows_done", "errors", "audit_event_id", "earliest_on", "program_id")
            .get(pk=run_id)
        )
        if run.status != S.RUNNING or run.rows_done >= len(rows):
            return False
        batch = rows[run.rows_done : run.rows_done + settings.IMPORT_BATCH_ROWS]
        _lock_program_kind(run.program_id, kind.key)
        outcome = kind.process(ctx, batch)
        earliest = min(
            (day for day in (run.earliest_on, outcome.earliest) if day is not None), default=None
        )
        ImportRun.objects.filter(pk=run_id).update(
            rows_done=F("rows_done") + len(batch),
            created=F("created") + outcome.created,
            updated=F("updated") + outcome.updated,
            skipped=F("skipped") + outcome.skipped,
            errors=run.errors + outcome.errors,
            heartbeat_at=timezone.now(),
            earliest_on=earliest,
        )
        if run.audit_event_id and outcome.clients:
            AuditEventClient.objects.bulk_create(
                [
                    AuditEventClient(event_id=run.audit_event_id, client_id=client_id)
                    for client_id in sorted(outcome.clients)
                ],
                ignore_conflicts=True,
            )
    return True


def _lock_program_kind(program_id: int, kind: str) -> None:
    """One writer per program and kind at a time, until the transaction ends: two runs of the
    same file never both create a record for one external id."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        number = list(Kind.values).index(kind) + 1
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [program_id, number])


def _finish(run_id: int) -> ImportRun:
    """Done: the file's content is dropped (the errors stay with the run), and the outcome
    roll-ups of the program from the earliest period the rows touched are computed again."""
    with transaction.atomic():
        finished = ImportRun.objects.filter(pk=run_id, status=S.RUNNING).update(
            status=S.DONE, finished_at=timezone.now(), content=None, plan=[]
        )
        run = ImportRun.objects.get(pk=run_id)
        if finished and run.earliest_on is not None and run.created + run.updated:
            _recompute_outcomes(run)
    return run


def _recompute_outcomes(run: ImportRun) -> None:
    """Stored roll-ups of past months and quarters were counted without the imported history:
    each period from the earliest imported date to today is rolled up again."""
    assert run.earliest_on is not None  # noqa: S101 (checked by the caller)
    for kind in ("month", "quarter"):
        period = Period.containing(kind, run.earliest_on)
        while period.first <= today():
            send_on_commit(ROLLUP_TASK, period.label, [run.program_id])  # type: ignore[arg-type]
            period = period.next()


def _fail(run_id: int, why: str) -> ImportRun:
    ImportRun.objects.filter(pk=run_id, status__in=IN_WORKER).update(
        status=S.FAILED, finished_at=timezone.now(), failure=why, plan=[]
    )
    return ImportRun.objects.get(pk=run_id)


def import_sweep() -> int:
    """Send again every run whose worker died (no batch recorded for `STALE_AFTER`); it
    continues from its last batch. Returns how many were sent."""
    stale = list(ImportRun.objects.stale(timezone.now()).values_list("pk", "status")[:100])
    for pk, status in stale:
        _send_again(pk, status)
    if stale:
        logger.warning("Import runs sent again: %s", stale)
    return len(stale)


def _send_again(run_id: int, status: str) -> None:
    """Send a run whose worker died to the worker again: to be checked, or written on from
    its last batch."""
    ImportRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
    send_on_commit(CHECK_TASK if status == S.CHECKING else TASK, run_id)


def export_audit(*, actor: User, program: Program | None, request: HttpRequest) -> None:
    """Record a list taken out as a spreadsheet: an export of the program, or (a list spanning
    the user's programs) of each agency the user sees clients in."""
    if program is not None:
        targets: list[tuple[Any, int]] = [(program, program.agency_id)]
    else:
        grants = access.grants(actor)
        agencies = {grants.program_agencies[p] for p in grants.programs[Capability.VIEW_CLIENTS]}
        targets = [(Agency(pk=pk), pk) for pk in sorted(agencies)]
    for obj, agency_id in targets:
        audit_read(
            actor=actor,
            obj=obj,
            agency_id=agency_id,
            action=AuditEvent.Action.EXPORT,
            request=request,
        )
