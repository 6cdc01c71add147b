from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from ips import access, services
from ips.access import Capability
from ips.api.serializers import (
    MeSerializer,
    ProgramCreateSerializer,
    ProgramSerializer,
    ProgramUpdateSerializer,
)
from ips.models import Program


class ProgramViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Programs: anyone who may see a program reads it; agency admins create and change them."""

    serializer_class = ProgramSerializer
    filterset_fields = ["agency", "is_active"]

    def get_queryset(self) -> QuerySet[Program]:
        return Program.objects.visible_to(self.request.user).select_related("agency")

    def _input_context(self) -> dict[str, Any]:
        """What the Input serializers need: the caller, and the fields a program shows (sent in
        a write, they are refused as read-only)."""
        return {"request": self.request, "shown_fields": frozenset(ProgramSerializer().fields)}

    @extend_schema(request=ProgramCreateSerializer, responses=ProgramSerializer)
    def create(self, request: Request) -> Response:
        # Refuse callers who may create programs nowhere before reading their input (403, not 400).
        if not access.agency_ids_for(request.user, Capability.EDIT_PROGRAM).exists():
            raise PermissionDenied("Your role does not allow this change.")
        data = ProgramCreateSerializer(data=request.data, context=self._input_context())
        data.is_valid(raise_exception=True)
        agency = data.validated_data.pop("agency")
        access.require(request.user, Capability.EDIT_PROGRAM, agency=agency)
        program = services.program_create(agency=agency, **data.validated_data)
        return Response(ProgramSerializer(program).data, status=201)

    @extend_schema(request=ProgramUpdateSerializer, responses=ProgramSerializer)
    def update(self, request: Request, pk: str | None = None, partial: bool = False) -> Response:
        program = self.get_object()
        access.require(request.user, Capability.EDIT_PROGRAM, program=program)
        data = ProgramUpdateSerializer(data=request.data, context=self._input_context())
        data.is_valid(raise_exception=True)
        version = data.validated_data.pop("version")
        program = services.program_update(
            program=program, version=version, changes=data.validated_data
        )
        return Response(ProgramSerializer(program).data)

    @extend_schema(request=ProgramUpdateSerializer, responses=ProgramSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self.update(request, pk=pk, partial=True)


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The caller's account and roles."""
    return Response(MeSerializer(request.user).data)
