"""The stored PDF reports through the API: the file when it is ready, 202 while it is built.

`GET /api/v1/programs/ID/reports/2026-Q1.pdf` (or a month, `2026-03.pdf`) answers the stored
PDF (while a newer one is being generated, the last complete one). When there is none yet, it
queues the report (once) and answers 202 Accepted with a Location to poll, the same URL, and
Retry-After. Agencies have the same route under `/api/v1/agencies/ID/reports/`.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from ips.pdf import pdf_download
from outcomes.models import OutcomeReport
from outcomes.reports import services
from outcomes.reports.context import Scope, report_period
from outcomes.reports.scopes import agency_scope, program_scope

REPORT_RESPONSES = {
    200: OpenApiResponse(OpenApiTypes.BINARY, description="The stored PDF (application/pdf)."),
    202: OpenApiResponse(
        description="Queued or being generated (or waiting for the background worker, which "
        "the detail says); poll the Location."
    ),
    400: OpenApiResponse(description="Not a month (2026-03) or a quarter (2026-Q1)."),
    404: OpenApiResponse(description="No such program among those visible to the caller."),
}


def _answer(request: Request, scope: Scope, period: str) -> HttpResponse | Response:
    try:
        chosen = report_period(period)
    except ValueError as problem:
        return Response({"period": [str(problem)]}, status=status.HTTP_400_BAD_REQUEST)
    report = (
        OutcomeReport.objects.select_related("agency", "program")
        .filter(agency=scope.agency, program=scope.program, period=chosen.label)
        .first()
    )

    def ask() -> OutcomeReport:
        asked, _ = services.report_request(
            agency=scope.agency,
            program=scope.program,
            period_label=chosen.label,
            requested_by=request.user,
        )
        return asked

    def preparing(asked: OutcomeReport) -> Response:
        if asked.waiting_for_worker:
            detail = (
                "The report is queued, waiting for the background worker (busy or not "
                "available at the moment): it will be generated once the worker is back; poll "
                "the Location."
            )
        else:
            detail = "The report is being generated; poll the Location."
        return Response({"status": asked.status, "detail": detail})

    return pdf_download(request, report, ask=ask, preparing=preparing, newest_only=True)


@extend_schema(responses=REPORT_RESPONSES)
@api_view(["GET"])
def program_report(request: Request, pk: int, period: str) -> HttpResponse | Response:
    """A program's monthly or quarterly outcome report as PDF."""
    return _answer(request, program_scope(request, pk), period)


@extend_schema(responses=REPORT_RESPONSES)
@api_view(["GET"])
def agency_report(request: Request, pk: int, period: str) -> HttpResponse | Response:
    """An agency's monthly or quarterly outcome report (all its programs) as PDF."""
    return _answer(request, agency_scope(request, pk), period)
