"""Clients and what specialists log about them: episodes, profile, plan, contacts, jobs, supports.

Zero exclusion: nothing here records diagnosis, "readiness", symptoms, substance use or history,
and no field can block enrollment. Everyone who wants to work is enrolled.

Records are archived with a reason, never deleted from the UI; `visible_to(user)` hides archived
rows and everything outside the user's programs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from ips import access
from ips.calendar import today
from ips.constraints import ChecksInPython
from ips.models import ADDRESS_MAX_LENGTH, MinimumWage, PlausibleDates, User, bounded_text
from ips.models import Archivable as BaseArchivable
from ips.reads import ReadAuditedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _client_ids_visible_to(user: User | AnonymousUser) -> models.QuerySet:

    return Client.objects.filter(
        program_id__in=access.program_ids_for(user, access.Capability.VIEW_CLIENTS),
        archived_at__isnull=True,
    ).values("id")


class Archivable(BaseArchivable):
    """A record about a client: archived, never deleted; its audit entries name the client."""

    # The program whose roles govern the record, and the client a read of it is about.
    program_path: ClassVar[str] = "client.program"
    client_id_path: ClassVar[str] = "client_id"

    class Meta:
        abstract = True

    def get_additional_data(self) -> dict[str, Any]:
        """Stored with each change in the audit trail, so a client's history finds it."""
        return {"client_id": getattr(self, "client_id", None) or self.pk}


class ClientRecordQuerySet(ReadAuditedQuerySet):
    """For records about a client: visible when the client is, never when archived. The rows
    read through `visible_to` are recorded as reads of their clients (`ips.reads`)."""

    def visible_to(self, user: User | AnonymousUser) -> ClientRecordQuerySet:
        return self.filter(
            client_id__in=_client_ids_visible_to(user), archived_at__isnull=True
        ).recording_reads()

    def live(self) -> ClientRecordQuerySet:
        """Not archived, for computations that act for no particular user (outcomes)."""
        return self.filter(archived_at__isnull=True)

    def editable_by(self, user: User | AnonymousUser) -> ClientRecordQuerySet:
        """Live records about the clients the user may record client work for."""
        return self.filter(client__in=Client.objects.editable_by(user), archived_at__isnull=True)


# --- Client and enrollment episodes ------------------------------------------------------------


class ClientQuerySet(ReadAuditedQuerySet):
    audited_client_field = "id"

    def visible_to(self, user: User | AnonymousUser) -> ClientQuerySet:
        """Clients of the programs where the user may see clients (specialists see their whole
        program's, so they can cover for each other); never archived ones."""

        # The same condition as `_client_ids_visible_to`, on the rows themselves: a subquery of
        # the client table in its own WHERE would only cost building and planning time.
        return self.filter(
            program_id__in=access.program_ids_for(user, access.Capability.VIEW_CLIENTS),
            archived_at__isnull=True,
        ).recording_reads()

    def live(self) -> ClientQuerySet:
        return self.filter(archived_at__isnull=True)

    def editable_by(self, user: User | AnonymousUser) -> ClientQuerySet:
        """Live clients of the programs where the user may record client work: the clients a
        write (a contact, a job, an employer contact on their behalf) may name."""
        return self.filter(
            program_id__in=access.program_ids_for(user, access.Capability.EDIT_CLIENTS),
            archived_at__isnull=True,
        ).recording_reads()

    def with_last_contact(self) -> ClientQuerySet:
        """`last_contact_on`: the date of the latest live contact, or None."""
        latest = (
            Contact.objects.live()
            .filter(client=OuterRef("pk"))
            .order_by("-contacted_on")
            .values("contacted_on")[:1]
        )
        return self.annotate(last_contact_on=Subquery(latest))

    def with_working(self, on: dt.date) -> ClientQuerySet:
        """`working`: holds a competitive job on the day `on`."""
        jobs = Job.objects.live().competitive().held_on(on).filter(client=OuterRef("pk"))
        return self.annotate(working=Exists(jobs))


# The oldest a client may be: a date of birth further back is a typing mistake.
MAX_AGE_YEARS = 120


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` years earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birth_date_problem(born: dt.date) -> str | None:
    """Why `born` cannot be a client's date of birth (in the future, or more than 120 years
    ago), or None."""
    now = today()
    if born > now:
        return "The date of birth cannot be in the future."
    if born < years_before(now, MAX_AGE_YEARS):
        return f"Give a date of birth within the last {MAX_AGE_YEARS} years."
    return None


class Client(Archivable):
    """A person served by an IPS program. Episodes (referral → enrollment → closure) hang off it."""

    program_path = "program"
    client_id_path = "pk"
    # The date of birth is before 2000 more often than not: it has its own rule (`clean_fields`).
    own_date_rules = ("birth_date",)

    program = models.ForeignKey("ips.Program", on_delete=models.PROTECT, related_name="clients")
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="caseload",
        help_text="The assigned employment specialist.",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = bounded_text(blank=True, max_length=ADDRESS_MAX_LENGTH)
    current_episode = models.OneToOneField(
        "Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["program", "last_name", "first_name"]),
            # A specialist's caseload in name order with its count (`caseload_page`), from the
            # index alone: the page's query reads no client row but the page's.
            models.Index(
                fields=["specialist", "last_name", "first_name", "id"],
                include=["program"],
                condition=Q(archived_at__isnull=True),
                name="client_caseload_by_name",
            ),
            # A program's live clients, from the index alone: every outcome count starts there.
            models.Index(
                fields=["program", "id"],
                condition=Q(archived_at__isnull=True),
                name="client_live_by_program",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": self.pk}

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, then keep the assignment history (`SpecialistAssignment`) in step with the
        assigned specialist. Done here rather than in one service so that every way of changing
        the specialist (the forms, the API, the admin, the demo seed) keeps the history that
        per-specialist outcomes of past periods are counted from."""
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "specialist" in update_fields:
            assignment_follow(self)

    def clean_fields(self, exclude: Any = None) -> None:
        """The field checks, and a date of birth neither in the future nor more than 120 years
        ago."""
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        checked = "birth_date" not in {*(exclude or ()), *errors}
        if checked and isinstance(self.birth_date, dt.date):
            problem = birth_date_problem(self.birth_date)
            errors.update({"birth_date": [problem]} if problem else {})
        if errors:
            raise ValidationError(errors)

    @property
    def status(self) -> str:
        """referred, enrolled or closed — from the current episode."""
        episode = self.current_episode
        if episode is not None and episode.closed_on is not None:
            return "closed"
        return "enrolled" if episode is not None and episode.enrolled_on else "referred"


class SpecialistAssignment(models.Model):
    """A spell during which a client was assigned to an employment specialist (or to none).

    A client's spells follow one another without gap or overlap: the first runs from the start
    of the record (`started_on` empty), and each reassignment ends the open spell the day
    before and opens a new one on the day of the change. Per-specialist outcomes credit each
    period to the specialist of the spell at that time, so a reassignment never changes a past
    period's numbers.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assignments")
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty while the client had no assigned specialist.",
    )
    started_on = models.DateField(
        null=True, blank=True, help_text="Empty: since the client's record began."
    )
    ended_on = models.DateField(null=True, blank=True, help_text="Empty: still assigned.")

    class Meta:
        ordering = ["client", F("started_on").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(ended_on__isnull=True),
                name="assignment_one_open_per_client",
            ),
            models.CheckConstraint(
                name="assignment_ends_after_start",
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
            ),
        ]
        indexes = [models.Index(fields=["client", "started_on"])]

    def __str__(self) -> str:
        return f"Assignment of client {self.client_id} from {self.started_on or 'the start'}"


def assignment_follow(client: Client) -> None:
    """Bring the client's assignment history in step with its `specialist`: open the first
    spell, or, when the specialist changed, end the open spell yesterday and open one today (a
    second change on the same day corrects today's spell instead)."""
    current = SpecialistAssignment.objects.filter(client=client, ended_on__isnull=True).first()
    if current is None:
        SpecialistAssignment.objects.create(client=client, specialist_id=client.specialist_id)
        return
    if current.specialist_id == client.specialist_id:
        return
    day = today()
    if current.started_on is not None and current.started_on >= day:
        current.specialist_id = client.specialist_id
        current.save(update_fields=["specialist"])
        return
    current.ended_on = day - dt.timedelta(days=1)
    current.save(update_fields=["ended_on"])
    SpecialistAssignment.objects.create(
        client=client, specialist_id=client.specialist_id, started_on=day
    )


class ReferralSource(models.TextChoices):
    SELF = "self", "Self"
    MH_PRACTITIONER = "mh_practitioner", "Mental-health practitioner"
    FAMILY = "family", "Family or friend"
    VR = "vr", "Vocational rehabilitation"
    OTHER = "other", "Other"


class ClosureReason(models.TextChoices):
    WORKING_STEADILY = "working_steadily", "Working steadily and satisfied"
    CHOSE_TO_STOP = "chose_to_stop", "Chose to stop the service"
    MOVED = "moved", "Moved away"
    NO_CONTACT = "no_contact", "No contact after documented outreach"
    OTHER = "other", "Other"


class Episode(ChecksInPython, PlausibleDates, models.Model):
    """One spell of service: referred, enrolled (onto a caseload), closed. Re-enrollment adds one.

    Closure is never a readiness judgement: the reasons are the client's own choices or
    circumstances.
    """

    program_path = "client.program"
    client_id_path = "client_id"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="episodes")
    referred_on = models.DateField()
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices)
    enrolled_on = models.DateField(null=True, blank=True)
    employed_at_referral = models.BooleanField(default=False)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        # A client's episodes with the dates the outcome counts read, from the index alone.
        indexes = [
            models.Index(
                fields=["client"],
                include=[
                    "id",
                    "enrolled_on",
                    "closed_on",
                    "employed_at_referral",
                    "closure_reason",
                ],
                name="episode_dates_by_client",
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="episode_enrolled_after_referral",
                condition=Q(enrolled_on__isnull=True) | Q(enrolled_on__gte=F("referred_on")),
                violation_error_message="Enrollment cannot come before the referral.",
            ),
            models.CheckConstraint(
                name="episode_closed_after_referral",
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("referred_on")),
                violation_error_message="Closure cannot come before the referral.",
            ),
            models.CheckConstraint(
                name="episode_closed_after_enrollment",
                condition=Q(closed_on__isnull=True)
                | Q(enrolled_on__isnull=True)
                | Q(closed_on__gte=F("enrolled_on")),
                violation_error_message="Closure cannot come before enrollment.",
            ),
            models.CheckConstraint(
                name="episode_closure_has_reason",
                condition=Q(closed_on__isnull=True) | ~Q(closure_reason=""),
                violation_error_message="Give the reason for closing.",
            ),
        ]

    def __str__(self) -> str:
        return f"Episode from {self.referred_on:%Y-%m-%d}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": self.client_id}

    def clean(self) -> None:
        """A referral cannot come before the client was born (named on the referral date)."""
        client = self.client if self.client_id else None
        born = client.birth_date if client is not None else None
        if born and self.referred_on and self.referred_on < born:
            raise ValidationError(
                {"referred_on": "The referral cannot come before the client's date of birth."}
            )

    def covers(self, day: dt.date) -> bool:
        """Whether `day` falls within the episode (from referral to closure, if closed)."""
        return self.referred_on <= day and (self.closed_on is None or day <= self.closed_on)


# --- Career profile, plan, education -----------------------------------------------------------


class CareerProfile(models.Model):
    """The IPS career (vocational) profile: the client's preferences, history and choices."""

    program_path = "client.program"
    client_id_path = "client_id"

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="profile")
    work_goal = bounded_text("Work goal / dream job", blank=True)
    preferred_job_types = bounded_text(blank=True)
    preferred_hours = models.CharField(max_length=200, blank=True)
    preferred_shifts = models.CharField(max_length=200, blank=True)
    preferred_places = bounded_text("Preferred places to work", blank=True)
    work_history = bounded_text(blank=True)
    education = bounded_text(blank=True)
    strengths = bounded_text("Strengths, skills and interests", blank=True)
    disclosure = bounded_text(
        "What the client wants employers to know",
        blank=True,
        help_text="The client's own disclosure choice. Disclosure is never required for service.",
    )
    benefits_held = bounded_text(blank=True)
    transport = bounded_text(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    def __str__(self) -> str:
        return f"Career profile of client #{self.client_id}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": self.client_id}


class PlanGoal(Archivable):
    """A goal of the employment plan (a job goal or an education goal)."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", "Employment"
        EDUCATION = "education", "Education or training"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="goals")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EMPLOYMENT)
    text = bounded_text("Goal", max_length=1_000)
    target_on = models.DateField(null=True, blank=True)
    achieved_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientRecordQuerySet.as_manager()

    class Meta:
        ordering = ["achieved_on", "target_on", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class PlanStepQuerySet(models.QuerySet["PlanStep"]):
    def visible_to(self, user: User | AnonymousUser) -> PlanStepQuerySet:
        """Steps of the live goals of clients the user may see."""
        return self.filter(
            goal__client_id__in=_client_ids_visible_to(user), goal__archived_at__isnull=True
        )


class PlanStep(PlausibleDates, models.Model):
    """A step towards a goal, and who takes it."""

    program_path = "goal.client.program"
    client_id_path = "goal.client_id"

    class Who(models.TextChoices):
        CLIENT = "client", "Client"
        SPECIALIST = "specialist", "Employment specialist"
        MH_PRACTITIONER = "mh_practitioner", "Mental-health practitioner"
        VR = "vr", "VR counselor"
        FAMILY = "family", "Family"

    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="steps")
    text = bounded_text("Step", max_length=1_000)
    who = models.CharField(max_length=20, choices=Who.choices, default=Who.CLIENT)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    objects = PlanStepQuerySet.as_manager()

    class Meta:
        ordering = ["done_on", "due_on", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": self.goal.client_id}


class EducationEnrollment(Archivable):
    """School or training the client is enrolled in (IPS supports education too)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="education")
    institution = models.CharField(max_length=200)
    course = models.CharField("Course or program", max_length=200, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    completed = models.BooleanField(default=False)

    objects = ClientRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="education_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                violation_error_message="The end date cannot be before the start date.",
            )
        ]

    def __str__(self) -> str:
        return self.institution


# --- Contacts ----------------------------------------------------------------------------------


class ContactQuerySet(ClientRecordQuerySet):
    def in_community(self) -> ContactQuerySet:
        return self.exclude(place=Contact.Place.OFFICE)


class Contact(Archivable):
    """A contact with or about a client, logged by a specialist."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"

    class Place(models.TextChoices):
        COMMUNITY = "community", "Community"
        HOME = "home", "Client's home"
        WORKPLACE = "workplace", "Workplace"
        OFFICE = "office", "Office"
        REMOTE = "remote", "Remote (phone, video or message)"

    class WithWhom(models.TextChoices):
        CLIENT = "client", "Client"
        FAMILY = "family", "Family"
        TREATMENT_TEAM = "treatment_team", "Treatment team"

    class Purpose(models.TextChoices):
        ENGAGEMENT = "engagement", "Engagement"
        CAREER_PROFILE = "career_profile", "Career profile"
        JOB_SEARCH = "job_search", "Job search"
        JOB_SUPPORT = "job_support", "Job support"
        BENEFITS = "benefits", "Benefits"
        EDUCATION = "education", "Education"
        OUTREACH = "outreach", "Outreach (trying to re-engage)"
        # Work that is not an employment service: logged so that the share of a specialist's
        # time on employment services (fidelity item 2) can be read from the log.
        CASE_MANAGEMENT = "case_management", "Case management (not employment)"
        GROUP = "group", "Therapy or day-program group"
        HOUSING = "housing", "Housing or residential support"
        CRISIS = "crisis", "Crisis response"
        TRANSPORT = "transport", "Transport only"
        OTHER_DUTIES = "other_duties", "Other non-employment duties"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contacts")
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="client_contacts"
    )
    contacted_on = models.DateField()
    minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    place = models.CharField(
        max_length=20,
        choices=Place.choices,
        default=Place.COMMUNITY,
        help_text="Where the contact took place; a phone, video, text or email contact is "
        "remote unless told otherwise (`default_place`).",
    )
    with_whom = models.CharField(max_length=20, choices=WithWhom.choices, default=WithWhom.CLIENT)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    note = bounded_text(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-contacted_on", "-id"]
        indexes = [models.Index(fields=["client", "-contacted_on"])]
        constraints = [
            models.CheckConstraint(
                name="contact_minutes_positive", condition=Q(minutes__gt=0, minutes__lte=1440)
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} contact on {self.contacted_on:%Y-%m-%d}"

    @staticmethod
    def default_place(mode: str) -> str:
        """Where a contact of this mode took place unless the specialist says otherwise: in
        person in the community, anything else remote."""
        return Contact.Place.COMMUNITY if mode == Contact.Mode.IN_PERSON else Contact.Place.REMOTE


# The purposes that are employment services (engagement and outreach, the career profile, job
# search, job support, benefits planning, education). Every other purpose is other work, which
# counts against fidelity item 2.
EMPLOYMENT_PURPOSES = frozenset(
    {
        Contact.Purpose.ENGAGEMENT,
        Contact.Purpose.OUTREACH,
        Contact.Purpose.CAREER_PROFILE,
        Contact.Purpose.JOB_SEARCH,
        Contact.Purpose.JOB_SUPPORT,
        Contact.Purpose.BENEFITS,
        Contact.Purpose.EDUCATION,
    }
)


# --- Jobs --------------------------------------------------------------------------------------


class JobType(models.TextChoices):
    FOOD_SERVICE = "food_service", "Food service"
    RETAIL = "retail", "Retail and sales"
    CLEANING = "cleaning", "Cleaning and maintenance"
    OFFICE = "office", "Office and clerical"
    WAREHOUSE = "warehouse", "Warehouse and logistics"
    HEALTHCARE = "healthcare", "Healthcare support"
    CONSTRUCTION = "construction", "Construction and trades"
    DRIVING = "driving", "Driving and delivery"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    CARE = "care", "Childcare and personal care"
    LANDSCAPING = "landscaping", "Landscaping and outdoors"
    MANUFACTURING = "manufacturing", "Manufacturing"
    TECHNICAL = "technical", "Technical and professional"
    OTHER = "other", "Other"


class JobEndReason(models.TextChoices):
    QUIT = "quit", "Quit"
    FIRED = "fired", "Fired"
    LAID_OFF = "laid_off", "Laid off"
    TEMPORARY_ENDED = "temporary_ended", "Temporary or seasonal job ended"
    BETTER_JOB = "better_job", "Left for a better job"
    OTHER = "other", "Other"


class SetAsideKind(models.TextChoices):
    """Work set aside for people with disabilities: never competitive, whatever it pays."""

    SHELTERED_WORKSHOP = "sheltered_workshop", "Sheltered workshop"
    ENCLAVE = "enclave", "Enclave (a group placed together inside a business)"
    WORK_CREW = "work_crew", "Mobile work crew"
    AGENCY_BUSINESS = "agency_business", "Business run by the agency"
    TRANSITIONAL = "transitional", "Transitional or time-limited agency placement"
    RESERVED_CONTRACT = "reserved_contract", "Contract job reserved for people with disabilities"
    OTHER = "other", "Other work set aside for people with disabilities"


def minimum_wage_in_force(program_ref: Any, day_ref: Any) -> Coalesce:
    """SQL for the program's minimum wage in force on a day (see `Program.minimum_wage_on`):
    the latest entry effective on or before the day, else the earliest entry."""
    entries = MinimumWage.objects.filter(program=program_ref)
    in_force = entries.filter(effective_on__lte=day_ref).order_by("-effective_on")
    earliest = entries.order_by("effective_on")
    return Coalesce(
        Subquery(in_force.values("hourly")[:1]), Subquery(earliest.values("hourly")[:1])
    )


def _minimum_wage_at_start() -> Coalesce:
    """The minimum wage in force for the job's client's program on the job's start date."""
    return minimum_wage_in_force(OuterRef("client__program"), OuterRef("started_on"))


def competitive_condition(minimum_wage: Any) -> Q:
    """Whether a job is competitive: the one definition. Paid at least `minimum_wage` (the
    minimum wage in force for the client's program on the start date) counting the cash wage
    plus tips or commission per hour, and not set aside for people with disabilities;
    self-employment only where the client's program counts it. A program with no minimum-wage
    schedule has no competitive jobs (the comparison with NULL is never true); the outcome
    roll-ups refuse such a program rather than report 0 %."""
    return (
        Q(set_aside=False)
        & Q(wage_with_tips__gte=minimum_wage)
        & (Q(self_employed=False) | Q(client__program__counts_self_employment=True))
    )


def not_competitive_reasons(
    *,
    set_aside: bool,
    set_aside_kind: str,
    self_employed: bool,
    counts_self_employment: bool,
    pay: Decimal,
    minimum_wage: Decimal | None,
) -> list[str]:
    """Why a job is not competitive, in the terms of `competitive_condition` (empty when it is):
    set aside, self-employment the program does not count, no minimum-wage schedule, or paid
    (`pay`: the wage plus tips or commission per hour) below the minimum wage in force on the
    start date."""
    reasons = []
    if set_aside:
        kind = SetAsideKind(set_aside_kind).label if set_aside_kind else ""
        reasons.append(f"set-aside job ({kind})" if kind else "set-aside job")
    if self_employed and not counts_self_employment:
        reasons.append("self-employment not counted in this program")
    if minimum_wage is None:
        reasons.append("the program has no minimum-wage schedule")
    elif pay < minimum_wage:
        reasons.append(f"${pay:.2f} an hour is below the ${minimum_wage:.2f} minimum wage")
    return reasons


def _with_wage_with_tips(jobs: models.QuerySet[Job]) -> models.QuerySet[Job]:
    """`wage_with_tips`: the cash wage plus tips or commission per hour."""
    return jobs.annotate(wage_with_tips=F("hourly_wage") + F("tips_per_hour"))


# What a job without an employer shows where the employer's name goes.
SELF_EMPLOYED = "Self-employed"


class JobQuerySet(ClientRecordQuerySet):
    def with_competitive(self, *, minimum_wage: bool = True) -> JobQuerySet:
        """Jobs with the `minimum_wage` in force on their start date (what the stored
        `competitive` was worked out against); `minimum_wage=False` leaves it out."""
        return self.annotate(minimum_wage=_minimum_wage_at_start()) if minimum_wage else self

    def with_computed_competitive(self) -> JobQuerySet:
        """`computed_competitive`: the one definition (`competitive_condition`) worked out now
        from the program's schedule; the stored `competitive` always equals it."""
        return _with_wage_with_tips(self).annotate(
            computed_competitive=Case(
                When(competitive_condition(_minimum_wage_at_start()), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )

    def competitive(self) -> JobQuerySet:
        """Competitive jobs only: the stored flag (`refresh_competitive`), a plain column the
        outcome queries read without working out each job's minimum wage again."""
        return self.filter(competitive=True)

    def with_wage_with_tips(self) -> JobQuerySet:
        """`wage_with_tips`: the cash wage plus tips or commission per hour."""
        return _with_wage_with_tips(self)

    def with_employer_name(self) -> JobQuerySet:
        """`employer_name`: the employer's name, or "Self-employed" (as `Job.employer_label`)."""
        return self.annotate(employer_name=Coalesce("employer__name", Value(SELF_EMPLOYED)))

    def held_on(self, day: dt.date) -> JobQuerySet:
        """Jobs started on or before `day` and not ended before it."""
        return self.filter(started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )


# More hours a week than anyone works, and more an hour than a client's job pays: typing mistakes
# (999.99 hours, a yearly salary in the wage).
MAX_HOURS_PER_WEEK = Decimal("80")
MAX_HOURLY_WAGE = Decimal("200")
HOURLY_WAGE_TOO_HIGH = (
    "The hourly wage cannot be more than %(limit_value)s: give the pay for one hour."
)
EMPLOYER_OR_SELF_EMPLOYED = "Choose the employer, or mark the job as self-employment."


class Job(Archivable):
    """A job a client holds or held. Several per client, overlapping allowed.

    Whether it is competitive is derived and stored (`competitive`, `refresh_competitive`),
    never typed.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="jobs")
    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.PROTECT,
        related_name="jobs",
        null=True,
        blank=True,
        help_text="Leave empty only for self-employment.",
    )
    self_employed = models.BooleanField(
        "Self-employment",
        default=False,
        help_text="The client works for themself (their own business or freelance work); the "
        "hourly wage is what they earn per hour worked. Counted as competitive only where the "
        "program counts self-employment.",
    )
    title = models.CharField(max_length=200)
    job_type = models.CharField(max_length=20, choices=JobType.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    hours_per_week = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.01")),
            MaxValueValidator(
                MAX_HOURS_PER_WEEK, "Hours per week cannot be more than %(limit_value)s."
            ),
        ],
    )
    hourly_wage = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0")),
            MaxValueValidator(MAX_HOURLY_WAGE, HOURLY_WAGE_TOO_HIGH),
        ],
    )
    tips_per_hour = models.DecimalField(
        "Tips or commission per hour",
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[
            MinValueValidator(Decimal("0"), "Tips or commission per hour cannot be negative."),
            MaxValueValidator(MAX_HOURLY_WAGE, HOURLY_WAGE_TOO_HIGH),
        ],
        help_text="On average, on top of the hourly wage: a server on a $2.13 tipped wage "
        "earning $14 an hour in tips works for $16.13 an hour.",
    )
    set_aside = models.BooleanField(
        "Set aside for people with disabilities",
        default=False,
        help_text="Sheltered workshops, enclaves, mobile work crews, businesses run by the agency, "
        "transitional or time-limited agency placements, contract jobs reserved for people with "
        "disabilities: never competitive.",
    )
    set_aside_kind = models.CharField(
        "Kind of set-aside work",
        max_length=20,
        choices=SetAsideKind.choices,
        blank=True,
        help_text="Naming a kind sets the job aside.",
    )
    end_reason = models.CharField(max_length=20, choices=JobEndReason.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Derived, never entered: `competitive_condition` against the minimum wage in force for the
    # client's program on the start date. Stored on every save of the job and for all the
    # program's jobs when its minimum-wage schedule changes (`refresh_competitive`).
    competitive = models.BooleanField(default=False, editable=False)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        # A client's live competitive jobs with what the outcome counts read, from the index
        # alone (the other jobs never count).
        indexes = [
            models.Index(
                fields=["client"],
                include=[
                    "id",
                    "started_on",
                    "ended_on",
                    "end_reason",
                    "hours_per_week",
                    "hourly_wage",
                ],
                condition=Q(competitive=True, archived_at__isnull=True),
                name="job_competitive_by_client",
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="job_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                name="job_hours_positive",
                condition=Q(hours_per_week__gt=0),
                violation_error_message="Hours per week must be more than zero.",
            ),
            models.CheckConstraint(
                name="job_wage_not_negative",
                condition=Q(hourly_wage__gte=0),
                violation_error_message="The hourly wage cannot be negative.",
            ),
            models.CheckConstraint(
                name="job_end_has_reason",
                condition=Q(ended_on__isnull=True) | ~Q(end_reason=""),
                violation_error_message="Give the reason the job ended.",
            ),
            models.CheckConstraint(
                name="job_employer_unless_self_employed",
                condition=Q(employer__isnull=False) | Q(self_employed=True),
                violation_error_message=EMPLOYER_OR_SELF_EMPLOYED,
            ),
            models.CheckConstraint(
                name="job_tips_not_negative",
                condition=Q(tips_per_hour__gte=0),
                violation_error_message="Tips or commission per hour cannot be negative.",
            ),
            models.CheckConstraint(
                name="job_set_aside_kind_sets_aside",
                condition=Q(set_aside_kind="") | Q(set_aside=True),
                violation_error_message="A job of a set-aside kind is set aside.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def employer_label(self) -> str:
        """The employer's name, or "Self-employed"."""
        return self.employer.name if self.employer is not None else SELF_EMPLOYED

    def why_not_competitive(self) -> list[str]:
        """Why the job is not competitive (`not_competitive_reasons`); empty when it is."""
        if self.competitive:
            return []
        program = self.client.program
        return not_competitive_reasons(
            set_aside=self.set_aside,
            set_aside_kind=self.set_aside_kind,
            self_employed=self.self_employed,
            counts_self_employment=program.counts_self_employment,
            pay=self.hourly_wage + self.tips_per_hour,
            minimum_wage=program.minimum_wage_on(self.started_on),
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, then store whether the job is competitive (`refresh_competitive`)."""
        super().save(*args, **kwargs)
        jobs = Job.objects.filter(pk=self.pk)
        refresh_competitive(jobs)
        self.competitive = jobs.values_list("competitive", flat=True).get()

    def clean_fields(self, exclude: Any = None) -> None:
        """The field checks, and an employer unless the job is self-employment (named on the
        employer field, and only when the employer given was not refused already)."""
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        checked = "employer" not in {*(exclude or ()), *errors}
        if checked and self.employer_id is None and not self.self_employed:
            errors["employer"] = [EMPLOYER_OR_SELF_EMPLOYED]
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        """Name the field at fault, so forms and the API show the error next to the end date.
        A named kind of set-aside work sets the job aside.

        The check constraints stay the guarantee; `full_clean` skips one once its field errs.
        """
        if self.set_aside_kind:
            self.set_aside = True
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "The end date cannot be before the start date."})


# --- Supports and benefits ---------------------------------------------------------------------


class Support(Archivable):
    """A follow-along support for a working client. Supports never expire."""

    class Kind(models.TextChoices):
        ON_THE_JOB = "on_the_job", "On the job"
        OFF_THE_JOB = "off_the_job", "Off the job"
        WITH_EMPLOYER = "with_employer", "With the employer"
        WITH_FAMILY = "with_family", "With family"
        CAREER = "career", "Career development (study, a better job)"

    class Provider(models.TextChoices):
        SPECIALIST = "specialist", "Employment specialist"
        TREATMENT_TEAM = "treatment_team", "Treatment team"
        FAMILY = "family", "Family"
        NATURAL = "natural", "Friends or co-workers (natural supports)"
        EMPLOYER = "employer", "Employer"
        VR = "vr", "VR counselor"
        OTHER = "other", "Someone else"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="supports")
    job = models.ForeignKey(
        Job, on_delete=models.PROTECT, null=True, blank=True, related_name="supports"
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded the support.",
    )
    provided_on = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    provider = models.CharField(
        "Given by",
        max_length=20,
        choices=Provider.choices,
        default=Provider.SPECIALIST,
        help_text="Who gave the support (the specialist, the team, family, natural supports...).",
    )
    note = bounded_text(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-provided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} support on {self.provided_on:%Y-%m-%d}"


class Benefit(models.TextChoices):
    SSI = "ssi", "SSI"
    SSDI = "ssdi", "SSDI"
    MEDICAID = "medicaid", "Medicaid"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other"


class BenefitsReferral(Archivable):
    """A referral to a benefits (work-incentives) counselor, and when planning was completed."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="benefits_referrals")
    referred_on = models.DateField()
    counselor = models.CharField("Referred to (benefits counselor)", max_length=200)
    benefits = models.JSONField(default=list, help_text="Benefits concerned.")
    planning_completed_on = models.DateField(null=True, blank=True)
    note = bounded_text(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="benefits_planning_after_referral",
                condition=Q(planning_completed_on__isnull=True)
                | Q(planning_completed_on__gte=F("referred_on")),
                violation_error_message="Planning cannot be completed before the referral.",
            )
        ]

    def __str__(self) -> str:
        return f"Benefits referral on {self.referred_on:%Y-%m-%d}"

    def clean(self) -> None:
        """Name the field at fault (planning completed on), as `Job.clean` does for its end."""
        done, referred = self.planning_completed_on, self.referred_on
        if done and referred and done < referred:
            raise ValidationError(
                {"planning_completed_on": "Planning cannot be completed before the referral."}
            )


def refresh_competitive(jobs: models.QuerySet[Job]) -> int:
    """Store `competitive` for these jobs from the one definition (`competitive_condition`
    against the minimum wage in force on each start date); returns how many rows were written.
    Called on every save of a job and, for a program's jobs, whenever its schedule changes."""
    computed = _with_wage_with_tips(Job.objects.filter(pk=OuterRef("pk"))).filter(
        competitive_condition(_minimum_wage_at_start())
    )
    return jobs.update(competitive=Exists(computed))
