"""Outcome pages and exports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from ips import pages
from ips.access import Capability
from ips.audit import audit_read
from ips.calendar import Period, today
from ips.exports import csv_response, rate_cell
from ips.models import AuditEvent, Program
from outcomes.numbers import Outcome
from outcomes.selectors import no_schedule_message, stored_or_live_outcomes, without_minimum_wage

SUBMISSION_COLUMNS = (
    "program_id",
    "program",
    "period",
    "caseload",
    "working",
    "rate",
    "job_starts",
    "in_education",
    # Added for the learning community's out-of-work rate and flow of clients; appended so
    # that a reader of the earlier columns by position still reads them.
    "out_of_work_caseload",
    "out_of_work_working",
    "out_of_work_rate",
    "new_enrollments",
    "closures",
    "preliminary",
    "note",
)


@pages.requires(Capability.EXPORT_OUTCOMES)
def submission_csv(request: HttpRequest, period: str) -> HttpResponse:
    """The quarterly learning-community submission of the director's agency programs: one row
    per program (stored roll-up, else computed now). Each program exported is audited."""
    try:
        quarter = Period.parse(period, kinds=("quarter",))
    except ValueError:
        return pages.bad_request(request, "Give the period as a quarter, such as 2026-Q1.")
    programs = list(
        Program.objects.granting(request.user, Capability.EXPORT_OUTCOMES).order_by(
            "agency__name", "name"
        )
    )
    refused = {program.pk for program in without_minimum_wage(p.pk for p in programs)}
    counted = [program.pk for program in programs if program.pk not in refused]
    outcomes = stored_or_live_outcomes(counted, quarter)
    rows = [
        _refused_row(program, quarter)
        if program.pk in refused
        else _submission_row(program, outcomes[program.pk])
        for program in programs
    ]
    for program in programs:
        audit_read(
            actor=request.user,
            obj=program,
            agency_id=program.agency_id,
            action=AuditEvent.Action.EXPORT,
            request=request,
        )
    return csv_response(f"outcomes-{quarter.label}.csv", SUBMISSION_COLUMNS, rows)


def _submission_row(program: Program, outcome: Outcome) -> list[object]:
    return [
        program.pk,
        program.name,
        outcome.period.label,
        outcome.caseload,
        outcome.working,
        rate_cell(outcome.rate),
        outcome.job_starts,
        outcome.in_education,
        outcome.out_of_work_caseload,
        outcome.out_of_work_working,
        rate_cell(outcome.out_of_work_rate),
        outcome.new_enrollments,
        outcome.closures,
        "yes" if outcome.preliminary else "no",
        "",
    ]


def _refused_row(program: Program, quarter: Period) -> list[object]:
    """A program without a minimum-wage schedule: no numbers, and why."""
    blanks = [""] * (len(SUBMISSION_COLUMNS) - 5)
    preliminary = "no" if quarter.is_closed(today()) else "yes"
    return [
        program.pk,
        program.name,
        quarter.label,
        *blanks,
        preliminary,
        no_schedule_message(program),
    ]
