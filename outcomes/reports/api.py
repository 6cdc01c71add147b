"""The stored PDF reports through the API: the file when it is ready, 202 while it is built.

`GET /api/v1/programs/ID/reports/2026-Q1.pdf` (or a month, `2026-03.pdf`) answers the stored
PDF (while a newer one is being generated, the last complete one). When there is none yet, it
queues the report (once) and answers 202 Accepted with a Location to poll, the same URL, and
Retry-After. Agencies have the same route under `/api/v1/agencies/ID/reports/`.

Whatever the client accepts (`application/pdf`, `*/*`, nothing), the answer is the PDF when it
is ready, and JSON otherwise: the 202 progress and every error (`ips.api.negotiation`).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ips.api.negotiation import JSONAnswers
from ips.calendar import today
from ips.pdf import StoredPdf, pdf_download
from outcomes.models import OutcomeReport
from outcomes.reports import services
from outcomes.reports.context import Scope, report_period
from outcomes.reports.scopes import agency_scope, program_scope
from outcomes.selectors import NoMinimumWage, check_minimum_wage


class ReportProgressSerializer(serializers.Serializer):
    """The 202 answer while the PDF is queued or being generated."""

    status = serializers.ChoiceField(
        choices=StoredPdf.Status.choices, help_text="Where the report stands: queued or running."
    )
    detail = serializers.CharField(
        help_text="What is happening, and whether it waits for the background worker."
    )
    preliminary = serializers.BooleanField(
        help_text="True while the period has not ended: the report will show numbers as of the "
        "day it is made, marked preliminary."
    )


class PeriodErrorSerializer(serializers.Serializer):
    period = serializers.ListField(child=serializers.CharField())


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


REPORT_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The stored PDF, as an attachment."
    ),
    (202, "application/json"): OpenApiResponse(
        ReportProgressSerializer,
        description="Queued or being generated (or waiting for the background worker, which "
        "the detail says); poll the Location after Retry-After seconds.",
    ),
    (400, "application/json"): OpenApiResponse(
        PeriodErrorSerializer, description="Not a month (2026-03) or a quarter (2026-Q1)."
    ),
    (403, "application/json"): OpenApiResponse(
        DetailSerializer, description="A role without the outcome reports."
    ),
    (409, "application/json"): OpenApiResponse(
        DetailSerializer,
        description="The program has no minimum-wage schedule, so no job can be judged "
        "competitive and it has no report; the detail says so.",
    ),
    (404, "application/json"): OpenApiResponse(
        DetailSerializer, description="Nothing of that id among those visible to the caller."
    ),
}
PROGRESS_HEADERS = [
    OpenApiParameter(
        "Location",
        OpenApiTypes.URI,
        location=OpenApiParameter.HEADER,
        response=[202],
        description="Where to ask again: the same URL.",
    ),
    OpenApiParameter(
        "Retry-After",
        OpenApiTypes.INT,
        location=OpenApiParameter.HEADER,
        response=[202],
        description="Seconds to wait before asking again.",
    ),
]


def _answer(request: Request, scope: Scope, period: str) -> HttpResponse | Response:
    try:
        chosen = report_period(period)
    except ValueError as problem:
        return Response({"period": [str(problem)]}, status=status.HTTP_400_BAD_REQUEST)
    try:
        check_minimum_wage([scope.program.pk] if scope.program is not None else [])
    except NoMinimumWage as refused:
        return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
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
        preliminary = not chosen.is_closed(today())
        return Response({"status": asked.status, "detail": detail, "preliminary": preliminary})

    return pdf_download(request, report, ask=ask, preparing=preparing, newest_only=True)


class ReportView(APIView):
    """A stored report: the PDF when ready, JSON for everything else, whatever is accepted."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONAnswers


class ProgramReport(ReportView):
    @extend_schema(responses=REPORT_RESPONSES, parameters=PROGRESS_HEADERS)
    def get(self, request: Request, pk: int, period: str) -> HttpResponse | Response:
        """A program's monthly or quarterly outcome report as PDF."""
        return _answer(request, program_scope(request, pk), period)


class AgencyReport(ReportView):
    @extend_schema(responses=REPORT_RESPONSES, parameters=PROGRESS_HEADERS)
    def get(self, request: Request, pk: int, period: str) -> HttpResponse | Response:
        """An agency's monthly or quarterly outcome report (all its programs) as PDF."""
        return _answer(request, agency_scope(request, pk), period)


program_report = ProgramReport.as_view()
agency_report = AgencyReport.as_view()
