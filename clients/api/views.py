"""The clients API: clients, contacts, jobs, supports and benefits referrals under /api/v1/.

The same rules as the pages: every queryset starts from `visible_to(user)` (outsiders 404),
writes need EDIT_CLIENTS in the record's program (read-only roles 403) and go through
`clients.services`, and every retrieve is recorded in the audit trail. Nothing is deleted:
`POST .../<id>/archive/` archives with a reason. Lists join what they show (constant queries).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet
from django_filters import rest_framework as filters
from rest_framework import mixins

from clients import services
from clients.api.serializers import (
    CLIENT_STATUSES,
    BenefitsReferralCreateSerializer,
    BenefitsReferralSerializer,
    BenefitsReferralUpdateSerializer,
    ClientCreateSerializer,
    ClientSerializer,
    ClientUpdateSerializer,
    ContactCreateSerializer,
    ContactSerializer,
    ContactUpdateSerializer,
    JobCreateSerializer,
    JobSerializer,
    JobUpdateSerializer,
    SupportCreateSerializer,
    SupportSerializer,
)
from clients.models import BenefitsReferral, Client, Contact, Job, Support
from ips import access
from ips.access import Capability
from ips.api.mixins import (
    ArchiveMixin,
    AuditedRetrieveMixin,
    IdFilter,
    ScopedViewSet,
    ServiceCreateMixin,
    VersionedUpdateMixin,
)

# --- Filters ------------------------------------------------------------------------------------
# Date ranges are `<field>_after` / `<field>_before` (inclusive, ISO 8601 dates).

STATUS_FILTERS = {
    "closed": Q(current_episode__closed_on__isnull=False),
    "enrolled": Q(
        current_episode__closed_on__isnull=True, current_episode__enrolled_on__isnull=False
    ),
    "referred": Q(
        current_episode__closed_on__isnull=True, current_episode__enrolled_on__isnull=True
    ),
}


class ClientFilter(filters.FilterSet):
    program = IdFilter(label="Program id")
    specialist = IdFilter(label="Assigned specialist's id")
    status = filters.ChoiceFilter(
        choices=CLIENT_STATUSES, method="filter_status", label="Status of the current episode"
    )
    referred_on = filters.DateFromToRangeFilter(
        field_name="current_episode__referred_on",
        label="Referral date of the current episode, inclusive (ISO 8601)",
    )

    class Meta:
        model = Client
        fields = ["program", "specialist", "status", "referred_on"]

    def filter_status(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return queryset.filter(STATUS_FILTERS[value])


class ContactFilter(filters.FilterSet):
    program = IdFilter(field_name="client__program", label="Program id")
    client = IdFilter(label="Client id")
    specialist = IdFilter(label="Id of the specialist who logged it")
    contacted_on = filters.DateFromToRangeFilter(label="Contact date, inclusive (ISO 8601)")
    purpose = filters.ChoiceFilter(choices=Contact.Purpose.choices)

    class Meta:
        model = Contact
        fields = ["program", "client", "specialist", "contacted_on", "purpose"]


class JobFilter(filters.FilterSet):
    program = IdFilter(field_name="client__program", label="Program id")
    client = IdFilter(label="Client id")
    employer = IdFilter(label="Employer id")
    started_on = filters.DateFromToRangeFilter(label="Start date, inclusive (ISO 8601)")
    competitive = filters.BooleanFilter(label="Competitive (derived) or not")

    class Meta:
        model = Job
        fields = ["program", "client", "employer", "started_on", "competitive"]


class SupportFilter(filters.FilterSet):
    program = IdFilter(field_name="client__program", label="Program id")
    client = IdFilter(label="Client id")
    specialist = IdFilter(label="Id of the specialist who provided it")
    job = IdFilter(label="Job id")
    provided_on = filters.DateFromToRangeFilter(label="Date provided, inclusive (ISO 8601)")

    class Meta:
        model = Support
        fields = ["program", "client", "specialist", "job", "provided_on"]


class BenefitsReferralFilter(filters.FilterSet):
    program = IdFilter(field_name="client__program", label="Program id")
    client = IdFilter(label="Client id")
    referred_on = filters.DateFromToRangeFilter(label="Referral date, inclusive (ISO 8601)")

    class Meta:
        model = BenefitsReferral
        fields = ["program", "client", "referred_on"]


# --- Viewsets ----------------------------------------------------------------------------------


class ClientViewSet(
    AuditedRetrieveMixin,
    ServiceCreateMixin,
    VersionedUpdateMixin,
    ArchiveMixin,
    mixins.ListModelMixin,
    ScopedViewSet,
):
    """Clients of the caller's programs; POST enrolls (a referral), PUT/PATCH change the client
    and their current episode (closing it included)."""

    serializer_class = ClientSerializer
    input_serializers = {
        "create": ClientCreateSerializer,
        "update": ClientUpdateSerializer,
        "partial_update": ClientUpdateSerializer,
    }
    filterset_class = ClientFilter

    def get_queryset(self) -> QuerySet[Client]:
        return Client.objects.visible_to(self.request.user).select_related(
            "current_episode", "program"
        )

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        # The program is one the caller can see (else 400); a read-only role there gets 403.
        access.require(self.request.user, Capability.EDIT_CLIENTS, program=data["program"])
        return services.client_enroll(**data)

    def perform_service_update(self, instance: Client, *, version: int, changes: dict) -> Model:
        return services.client_update(client=instance, version=version, changes=changes)


class ClientRecordViewSet(
    AuditedRetrieveMixin,
    ServiceCreateMixin,
    ArchiveMixin,
    mixins.ListModelMixin,
    ScopedViewSet,
):
    """A kind of record about a client: its program and audit subject are the client's."""


class ContactViewSet(VersionedUpdateMixin, ClientRecordViewSet):
    """Contacts; POST logs one as the caller, PUT/PATCH correct it."""

    serializer_class = ContactSerializer
    input_serializers = {
        "create": ContactCreateSerializer,
        "update": ContactUpdateSerializer,
        "partial_update": ContactUpdateSerializer,
    }
    filterset_class = ContactFilter

    def get_queryset(self) -> QuerySet[Contact]:
        return Contact.objects.visible_to(self.request.user).select_related("client__program")

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.contact_log(specialist=self.request.user, **data)

    def perform_service_update(self, instance: Contact, *, version: int, changes: dict) -> Model:
        return services.contact_update(contact=instance, version=version, changes=changes)


class JobViewSet(VersionedUpdateMixin, ClientRecordViewSet):
    """Jobs, with `competitive` derived; POST records a job start, PUT/PATCH correct or end it."""

    serializer_class = JobSerializer
    input_serializers = {
        "create": JobCreateSerializer,
        "update": JobUpdateSerializer,
        "partial_update": JobUpdateSerializer,
    }
    filterset_class = JobFilter

    def get_queryset(self) -> QuerySet[Job]:
        return (
            Job.objects.visible_to(self.request.user)
            .with_competitive()
            .select_related("client__program")
        )

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.job_start_record(actor=self.request.user, **data)

    def perform_service_update(self, instance: Job, *, version: int, changes: dict) -> Model:
        return services.job_update(job=instance, version=version, changes=changes)


class SupportViewSet(ClientRecordViewSet):
    """Follow-along supports; POST records one provided by the caller. Supports are not edited
    (there is no update service): archive a mistaken one and record it again."""

    serializer_class = SupportSerializer
    input_serializers = {"create": SupportCreateSerializer}
    filterset_class = SupportFilter

    def get_queryset(self) -> QuerySet[Support]:
        return Support.objects.visible_to(self.request.user).select_related("client__program")

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.support_record(specialist=self.request.user, **data)


class BenefitsReferralViewSet(VersionedUpdateMixin, ClientRecordViewSet):
    """Benefits referrals; POST refers, PUT/PATCH record planning and corrections."""

    serializer_class = BenefitsReferralSerializer
    input_serializers = {
        "create": BenefitsReferralCreateSerializer,
        "update": BenefitsReferralUpdateSerializer,
        "partial_update": BenefitsReferralUpdateSerializer,
    }
    filterset_class = BenefitsReferralFilter

    def get_queryset(self) -> QuerySet[BenefitsReferral]:
        return BenefitsReferral.objects.visible_to(self.request.user).select_related(
            "client__program"
        )

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.benefits_referral_record(actor=self.request.user, **data)

    def perform_service_update(
        self, instance: BenefitsReferral, *, version: int, changes: dict
    ) -> Model:
        return services.benefits_referral_update(
            referral=instance, version=version, changes=changes
        )
