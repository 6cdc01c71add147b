"""Writes of stored outcome reports: asking for one, and making it (from the Celery task).

Both go through the stored-PDF pipeline (`ips.pdf`): a report row moves pending → running →
done (or failed); asking again while it is queued or being made changes nothing, asking for a
done, failed or stuck one queues it again. The task claims the row, renders to a new file and
swaps it in, so a download always gets a complete report.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from ips.calendar import Period
from ips.models import Agency, Program
from ips.pdf import pdf_render, pdf_request, render_pdf
from outcomes.models import OutcomeReport
from outcomes.reports.context import Scope, report_context, report_period
from outcomes.selectors import check_minimum_wage, has_schedule, without_minimum_wage
from outcomes.services import outcome_rollup

if TYPE_CHECKING:
    from ips.models import User

TEMPLATE = "outcomes/pdf/outcome_report.html"


def report_scope(report: OutcomeReport) -> Scope:
    """Whose report it is: its program, or its whole agency."""
    return Scope(agency=report.agency, program=report.program)


@transaction.atomic
def report_request(
    *, agency: Agency, program: Program | None, period_label: str, requested_by: User | None
) -> tuple[OutcomeReport, bool]:
    """Ask for the report of `program` (or of the whole `agency`) for a month or quarter.

    Returns the report row and whether this call queued it (False when it was already queued
    or being made). The task is sent once the transaction commits. Raises ValueError for a
    program of another agency, or a period that is not a month or a quarter.
    """
    if program is not None and program.agency_id != agency.pk:
        raise ValueError("The program is not one of the agency's.")
    period = report_period(period_label)
    if program is not None:
        check_minimum_wage([program.pk])
    return pdf_request(
        model=OutcomeReport,
        key={"agency": agency, "program": program, "period": period.label},
        fields={"kind": period.kind},
        requested_by=requested_by,
    )


def reports_prepare(*, periods: list[Period]) -> int:
    """Ask for the report of every agency, and of every program with a minimum-wage schedule,
    for each of `periods` (the month and quarter just closed), so that the reports page opens
    on ready downloads. A report already made, queued or being made is left alone; a failed or
    stuck one is asked for again. Returns how many were queued; running it twice queues
    nothing more."""
    labels = [period.label for period in periods]
    existing = {
        (report.agency_id, report.program_id, report.period): report
        for report in OutcomeReport.objects.filter(period__in=labels)
    }
    programs = Program.objects.filter(has_schedule("pk")).order_by("agency_id", "pk")
    scopes = [(agency, None) for agency in Agency.objects.order_by("pk")]
    scopes += [(program.agency, program) for program in programs.select_related("agency")]
    queued = 0
    for agency, program in scopes:
        for label in labels:
            found = existing.get((agency.pk, getattr(program, "pk", None), label))
            if found is not None and found.status != found.Status.FAILED and not found.is_stuck:
                continue
            _, asked = report_request(
                agency=agency, program=program, period_label=label, requested_by=None
            )
            queued += asked
    return queued


def report_generate(*, report_id: int) -> OutcomeReport | None:
    """Make and store the report's PDF, if this call wins the claim on the row.

    Returns the report when this call made it (done or failed), None when there was nothing to
    do (already made, or another worker is on it). Safe to run twice.
    """
    jobs = OutcomeReport.objects.select_related("agency", "program")
    return pdf_render(jobs=jobs, pk=report_id, render=_render)


def _render(report: OutcomeReport, started: dt.datetime) -> bytes:
    """The PDF. A program's roll-up of the period is refreshed first, so the report, the API
    and the dashboard give the same numbers, late-entered data included. A program without a
    minimum-wage schedule (removed since it was asked for) gets a report saying why."""
    period = report_period(report.period)
    if report.program_id is not None and not without_minimum_wage([report.program_id]):
        outcome_rollup(period=period, program_ids=[report.program_id])
    context = report_context(report_scope(report), period, generated_at=started)
    return render_pdf(TEMPLATE, context)
