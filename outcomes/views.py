"""Outcome pages and exports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from ips import pages
from ips.access import Capability
from ips.audit import audit_read
from ips.calendar import Period
from ips.exports import csv_response, rate_cell
from ips.models import AuditEvent, Program
from outcomes.selectors import stored_or_live_outcomes

SUBMISSION_COLUMNS = (
    "program_id",
    "program",
    "period",
    "caseload",
    "working",
    "rate",
    "job_starts",
    "in_education",
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
    outcomes = stored_or_live_outcomes([program.pk for program in programs], quarter)
    rows = [
        [
            program.pk,
            program.name,
            quarter.label,
            outcomes[program.pk].caseload,
            outcomes[program.pk].working,
            rate_cell(outcomes[program.pk].rate),
            outcomes[program.pk].job_starts,
            outcomes[program.pk].in_education,
        ]
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
