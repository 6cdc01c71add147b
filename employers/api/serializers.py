"""Input and Output serializers of the employers API."""

from __future__ import annotations

from rest_framework import serializers

from employers.models import Employer
from ips.api.mixins import VersionedInputSerializer, VisibleProgramField


class EmployerSerializer(serializers.ModelSerializer):
    """An employer of a program."""

    class Meta:
        model = Employer
        fields = ["id", "program", "name", "industry", "address", "notes", "archived_at", "version"]
        read_only_fields = fields


class SimilarEmployerSerializer(serializers.ModelSerializer):
    """An employer whose name resembles another's (a possible duplicate)."""

    class Meta:
        model = Employer
        fields = ["id", "name"]
        read_only_fields = fields


class EmployerCreatedSerializer(EmployerSerializer):
    """A new employer, with the program's employers of a similar name: a warning, not a block."""

    possible_duplicates = SimilarEmployerSerializer(many=True, read_only=True)

    class Meta(EmployerSerializer.Meta):
        fields = [*EmployerSerializer.Meta.fields, "possible_duplicates"]
        read_only_fields = fields


class EmployerChangesSerializer(serializers.Serializer):
    """The fields of an employer a specialist types."""

    name = serializers.CharField(max_length=200)
    industry = serializers.CharField(max_length=120, required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class EmployerCreateSerializer(EmployerChangesSerializer):
    """Input of a new employer of a program where the caller may edit client records."""

    program = VisibleProgramField()


class EmployerUpdateSerializer(VersionedInputSerializer, EmployerChangesSerializer):
    """Input of a change to an employer (it stays in its program)."""
