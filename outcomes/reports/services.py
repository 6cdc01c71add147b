"""Writes of stored outcome reports: asking for one, and generating it (from the Celery task).

A report row moves pending → running → done (or failed). Asking again while it is queued or
being generated changes nothing; asking for a done or failed one queues it again. Generating
claims the row with a conditional UPDATE, renders the PDF to a new file, and swaps the file in
with a second conditional UPDATE, so a download always gets a complete file and two workers
never both write. A worker killed halfway leaves the row running (a lost message leaves it
queued); once `REPORT_STALE_AFTER` has passed the row may be claimed again (the broker
redelivers the unacknowledged task, or a user asks again).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ips.models import Agency, Program
from ips.pdf import render_pdf
from outcomes.models import OutcomeReport, stuck_reports
from outcomes.reports.context import Scope, report_context, report_period
from outcomes.services import outcome_rollup

if TYPE_CHECKING:
    from ips.models import User

logger = logging.getLogger(__name__)

TEMPLATE = "outcomes/pdf/outcome_report.html"
S = OutcomeReport.Status


def report_scope(report: OutcomeReport) -> Scope:
    return Scope(agency=report.agency, program=report.program)


def _requeueable(now: dt.datetime) -> Q:
    return Q(status__in=[S.DONE, S.FAILED]) | stuck_reports(now)


@transaction.atomic
def report_request(
    *, agency: Agency, program: Program | None, period_label: str, requested_by: User
) -> tuple[OutcomeReport, bool]:
    """Ask for the report of `program` (or of the whole `agency`) for a month or quarter.

    Returns the report row and whether generation was queued by this call (False when it was
    already queued or being generated). The task is sent once the transaction commits. Raises
    ValueError for a period that is not a month or a quarter.
    """
    from outcomes.tasks import report_generate_task

    if program is not None and program.agency_id != agency.pk:
        raise ValueError("The program is not one of the agency's.")
    period = report_period(period_label)
    now = timezone.now()
    report, created = _get_or_create(agency, program, period.label, period.kind, requested_by, now)
    queued = created or bool(
        OutcomeReport.objects.filter(_requeueable(now), pk=report.pk).update(
            status=S.PENDING, requested_by=requested_by, requested_at=now, error=""
        )
    )
    if queued:
        report.refresh_from_db()
        transaction.on_commit(lambda: report_generate_task.delay(report.pk))
    return report, queued


def _get_or_create(
    agency: Agency,
    program: Program | None,
    label: str,
    kind: str,
    requested_by: User,
    now: dt.datetime,
) -> tuple[OutcomeReport, bool]:
    lookup = {"agency": agency, "program": program, "period": label}
    found = OutcomeReport.objects.filter(**lookup).first()
    if found is not None:
        return found, False
    try:
        # Two people asking at the same moment: the unique constraint lets one row in.
        with transaction.atomic():
            return OutcomeReport.objects.create(
                **lookup, kind=kind, requested_by=requested_by, requested_at=now
            ), True
    except IntegrityError:
        return OutcomeReport.objects.get(**lookup), False


def report_generate(*, report_id: int) -> OutcomeReport | None:
    """Render the report and store its PDF, if this call wins the claim on the row.

    Returns the report when this call generated it (done or failed), None when there was
    nothing to do (already generated, or another worker is on it). Safe to run twice.
    """
    started = timezone.now()
    claimed = OutcomeReport.objects.filter(
        Q(status=S.PENDING) | stuck_reports(started), pk=report_id
    ).update(status=S.RUNNING, started_at=started, finished_at=None, error="")
    if not claimed:
        return None
    report = OutcomeReport.objects.select_related("agency", "program").get(pk=report_id)
    storage = report.file.storage
    try:
        pdf = _render(report, started)
        new_name = storage.save(
            report.file.field.generate_filename(report, _file_name(report)), ContentFile(pdf)
        )
    except Exception as error:
        # Log and store the kind of error only: its message or traceback could quote client data.
        kind = type(error).__name__
        logger.error("Outcome report %s failed: %s", report_id, kind)
        _finish(report, started, status=S.FAILED, error=f"Generating failed ({kind}).")
        report.refresh_from_db()
        return report
    old_name = report.file.name
    if _finish(report, started, status=S.DONE, file=new_name):
        if old_name and old_name != new_name:
            storage.delete(old_name)
    else:
        storage.delete(new_name)  # another run claimed the row since: its file wins
    report.refresh_from_db()
    return report


def _render(report: OutcomeReport, started: dt.datetime) -> bytes:
    """The PDF. A program's roll-up of the period is refreshed first, so the report, the API
    and the dashboard give the same numbers, late-entered data included."""
    period = report_period(report.period)
    if report.program_id is not None:
        outcome_rollup(period=period, program_ids=[report.program_id])
    context = report_context(report_scope(report), period, generated_at=started)
    return render_pdf(TEMPLATE, context)


def _file_name(report: OutcomeReport) -> str:
    """A new name each time, so the stored file is only ever replaced by pointing elsewhere."""
    scope = f"program-{report.program_id}" if report.program_id else f"agency-{report.agency_id}"
    return f"{scope}-{report.period}-{uuid.uuid4().hex[:12]}.pdf"


def _finish(report: OutcomeReport, started: dt.datetime, **changes: object) -> bool:
    """Record the outcome of this run, unless another run has claimed the row since."""
    updated = OutcomeReport.objects.filter(
        pk=report.pk, status=S.RUNNING, started_at=started
    ).update(finished_at=timezone.now(), **changes)
    return bool(updated)
