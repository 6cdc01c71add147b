"""Outcome pages: the dashboard of a program or agency, the reports page, downloads and CSV.

Supervisors see their programs' outcomes, directors every program of their agency and the
agency as a whole. Someone who cannot see the program at all gets 404; someone who can see it
but whose role does not include outcomes gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from ips import pages
from ips.access import Capability
from ips.audit import audit_read
from ips.calendar import Period, today
from ips.exports import csv_response
from ips.models import AuditEvent
from ips.pdf import pdf_file_response
from outcomes.models import OutcomeReport
from outcomes.reports import services
from outcomes.reports.context import Scope, report_context, report_period
from outcomes.reports.page import ReportCell, reports_page
from outcomes.reports.scopes import agency_scope, program_scope
from outcomes.reports.tables import CSV_TABLES, table_rows
from outcomes.selectors import NoMinimumWage, check_minimum_wage


def _scope(request: HttpRequest, scope: str, pk: int) -> Scope:
    return program_scope(request, pk) if scope == "program" else agency_scope(request, pk)


@pages.requires(Capability.VIEW_OUTCOMES)
def reports(request: HttpRequest) -> HttpResponse:
    """Every program (and agency) the user may report on, by recent months and quarters."""
    return render(request, "outcomes/reports.html", reports_page(request.user, today()))


@login_required
def dashboard(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    """The outcome numbers of one program or agency for a period: the report, in the browser."""
    found = _scope(request, scope, pk)
    label = request.GET.get("period", "").strip()
    error = ""
    try:
        period = report_period(label) if label else report_period(_current_quarter())
    except ValueError as problem:
        error, period = str(problem), report_period(_current_quarter())
    context = report_context(found, period, generated_at=timezone.now())
    context.update(
        scope_kind=scope,
        period_error=error,
        period_input=label or period.label,
        previous=period.previous(),
        next=period.next(),
        csv_tables=CSV_TABLES,
    )
    return render(request, "outcomes/dashboard.html", context, status=400 if error else 200)


def _current_quarter() -> str:
    return Period.containing("quarter", today()).label


@login_required
def table_download(
    request: HttpRequest, scope: str, pk: int, period: str, table: str
) -> HttpResponse:
    """One of the report's tables as CSV (audited as an export)."""
    found = _scope(request, scope, pk)
    if table not in CSV_TABLES:
        raise Http404("No such table.")
    try:
        chosen = report_period(period)
        if found.program is not None:
            check_minimum_wage([found.program.pk])
    except NoMinimumWage as refused:
        return HttpResponse(str(refused), status=409, content_type="text/plain")
    except ValueError as problem:
        return HttpResponse(str(problem), status=400, content_type="text/plain")
    header, rows = table_rows(found, chosen, table)
    audit_read(
        actor=request.user,
        obj=found.program or found.agency,
        agency_id=found.agency.pk,
        action=AuditEvent.Action.EXPORT,
        request=request,
    )
    return csv_response(f"{slugify(found.name)}-{chosen.label}-{table}.csv", header, rows)


@login_required
@require_POST
def report_generate(request: HttpRequest, scope: str, pk: int, period: str) -> HttpResponse:
    """Queue the report of a program or agency for a period (again); htmx gets the cell."""
    found = _scope(request, scope, pk)
    try:
        report, _ = services.report_request(
            agency=found.agency,
            program=found.program,
            period_label=period,
            requested_by=request.user,
        )
    except ValueError as problem:
        return HttpResponse(str(problem), status=400, content_type="text/plain")
    if request.htmx:
        report.refresh_from_db()
        return _cell(request, report)
    if report.waiting_for_worker:
        messages.warning(
            request,
            "The report is queued, waiting for the background worker (busy or not available at "
            "the moment): it will be generated once the worker is back.",
        )
    return redirect("outcomes:reports")


@login_required
@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    """Queue the report chosen on the reports page: `report` ("program-7", "agency-2") and
    `period` ("2026-Q1") from the form (or the query string); back to the page."""
    data = request.POST if "report" in request.POST else request.GET
    kind, _, pk = data.get("report", "").partition("-")
    if kind not in {"program", "agency"} or not pk.isdigit():
        return HttpResponse("Choose a program or an agency.", status=400, content_type="text/plain")
    found = _scope(request, kind, int(pk))
    try:
        report, _ = services.report_request(
            agency=found.agency,
            program=found.program,
            period_label=data.get("period", ""),
            requested_by=request.user,
        )
    except ValueError as problem:
        return HttpResponse(str(problem), status=400, content_type="text/plain")
    messages.success(request, f"The report of {found.name} for {report.period} is being made.")
    return redirect("outcomes:reports")


def _cell(request: HttpRequest, report: OutcomeReport) -> HttpResponse:
    scope = Scope(agency=report.agency, program=report.program)
    context = {
        "cell": ReportCell(report_period(report.period), report),
        "kind": "program" if report.program_id else "agency",
        "pk": report.program_id or report.agency_id,
        "scope": scope,
    }
    return render(request, "outcomes/_report_cell.html", context)


def _visible_report(request: HttpRequest, pk: int) -> OutcomeReport:
    return pages.record_for(
        request, OutcomeReport.objects.select_related("agency", "program"), pk=pk
    )


@login_required
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's cell on the reports page: htmx polls it while the report is generated."""
    return _cell(request, _visible_report(request, pk))


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored PDF (audited as an export); 404 until one has been made."""
    return pdf_file_response(request, _visible_report(request, pk))
