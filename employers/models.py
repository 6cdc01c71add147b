"""Employers: the businesses specialists develop relationships with, shared within a program."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import StrIndex

from ips import access
from ips.models import ADDRESS_MAX_LENGTH, Archivable, Program, User, bounded_text

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


_SUFFIXES = re.compile(r"\b(inc|llc|ltd|co|corp|corporation|company|the)\b")


def normalise_employer_name(name: str) -> str:
    """Lower case, no punctuation or legal suffixes: 'The Bean Co.' and 'bean' compare equal."""
    words = re.sub(r"[^a-z0-9 ]+", " ", name.lower())
    return " ".join(_SUFFIXES.sub(" ", words).split())


class EmployerQuerySet(models.QuerySet["Employer"]):
    def visible_to(self, user: User | AnonymousUser) -> EmployerQuerySet:
        """Employers of the programs where the user may see clients; and, in an agency that
        shares employers, those of its other programs (read-only: writing still needs a role in
        the employer's own program). Never another agency's."""

        programs = access.program_ids_for(user, access.Capability.VIEW_CLIENTS)
        sharing_agencies = Program.objects.filter(
            id__in=programs, agency__share_employers=True
        ).values("agency_id")
        return self.filter(Q(program_id__in=programs) | Q(program__agency_id__in=sharing_agencies))

    def editable_by(self, user: User | AnonymousUser) -> EmployerQuerySet:
        """Live employers of the programs where the user may record client work (a shared
        employer of another program is read-only)."""
        return self.filter(
            program_id__in=access.program_ids_for(user, access.Capability.EDIT_CLIENTS),
            archived_at__isnull=True,
        )

    def similar_to(self, name: str) -> EmployerQuerySet:
        """Employers whose normalised name contains, or is contained in, that of `name`."""
        key = normalise_employer_name(name)
        if not key:
            return self.none()
        return (
            self.exclude(name_key="")
            .annotate(_within=StrIndex(Value(key), F("name_key")))
            .filter(Q(name_key__contains=key) | Q(_within__gt=0))
        )


class Employer(Archivable):
    """A business. Belongs to the program whose specialists develop it."""

    program = models.ForeignKey("ips.Program", on_delete=models.PROTECT, related_name="employers")
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    industry = models.CharField(max_length=120, blank=True)
    address = bounded_text(blank=True, max_length=ADDRESS_MAX_LENGTH)
    notes = bounded_text(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmployerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_key = normalise_employer_name(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class EmployerPerson(models.Model):
    """Someone at an employer: a hiring manager or another contact."""

    program_path = "employer.program"

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    makes_hiring_decisions = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


# What the weekly employer-contact target counts: a specialist's own contact, face to face with
# someone who makes hiring decisions (a contact the client made on their own is not the
# specialist's). `outcomes.definitions.COUNTED_EMPLOYER_CONTACT` is this condition.
COUNTED = Q(face_to_face=True, with_hiring_manager=True, by_client=False)


class EmployerContactQuerySet(models.QuerySet["EmployerContact"]):
    def visible_to(self, user: User | AnonymousUser) -> EmployerContactQuerySet:
        """Job-development contacts of the programs where the user may see clients."""
        return self.filter(
            employer__program_id__in=access.program_ids_for(user, access.Capability.VIEW_CLIENTS),
            archived_at__isnull=True,
        )

    def live(self) -> EmployerContactQuerySet:
        return self.filter(archived_at__isnull=True)

    def face_to_face_with_hiring_manager(self) -> EmployerContactQuerySet:
        """The contacts counted against the weekly target."""
        return self.filter(COUNTED)


class EmployerContact(Archivable):
    """A job-development contact: a specialist meeting an employer, often on clients' behalf."""

    program_path = "employer.program"

    class Purpose(models.TextChoices):
        INTRODUCE = "introduce", "Introduce self and program"
        LEARN_NEEDS = "learn_needs", "Learn the business's needs"
        PRESENT_JOB_SEEKER = "present_job_seeker", "Present a job seeker"
        FOLLOW_UP = "follow_up", "Follow up"
        ARRANGE_INTERVIEW = "arrange_interview", "Arrange an interview"
        SUPPORT_WORKER = "support_worker", "Support a working client"

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="contacts")
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employer_contacts"
    )
    person = models.ForeignKey(
        EmployerPerson, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    contacted_on = models.DateField()
    minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="How long the contact took (travel included), if known.",
    )
    face_to_face = models.BooleanField(default=True)
    by_client = models.BooleanField(
        "Made by the client on their own",
        default=False,
        help_text="The client met the employer without the specialist; logged so that their "
        "job search counts from the first contact either of them made.",
    )
    with_hiring_manager = models.BooleanField(
        "With someone who makes hiring decisions", default=False
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    clients = models.ManyToManyField(
        "clients.Client",
        blank=True,
        related_name="employer_contacts",
        help_text="The job seekers this contact was on behalf of (none, one or several).",
    )
    outcome = bounded_text(blank=True)
    next_step = models.CharField(max_length=300, blank=True)
    note = bounded_text(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmployerContactQuerySet.as_manager()

    class Meta:
        ordering = ["-contacted_on", "-id"]
        indexes = [
            models.Index(fields=["specialist", "contacted_on"]),
            models.Index(fields=["employer", "-contacted_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="employer_contact_minutes_in_a_day",
                condition=Q(minutes__isnull=True) | Q(minutes__gt=0, minutes__lte=1440),
                violation_error_message="Give the minutes the contact took (1 to 1440).",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} at {self.employer} on {self.contacted_on:%Y-%m-%d}"
