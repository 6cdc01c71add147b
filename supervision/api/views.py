"""The supervision API: team meetings (/api/v1/team-meetings/), supervision sessions
(/api/v1/supervision-sessions/) and the dashboard's numbers (/api/v1/supervision/).

Meetings are read by whoever may see the program's clients and recorded by whoever may edit
them; retrieving one is a read of each client it discusses (audited). Sessions belong to
supervisors (recorded) and directors (read).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ips import access
from ips.access import Capability
from ips.api.mixins import (
    ArchiveMixin,
    IdFilter,
    ScopedViewSet,
    ServiceCreateMixin,
    VersionedUpdateMixin,
)
from supervision import selectors, services
from supervision.api.serializers import (
    SupervisionNumbersSerializer,
    SupervisionSessionCreateSerializer,
    SupervisionSessionSerializer,
    SupervisionSessionUpdateSerializer,
    TeamMeetingCreateSerializer,
    TeamMeetingSerializer,
    TeamMeetingUpdateSerializer,
)
from supervision.models import ActionItem, SupervisionSession, TeamMeeting, TeamMeetingClient


class TeamMeetingFilter(filters.FilterSet):
    program = IdFilter(field_name="team__program", label="Program id")
    team = IdFilter(label="Team id")
    held_on = filters.DateFromToRangeFilter(label="Meeting date, inclusive (ISO 8601)")

    class Meta:
        model = TeamMeeting
        fields = ["program", "team", "held_on"]


class SupervisionSessionFilter(filters.FilterSet):
    program = IdFilter(label="Program id")
    held_on = filters.DateFromToRangeFilter(label="Session date, inclusive (ISO 8601)")

    class Meta:
        model = SupervisionSession
        fields = ["program", "held_on"]


def _discussed(rows: list[dict[str, Any]] | None) -> list[tuple[Any, str]] | None:
    return None if rows is None else [(row["client"], row["note"]) for row in rows]


class TeamMeetingViewSet(
    ArchiveMixin,
    ServiceCreateMixin,
    VersionedUpdateMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    ScopedViewSet,
):
    """Treatment-team meetings; POST records one as the caller, PUT/PATCH correct it."""

    serializer_class = TeamMeetingSerializer
    input_serializers = {
        "create": TeamMeetingCreateSerializer,
        "update": TeamMeetingUpdateSerializer,
        "partial_update": TeamMeetingUpdateSerializer,
    }
    filterset_class = TeamMeetingFilter

    def get_queryset(self) -> QuerySet[TeamMeeting]:
        # Notes on the clients the caller may see: their reads are recorded (`ips.reads`).
        notes = TeamMeetingClient.objects.visible_to(self.request.user)
        return (
            TeamMeeting.objects.visible_to(self.request.user)
            .select_related("team__program")
            .prefetch_related("attendees", Prefetch("discussed", queryset=notes))
        )

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.team_meeting_record(
            recorded_by=self.request.user,
            team=data["team"],
            held_on=data["held_on"],
            attendees=data.get("attendees", []),
            discussed=_discussed(data.get("discussed")) or [],
            follow_ups=data.get("follow_ups", ""),
        )

    def perform_service_update(
        self, instance: TeamMeeting, *, version: int, changes: dict
    ) -> Model:
        if "discussed" in changes:
            changes["discussed"] = _discussed(changes["discussed"])
        return services.team_meeting_update(meeting=instance, version=version, changes=changes)


class SupervisionSessionViewSet(
    ArchiveMixin,
    ServiceCreateMixin,
    VersionedUpdateMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    ScopedViewSet,
):
    """Supervision sessions with their action items; supervisors record and correct them."""

    serializer_class = SupervisionSessionSerializer
    input_serializers = {
        "create": SupervisionSessionCreateSerializer,
        "update": SupervisionSessionUpdateSerializer,
        "partial_update": SupervisionSessionUpdateSerializer,
    }
    filterset_class = SupervisionSessionFilter
    edit_capability = Capability.RUN_SUPERVISION

    def get_queryset(self) -> QuerySet[SupervisionSession]:
        items = ActionItem.objects.filter(archived_at__isnull=True)
        return (
            SupervisionSession.objects.visible_to(self.request.user)
            .select_related("program")
            .prefetch_related("specialists_present", Prefetch("action_items", queryset=items))
        )

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        access.require(self.request.user, Capability.RUN_SUPERVISION, program=data["program"])
        return services.supervision_session_record(
            supervisor=self.request.user,
            program=data["program"],
            held_on=data["held_on"],
            specialists_present=data.get("specialists_present", []),
            notes=data.get("notes", ""),
            action_items=data.get("action_items", []),
        )

    def perform_service_update(
        self, instance: SupervisionSession, *, version: int, changes: dict
    ) -> Model:
        return services.supervision_session_update(
            session=instance, version=version, changes=changes
        )


@extend_schema(
    parameters=[
        OpenApiParameter("program", OpenApiTypes.INT, required=True, description="Program id"),
        OpenApiParameter(
            "week", OpenApiTypes.STR, description="ISO week, such as 2026-W12 (default: this week)"
        ),
    ],
    responses=SupervisionNumbersSerializer,
)
@api_view(["GET"])
def supervision_numbers(request: Request) -> Response:
    """The supervision dashboard's numbers for a program and an ISO week (Monday first); `month`
    is the month the week's Monday falls in. Specialists get their own row only."""
    # As the page: a role without client work anywhere is refused (403) before anything else.
    if not access.holds_anywhere(request.user, Capability.VIEW_CLIENTS):
        raise PermissionDenied("Your role does not include the supervision numbers.")
    chosen = request.query_params.get("program", "")
    if not chosen.isdigit():
        raise ApiValidationError({"program": ["Give the program's id: ?program=ID."]})
    program, only, _ = selectors.dashboard_scope(request.user, chosen)
    try:
        when = selectors.SupervisionWeek.parse(
            request.query_params.get("week"), timezone.localdate()
        )
    except ValueError as error:
        raise ApiValidationError({"week": [str(error)]}) from None
    board = selectors.dashboard(program=program, when=when, only=only)
    body = {
        "program": program.pk,
        "week": when.week.label,
        "month": when.month.label,
        "specialists": [
            {"specialist": row.specialist.pk, **row.as_dict()} for row in board.specialists
        ],
        "program_totals": board.totals.as_dict(),
    }
    return Response(SupervisionNumbersSerializer(body).data)
