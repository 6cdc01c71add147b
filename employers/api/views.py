"""The employers API: a program's shared employers (/api/v1/employers/), the people met there
(/api/v1/employer-people/) and job-development contacts (/api/v1/employer-contacts/).

Visible to whoever may see the program's clients; changed by whoever may edit them. Employer
records are not about a client, so reading one is not audited; reading a contact made on
clients' behalf is, once per client it names.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django_filters import rest_framework as filters
from rest_framework import mixins

from clients.models import Client
from employers import services
from employers.api.serializers import (
    EmployerContactCreateSerializer,
    EmployerContactSerializer,
    EmployerContactUpdateSerializer,
    EmployerCreatedSerializer,
    EmployerCreateSerializer,
    EmployerPersonCreateSerializer,
    EmployerPersonSerializer,
    EmployerPersonUpdateSerializer,
    EmployerSerializer,
    EmployerUpdateSerializer,
)
from employers.models import Employer, EmployerContact, EmployerPerson
from ips import access
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


class EmployerPersonFilter(filters.FilterSet):
    program = IdFilter(field_name="employer__program", label="Program id")
    employer = IdFilter(label="Employer id")

    class Meta:
        model = EmployerPerson
        fields = ["program", "employer"]


class EmployerContactFilter(filters.FilterSet):
    program = IdFilter(field_name="employer__program", label="Program id")
    specialist = IdFilter(label="Id of the specialist who logged it")
    employer = IdFilter(label="Employer id")
    client = IdFilter(field_name="clients", label="Id of a client it was on behalf of")
    contacted_on = filters.DateFromToRangeFilter(label="Contact date, inclusive (ISO 8601)")
    face_to_face = filters.BooleanFilter()
    with_hiring_manager = filters.BooleanFilter()
    purpose = filters.ChoiceFilter(choices=EmployerContact.Purpose.choices)

    class Meta:
        model = EmployerContact
        fields = [
            "program",
            "specialist",
            "employer",
            "client",
            "contacted_on",
            "face_to_face",
            "with_hiring_manager",
            "purpose",
        ]


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


class EmployerPersonViewSet(
    ServiceCreateMixin,
    VersionedUpdateMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    ScopedViewSet,
):
    """People at the employers; POST adds someone, PUT/PATCH change their details. People are
    not archived or deleted (they go with their employer)."""

    serializer_class = EmployerPersonSerializer
    input_serializers = {
        "create": EmployerPersonCreateSerializer,
        "update": EmployerPersonUpdateSerializer,
        "partial_update": EmployerPersonUpdateSerializer,
    }
    filterset_class = EmployerPersonFilter

    def get_queryset(self) -> QuerySet[EmployerPerson]:
        return EmployerPerson.objects.filter(
            employer__in=Employer.objects.visible_to(self.request.user)
        ).select_related("employer__program")

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        # The employer resolved among those of the caller's EDIT_CLIENTS programs (else 400).
        return services.employer_person_add(**data)

    def perform_service_update(
        self, instance: EmployerPerson, *, version: int, changes: dict
    ) -> Model:
        return services.employer_person_update(person=instance, version=version, changes=changes)


class EmployerContactViewSet(
    ArchiveMixin,
    ServiceCreateMixin,
    VersionedUpdateMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    ScopedViewSet,
):
    """Job-development contacts; POST logs one as the caller, PUT/PATCH correct it, archive
    withdraws it. Retrieving one is a read of each client it names (audited)."""

    serializer_class = EmployerContactSerializer
    input_serializers = {
        "create": EmployerContactCreateSerializer,
        "update": EmployerContactUpdateSerializer,
        "partial_update": EmployerContactUpdateSerializer,
    }
    filterset_class = EmployerContactFilter

    def get_queryset(self) -> QuerySet[EmployerContact]:
        # Only the ids of the clients are shown: one query for the whole page, no joins.
        return (
            EmployerContact.objects.visible_to(self.request.user)
            .select_related("employer__program")
            # The clients it was on behalf of, as the caller may see them: their reads recorded.
            .prefetch_related(
                Prefetch(
                    "clients", queryset=Client.objects.visible_to(self.request.user).only("id")
                )
            )
        )

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.employer_contact_log(specialist=self.request.user, **data)

    def perform_service_update(
        self, instance: EmployerContact, *, version: int, changes: dict
    ) -> Model:
        return services.employer_contact_update(contact=instance, version=version, changes=changes)
