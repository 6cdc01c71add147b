"""Input and Output serializers of the clients API.

Output serializers show a record; Input serializers parse a write before it goes to
`clients.services`, which holds the rules (dates, episodes, the employer's program). Related ids
in an input resolve only among the records the caller may edit, so anything else is 'invalid'.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from rest_framework import serializers

from clients.models import (
    EMPLOYER_OR_SELF_EMPLOYED,
    MAX_HOURLY_WAGE,
    MAX_HOURS_PER_WEEK,
    Benefit,
    BenefitsReferral,
    Client,
    ClosureReason,
    Contact,
    Job,
    JobEndReason,
    JobType,
    ReferralSource,
    SetAsideKind,
    Support,
)
from employers.models import Employer
from ips import access
from ips.access import Capability
from ips.api.mixins import (
    InputSerializer,
    ScopedPrimaryKeyField,
    VersionedInputSerializer,
    VisibleProgramField,
)
from ips.models import ADDRESS_MAX_LENGTH, NOTE_MAX_LENGTH, User

if TYPE_CHECKING:
    from ips.access import AnyUser

BIRTH_DATE_HELP = "Not in the future, nor more than 120 years ago; before every referral."

CLIENT_STATUSES = [("referred", "Referred"), ("enrolled", "Enrolled"), ("closed", "Closed")]


class ClientField(ScopedPrimaryKeyField):
    """A client the caller may record things about."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            scope=Client.objects.editable_by,
            not_found="Choose a client of a program where you may record client work.",
            **kwargs,
        )


def assignable_specialists(user: AnyUser) -> QuerySet[User]:
    """Specialists of the programs where the user may edit clients (the service then checks the
    specialist works in the client's own program)."""
    return User.objects.specialists_of(access.program_ids_for(user, Capability.EDIT_CLIENTS))


class SpecialistField(ScopedPrimaryKeyField):
    """An employment specialist the caller may assign."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            scope=assignable_specialists,
            not_found="Choose an employment specialist of the client's program.",
            **kwargs,
        )


class EmployerField(ScopedPrimaryKeyField):
    """An employer of a program where the caller may edit client records."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            scope=Employer.objects.editable_by,
            not_found="Choose an employer of the client's program.",
            **kwargs,
        )


# --- Clients -----------------------------------------------------------------------------------


class ClientSerializer(serializers.ModelSerializer):
    """A client, with the dates and closure of their current episode."""

    referred_on = serializers.DateField(source="current_episode.referred_on", read_only=True)
    referral_source = serializers.ChoiceField(
        source="current_episode.referral_source", choices=ReferralSource.choices, read_only=True
    )
    enrolled_on = serializers.DateField(
        source="current_episode.enrolled_on", read_only=True, allow_null=True
    )
    employed_at_referral = serializers.BooleanField(
        source="current_episode.employed_at_referral", read_only=True
    )
    closed_on = serializers.DateField(
        source="current_episode.closed_on", read_only=True, allow_null=True
    )
    closure_reason = serializers.ChoiceField(
        source="current_episode.closure_reason",
        choices=ClosureReason.choices,
        allow_blank=True,
        read_only=True,
    )
    status = serializers.ChoiceField(choices=CLIENT_STATUSES, read_only=True)
    # An address or empty: not `format: email`, which an empty string does not satisfy.
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "program",
            "specialist",
            "first_name",
            "last_name",
            "birth_date",
            "referred_on",
            "referral_source",
            "enrolled_on",
            "employed_at_referral",
            "closed_on",
            "closure_reason",
            "status",
            "phone",
            "email",
            "address",
            "version",
        ]
        read_only_fields = fields


class ClientCreateSerializer(InputSerializer):
    """Input of an enrollment (a referral, enrolled at once when `enrolled_on` is given, and
    recorded closed when `closed_on` and `closure_reason` are)."""

    program = VisibleProgramField()
    specialist = SpecialistField(required=False, allow_null=True, default=None)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    birth_date = serializers.DateField(help_text=BIRTH_DATE_HELP)
    referred_on = serializers.DateField()
    referral_source = serializers.ChoiceField(choices=ReferralSource.choices)
    enrolled_on = serializers.DateField(required=False, allow_null=True, default=None)
    employed_at_referral = serializers.BooleanField(required=False, default=False)
    closed_on = serializers.DateField(required=False, allow_null=True, default=None)
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, required=False, allow_blank=True, default=""
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    address = serializers.CharField(
        max_length=ADDRESS_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ClientUpdateSerializer(VersionedInputSerializer):
    """Input of a change to a client and their current episode (closing it included)."""

    specialist = SpecialistField(required=False, allow_null=True)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    birth_date = serializers.DateField(help_text=BIRTH_DATE_HELP)
    referred_on = serializers.DateField()
    referral_source = serializers.ChoiceField(choices=ReferralSource.choices)
    enrolled_on = serializers.DateField(required=False, allow_null=True)
    employed_at_referral = serializers.BooleanField(required=False)
    closed_on = serializers.DateField(required=False, allow_null=True)
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, required=False, allow_blank=True
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=ADDRESS_MAX_LENGTH, required=False, allow_blank=True)


# --- Contacts ----------------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    """A contact; `specialist` is who logged it."""

    class Meta:
        model = Contact
        fields = [
            "id",
            "client",
            "specialist",
            "contacted_on",
            "minutes",
            "mode",
            "place",
            "with_whom",
            "purpose",
            "note",
            "version",
        ]
        read_only_fields = fields


class ContactChangesSerializer(InputSerializer):
    """The fields of a contact a specialist types."""

    contacted_on = serializers.DateField()
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    mode = serializers.ChoiceField(choices=Contact.Mode.choices, required=False)
    place = serializers.ChoiceField(
        choices=Contact.Place.choices,
        required=False,
        help_text="Left out of a new contact: the community in person, remote otherwise.",
    )
    with_whom = serializers.ChoiceField(choices=Contact.WithWhom.choices, required=False)
    purpose = serializers.ChoiceField(choices=Contact.Purpose.choices)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class ContactCreateSerializer(ContactChangesSerializer):
    """Input of a new contact, logged by the caller."""

    client = ClientField()


class ContactUpdateSerializer(VersionedInputSerializer, ContactChangesSerializer):
    """Input of a correction to a contact (it stays with its client)."""


# --- Jobs --------------------------------------------------------------------------------------

_HOURS_ERRORS = {
    "min_value": "Hours per week must be more than zero.",
    "max_value": "Hours per week cannot be more than {max_value}.",
}
_WAGE_ERRORS = {
    "min_value": "The hourly wage cannot be negative.",
    "max_value": "The hourly wage cannot be more than {max_value}: give the pay for one hour.",
}
_TIPS_ERRORS = {
    "min_value": "Tips or commission per hour cannot be negative.",
    "max_value": "Tips or commission cannot be more than {max_value}: give them for one hour.",
}


class JobSerializer(serializers.ModelSerializer):
    """A job; `competitive` is derived and stored by the application, never entered."""

    competitive = serializers.BooleanField(read_only=True)
    # Empty while the job goes on: the schema says so (a read-only choice would not).
    end_reason = serializers.ChoiceField(
        choices=JobEndReason.choices, allow_blank=True, read_only=True
    )
    # Empty when the job is not set aside.
    set_aside_kind = serializers.ChoiceField(
        choices=SetAsideKind.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "client",
            "employer",
            "title",
            "job_type",
            "started_on",
            "ended_on",
            "end_reason",
            "hours_per_week",
            "hourly_wage",
            "tips_per_hour",
            "self_employed",
            "set_aside",
            "set_aside_kind",
            "competitive",
            "version",
        ]
        read_only_fields = fields


class JobChangesSerializer(InputSerializer):
    """The fields of a job start a specialist types."""

    employer = EmployerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The employer's id; leave out (or null) only for self-employment.",
    )
    title = serializers.CharField(max_length=200)
    job_type = serializers.ChoiceField(choices=JobType.choices)
    started_on = serializers.DateField()
    hours_per_week = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_HOURS_PER_WEEK,
        error_messages=_HOURS_ERRORS,
    )
    hourly_wage = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_HOURLY_WAGE,
        error_messages=_WAGE_ERRORS,
    )
    tips_per_hour = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_HOURLY_WAGE,
        required=False,
        default=Decimal("0"),
        error_messages=_TIPS_ERRORS,
        help_text="Tips or commission per hour on average, counted with the hourly wage against "
        "the minimum wage.",
    )
    self_employed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Self-employment (no employer needed); competitive only where the program "
        "counts self-employment.",
    )
    set_aside = serializers.BooleanField(required=False, default=False)
    set_aside_kind = serializers.ChoiceField(
        choices=SetAsideKind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="The kind of work set aside for people with disabilities; naming one sets the "
        "job aside.",
    )


class JobCreateSerializer(JobChangesSerializer):
    """Input of a job start; with `ended_on` and an `end_reason`, of a job that has ended."""

    client = ClientField()
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)
    end_reason = serializers.ChoiceField(
        choices=JobEndReason.choices, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("employer") is None and not attrs.get("self_employed"):
            raise serializers.ValidationError({"employer": [EMPLOYER_OR_SELF_EMPLOYED]})
        return attrs


class JobUpdateSerializer(VersionedInputSerializer, JobChangesSerializer):
    """Input of a correction to a job, or its end (`ended_on` with an `end_reason`)."""

    employer = EmployerField(required=False, allow_null=True)
    tips_per_hour = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_HOURLY_WAGE,
        required=False,
        error_messages=_TIPS_ERRORS,
    )
    self_employed = serializers.BooleanField(required=False)
    set_aside = serializers.BooleanField(required=False)
    set_aside_kind = serializers.ChoiceField(
        choices=SetAsideKind.choices, required=False, allow_blank=True
    )
    ended_on = serializers.DateField(required=False, allow_null=True)
    end_reason = serializers.ChoiceField(
        choices=JobEndReason.choices, required=False, allow_blank=True
    )


# --- Supports and benefits referrals -----------------------------------------------------------


class SupportSerializer(serializers.ModelSerializer):
    """A follow-along support; `specialist` is who provided it."""

    class Meta:
        model = Support
        fields = [
            "id",
            "client",
            "job",
            "specialist",
            "provided_on",
            "kind",
            "provider",
            "note",
            "version",
        ]
        read_only_fields = fields


class SupportCreateSerializer(InputSerializer):
    """Input of a support provided by the caller."""

    client = ClientField()
    job = ScopedPrimaryKeyField(
        scope=Job.objects.editable_by,
        not_found="Choose one of this client's jobs.",
        required=False,
        allow_null=True,
        default=None,
    )
    provided_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=Support.Kind.choices)
    provider = serializers.ChoiceField(
        choices=Support.Provider.choices, required=False, default=Support.Provider.SPECIALIST
    )
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class BenefitsReferralSerializer(serializers.ModelSerializer):
    """A referral to a benefits counselor."""

    benefits = serializers.ListField(
        child=serializers.ChoiceField(choices=Benefit.choices), read_only=True
    )

    class Meta:
        model = BenefitsReferral
        fields = [
            "id",
            "client",
            "referred_on",
            "counselor",
            "benefits",
            "planning_completed_on",
            "note",
            "version",
        ]
        read_only_fields = fields


class BenefitsReferralChangesSerializer(InputSerializer):
    """The fields of a benefits referral that may change after it was made."""

    counselor = serializers.CharField(max_length=200)
    benefits = serializers.ListField(child=serializers.ChoiceField(choices=Benefit.choices))
    planning_completed_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class BenefitsReferralCreateSerializer(BenefitsReferralChangesSerializer):
    """Input of a new benefits referral."""

    client = ClientField()
    referred_on = serializers.DateField()


class BenefitsReferralUpdateSerializer(VersionedInputSerializer, BenefitsReferralChangesSerializer):
    """Input of a change to a referral (typically: planning completed). The referral date is
    not changed here: archive a mistaken referral and record it again."""
