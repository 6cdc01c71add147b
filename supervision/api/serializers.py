"""Input and Output serializers of the supervision API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from rest_framework import serializers

from clients.api.serializers import ClientField
from ips import access
from ips.access import Capability
from ips.api.mixins import (
    InputSerializer,
    ScopedPrimaryKeyField,
    VersionedInputSerializer,
    VisibleProgramField,
)
from ips.models import NOTE_MAX_LENGTH, Role, User
from ips.numbers import rounded_rate
from supervision.models import ActionItem, SupervisionSession, TeamMeeting, TreatmentTeam

if TYPE_CHECKING:
    from ips.access import AnyUser


def editable_teams(user: AnyUser) -> QuerySet[TreatmentTeam]:
    """Live teams of the programs where the user may record client work."""
    return TreatmentTeam.objects.filter(
        program_id__in=access.program_ids_for(user, Capability.EDIT_CLIENTS),
        archived_at__isnull=True,
    )


def program_staff(user: AnyUser) -> QuerySet[User]:
    """Specialists and supervisors of the programs the user may see clients of (the service
    then checks they work in the record's own program)."""
    return User.objects.filter(
        roles__program_id__in=access.program_ids_for(user, Capability.VIEW_CLIENTS),
        roles__role__in=[Role.SPECIALIST, Role.SUPERVISOR],
    ).distinct()


def _staff_field(**kwargs: Any) -> ScopedPrimaryKeyField:
    return ScopedPrimaryKeyField(
        scope=program_staff, not_found="Choose staff of your program.", **kwargs
    )


class DiscussedSerializer(serializers.Serializer):
    """A client discussed at a meeting, and the short note taken."""

    client = serializers.IntegerField(source="client_id", read_only=True)
    note = serializers.CharField(read_only=True)


class DiscussedInputSerializer(InputSerializer):
    client = ClientField()
    note = serializers.CharField(max_length=500)


class TeamMeetingSerializer(serializers.ModelSerializer):
    """A treatment-team meeting: attendees (ids), clients discussed with a note each."""

    discussed = DiscussedSerializer(many=True, read_only=True)

    class Meta:
        model = TeamMeeting
        fields = [
            "id",
            "team",
            "held_on",
            "attendees",
            "discussed",
            "follow_ups",
            "recorded_by",
            "archived_at",
            "version",
        ]
        read_only_fields = fields


class TeamMeetingChangesSerializer(InputSerializer):
    held_on = serializers.DateField()
    attendees = serializers.ListField(child=_staff_field(), required=False)
    discussed = DiscussedInputSerializer(many=True, required=False)
    follow_ups = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class TeamMeetingCreateSerializer(TeamMeetingChangesSerializer):
    """Input of a new meeting of a team of the caller's program, recorded by the caller."""

    team = ScopedPrimaryKeyField(
        scope=editable_teams, not_found="Choose a team of your own program."
    )


class TeamMeetingUpdateSerializer(VersionedInputSerializer, TeamMeetingChangesSerializer):
    """Input of a correction; `attendees` and `discussed` replace the whole lists."""


class ActionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionItem
        fields = ["id", "specialist", "text", "due_on", "done_on", "version"]
        read_only_fields = fields


class ActionItemInputSerializer(InputSerializer):
    specialist = _staff_field()
    text = serializers.CharField(max_length=500)
    due_on = serializers.DateField(required=False, allow_null=True)


class SupervisionSessionSerializer(serializers.ModelSerializer):
    """A group-supervision session and the action items agreed at it."""

    action_items = ActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = SupervisionSession
        fields = [
            "id",
            "program",
            "held_on",
            "supervisor",
            "specialists_present",
            "notes",
            "action_items",
            "archived_at",
            "version",
        ]
        read_only_fields = fields


class SupervisionSessionChangesSerializer(InputSerializer):
    held_on = serializers.DateField()
    specialists_present = serializers.ListField(child=_staff_field(), required=False)
    notes = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class SupervisionSessionCreateSerializer(SupervisionSessionChangesSerializer):
    """Input of a new session of a program the caller supervises, with its action items."""

    program = VisibleProgramField()
    action_items = ActionItemInputSerializer(many=True, required=False)


class SupervisionSessionUpdateSerializer(
    VersionedInputSerializer, SupervisionSessionChangesSerializer
):
    """Input of a correction to a session (action items are marked done on their own)."""


class NumbersSerializer(serializers.Serializer):
    """The program's totals: the numbers of the whole program."""

    caseload = serializers.IntegerField()
    working = serializers.IntegerField()
    job_starts_month = serializers.IntegerField()
    employer_contacts_week = serializers.IntegerField()
    employer_contacts_target = serializers.IntegerField()
    no_employer_contact_30d = serializers.IntegerField()
    no_contact_30d = serializers.IntegerField()
    jobs_ended_30d = serializers.IntegerField()
    benefits_pending_30d = serializers.IntegerField()
    meeting_attendance = serializers.SerializerMethodField(
        help_text="Meetings attended ÷ meetings of the specialist's teams in the month, a fraction "
        "0..1 rounded to 4 places like the outcome rates; null when those teams did not meet."
    )

    def get_meeting_attendance(self, numbers: dict[str, Any]) -> float | None:
        return rounded_rate(numbers["meeting_attendance"])


class SpecialistNumbersSerializer(NumbersSerializer):
    specialist = serializers.IntegerField()


class SupervisionNumbersSerializer(serializers.Serializer):
    """The supervision dashboard of one program for one ISO week and its month."""

    program = serializers.IntegerField()
    week = serializers.CharField()
    month = serializers.CharField()
    specialists = SpecialistNumbersSerializer(many=True)
    program_totals = NumbersSerializer()
