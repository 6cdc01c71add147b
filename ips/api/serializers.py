from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers

from ips.api.mixins import InputSerializer
from ips.models import Agency, Program, StaffRole, User


class ProgramSerializer(serializers.ModelSerializer):
    """A program as the API shows it."""

    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "agency",
            "agency_name",
            "name",
            "site",
            "is_active",
            "weekly_employer_contact_target",
            "counts_self_employment",
            "version",
        ]
        read_only_fields = ["version"]


class VisibleAgencyField(serializers.PrimaryKeyRelatedField):
    """An agency id, resolved only among the agencies the caller can see (others: 'invalid')."""

    def get_queryset(self) -> QuerySet[Agency]:
        request = self.context.get("request")
        if request is None:
            return Agency.objects.none()
        return Agency.objects.visible_to(request.user)


class ProgramCreateSerializer(InputSerializer):
    """Input for creating a program: the agency must be one the caller can see."""

    agency = VisibleAgencyField(pk_field=serializers.IntegerField())
    name = serializers.CharField(max_length=200)
    site = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ProgramUpdateSerializer(InputSerializer):
    """Input for changing a program; `version` must be the one the caller last read."""

    version = serializers.IntegerField()
    name = serializers.CharField(max_length=200, required=False)
    site = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    weekly_employer_contact_target = serializers.IntegerField(
        required=False, min_value=0, max_value=100
    )
    counts_self_employment = serializers.BooleanField(
        required=False,
        help_text="Whether self-employment at or above the minimum wage counts as competitive.",
    )


class StaffRoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffRole
        fields = ["role", "agency", "program", "fte"]


class MeSerializer(serializers.ModelSerializer):
    roles = StaffRoleSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "home_agency", "roles"]
