"""Input and Output serializers of the employers API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clients.models import Client
from employers.models import Employer, EmployerContact, EmployerPerson
from ips.api.mixins import (
    InputSerializer,
    ScopedPrimaryKeyField,
    VersionedInputSerializer,
    VisibleProgramField,
)
from ips.models import ADDRESS_MAX_LENGTH, NOTE_MAX_LENGTH

if TYPE_CHECKING:
    from ips.access import AnyUser


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


class EmployerChangesSerializer(InputSerializer):
    """The fields of an employer a specialist types."""

    name = serializers.CharField(max_length=200)
    industry = serializers.CharField(max_length=120, required=False, allow_blank=True)
    address = serializers.CharField(max_length=ADDRESS_MAX_LENGTH, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class EmployerCreateSerializer(EmployerChangesSerializer):
    """Input of a new employer of a program where the caller may edit client records."""

    program = VisibleProgramField()


class EmployerUpdateSerializer(VersionedInputSerializer, EmployerChangesSerializer):
    """Input of a change to an employer (it stays in its program)."""


# --- Employer people and job-development contacts ------------------------------------------------


def editable_people(user: AnyUser) -> QuerySet[EmployerPerson]:
    """People at the employers where the user may log contacts (live employers of their
    EDIT_CLIENTS programs)."""
    return EmployerPerson.objects.filter(employer__in=Employer.objects.editable_by(user))


class OwnEmployerField(ScopedPrimaryKeyField):
    """An employer of a program where the caller may edit client records."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            scope=Employer.objects.editable_by,
            not_found="Choose an employer of your own program.",
            **kwargs,
        )


@extend_schema_field(
    {
        "type": "string",
        "enum": EmployerContact.Purpose.values,
        "description": build_choice_description_list(EmployerContact.Purpose.choices),
    },
    component_name="EmployerContactPurposeEnum",
)
class EmployerContactPurposeField(serializers.ChoiceField):
    """Why a specialist met an employer. Documented as its own named enum: the clients' contacts
    have a `purpose` of other choices, which the schema generator cannot otherwise name apart."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=EmployerContact.Purpose.choices, **kwargs)


class EmployerPersonSerializer(serializers.ModelSerializer):
    """Someone at an employer: a hiring manager or another contact."""

    class Meta:
        model = EmployerPerson
        fields = [
            "id",
            "employer",
            "name",
            "role",
            "phone",
            "email",
            "makes_hiring_decisions",
            "version",
        ]
        read_only_fields = fields


class EmployerPersonChangesSerializer(InputSerializer):
    """The details of someone at an employer a specialist types."""

    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=120, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    makes_hiring_decisions = serializers.BooleanField(required=False)


class EmployerPersonCreateSerializer(EmployerPersonChangesSerializer):
    """Input of someone new at an employer of the caller's own program."""

    employer = OwnEmployerField()


class EmployerPersonUpdateSerializer(VersionedInputSerializer, EmployerPersonChangesSerializer):
    """Input of a change to someone's details (they stay with their employer)."""


class EmployerContactSerializer(serializers.ModelSerializer):
    """A job-development contact; `specialist` is who logged it, `clients` the ids of the job
    seekers it was on behalf of."""

    purpose = EmployerContactPurposeField(read_only=True)

    class Meta:
        model = EmployerContact
        fields = [
            "id",
            "employer",
            "specialist",
            "person",
            "contacted_on",
            "face_to_face",
            "with_hiring_manager",
            "minutes",
            "by_client",
            "purpose",
            "clients",
            "outcome",
            "next_step",
            "note",
            "version",
        ]
        read_only_fields = fields


class EmployerContactChangesSerializer(InputSerializer):
    """The fields of a job-development contact a specialist types."""

    contacted_on = serializers.DateField()
    purpose = EmployerContactPurposeField()
    face_to_face = serializers.BooleanField(required=False)
    with_hiring_manager = serializers.BooleanField(required=False)
    minutes = serializers.IntegerField(
        min_value=1, max_value=24 * 60, required=False, allow_null=True
    )
    by_client = serializers.BooleanField(required=False)
    person = ScopedPrimaryKeyField(
        scope=editable_people,
        not_found="Choose someone at an employer of your own program.",
        required=False,
        allow_null=True,
    )
    clients = ScopedPrimaryKeyField(
        scope=Client.objects.editable_by,
        not_found="Choose a client of a program where you may record client work.",
        many=True,
        required=False,
    )
    outcome = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class EmployerContactCreateSerializer(EmployerContactChangesSerializer):
    """Input of a new contact, logged by the caller, on behalf of none, one or several clients."""

    employer = OwnEmployerField()


class EmployerContactUpdateSerializer(VersionedInputSerializer, EmployerContactChangesSerializer):
    """Input of a correction to a contact (it stays with its employer and who logged it);
    `clients` replaces the whole list."""
