from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from outcomes.api.serializers import OutcomeQuerySerializer, OutcomeSerializer
from outcomes.reports.api import DetailSerializer
from outcomes.reports.scopes import program_scope
from outcomes.selectors import NoMinimumWage, check_minimum_wage, stored_or_live_outcomes
from outcomes.services import rollup_period


@extend_schema(
    parameters=[
        OpenApiParameter("program", OpenApiTypes.INT, required=True, description="Program id."),
        OpenApiParameter(
            "period", OpenApiTypes.STR, required=True, description="2026-03 or 2026-Q1."
        ),
    ],
    responses={
        200: OutcomeSerializer,
        409: OpenApiResponse(
            DetailSerializer,
            description="The program has no minimum-wage schedule, so no job can be judged "
            "competitive and it has no rate; the detail says so.",
        ),
    },
)
@api_view(["GET"])
def outcome_detail(request: Request) -> Response:
    """A program's outcome numbers for a month or a quarter: from the stored roll-up when there
    is one, else computed now. Supervisors read their programs', directors their agency's;
    other staff of the program get 403, everyone else 404."""
    query = OutcomeQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    try:
        period = rollup_period(query.validated_data["period"])
    except ValueError as error:
        raise ValidationError({"period": [str(error)]}) from error
    pk = query.validated_data["program"]
    program_scope(request, pk)  # 404 or 403 unless the caller may read its outcomes
    try:
        check_minimum_wage([pk])
    except NoMinimumWage as refused:
        return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
    outcome = stored_or_live_outcomes([pk], period)[pk]
    return Response(OutcomeSerializer(outcome).data)
