"""Outcome pages and exports."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from ips import access
from ips.access import Capability
from ips.audit import audit_read
from ips.calendar import Period
from ips.models import AuditEvent, Program
from outcomes.api.serializers import rounded_rate
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


@login_required
def submission_csv(request: HttpRequest, period: str) -> HttpResponse:
    """The quarterly learning-community submission of the director's agency programs: one row
    per program (stored roll-up, else computed now). Each program exported is audited."""
    try:
        quarter = Period.parse(period)
    except ValueError:
        quarter = None
    if quarter is None or quarter.kind != "quarter":
        return HttpResponseBadRequest("Give the period as a quarter, such as 2026-Q1.")
    programs = list(
        Program.objects.filter(
            id__in=access.program_ids_for(request.user, Capability.EXPORT_OUTCOMES)
        ).order_by("agency__name", "name")
    )
    if not programs:
        raise PermissionDenied("Only an agency's directors export its outcome submission.")
    outcomes = stored_or_live_outcomes([program.pk for program in programs], quarter)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{quarter.label}.csv"'
    writer = csv.writer(response)
    writer.writerow(SUBMISSION_COLUMNS)
    for program in programs:
        outcome = outcomes[program.pk]
        rate = rounded_rate(outcome.rate)
        writer.writerow(
            [
                program.pk,
                program.name,
                quarter.label,
                outcome.caseload,
                outcome.working,
                "" if rate is None else f"{rate:.4f}",
                outcome.job_starts,
                outcome.in_education,
            ]
        )
        audit_read(
            actor=request.user,
            obj=program,
            agency_id=program.agency_id,
            action=AuditEvent.Action.EXPORT,
            request=request,
        )
    return response
