"""The employers API (/api/v1/employers/): a program's shared employers.

Visible to whoever may see the program's clients; changed by whoever may edit them. Employer
records are not about a client, so reading one is not audited.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django_filters import rest_framework as filters
from rest_framework import mixins

from employers import services
from employers.api.serializers import (
    EmployerCreatedSerializer,
    EmployerCreateSerializer,
    EmployerSerializer,
    EmployerUpdateSerializer,
)
from employers.models import Employer
from ips import access
from ips import services as ips_services
from ips.access import Capability
from ips.api.mixins import (
    ArchiveMixin,
    IdFilter,
    ScopedViewSet,
    ServiceCreateMixin,
    VersionedUpdateMixin,
)


class EmployerFilter(filters.FilterSet):
    program = IdFilter(label="Program id")
    name = filters.CharFilter(lookup_expr="icontains", label="Name contains")
    archived = filters.BooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True, label="Archived or not"
    )

    class Meta:
        model = Employer
        fields = ["program", "name", "archived"]


class EmployerViewSet(
    ArchiveMixin,
    ServiceCreateMixin,
    VersionedUpdateMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    ScopedViewSet,
):
    """Employers; POST adds one and lists similar names already in the program (a warning)."""

    serializer_class = EmployerSerializer
    input_serializers = {
        "create": EmployerCreateSerializer,
        "update": EmployerUpdateSerializer,
        "partial_update": EmployerUpdateSerializer,
    }
    output_serializers = {"create": EmployerCreatedSerializer}
    filterset_class = EmployerFilter

    def get_queryset(self) -> QuerySet[Employer]:
        return Employer.objects.visible_to(self.request.user)

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        access.require(self.request.user, Capability.EDIT_CLIENTS, program=data["program"])
        return services.employer_create(actor=self.request.user, **data)

    def created_extra(self, instance: Employer) -> dict[str, Any]:
        duplicates = services.employer_possible_duplicates(
            program=instance.program, name=instance.name, exclude_id=instance.pk
        )
        return {"possible_duplicates": [{"id": e.pk, "name": e.name} for e in duplicates]}

    def perform_service_update(self, instance: Employer, *, version: int, changes: dict) -> Model:
        return services.employer_update(employer=instance, version=version, changes=changes)

    def perform_archive(self, instance: Employer, *, version: int, reason: str) -> Model:
        return ips_services.record_archive(
            record=instance, version=version, reason=reason, actor=self.request.user
        )
