"""The organisation: agencies, their IPS programs, staff and their roles; the read audit trail.

Who may see what is decided in `ips.access`; the querysets here only expose `visible_to(user)`,
which delegates to it and returns nothing by default.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ips import access
from ips.calendar import date_out_of_range
from ips.constraints import ChecksInPython
from ips.roles import AGENCY_ROLES, PROGRAM_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: User | AnonymousUser) -> UserQuerySet:
        """Accounts an agency admin manages: staff of their agency, or holding a role in it."""
        agencies = access.agency_ids_for(user, access.Capability.MANAGE_STAFF)
        return self.filter(
            Q(home_agency_id__in=agencies)
            | Q(id__in=StaffRole.objects.filter(agency_id__in=agencies).values("user_id"))
        )

    def specialists_of(self, programs: Any) -> UserQuerySet:
        """Active employment specialists of `programs` (programs, their ids, or a subquery of
        ids), each once, by name."""
        return (
            self.filter(is_active=True, roles__role=Role.SPECIALIST, roles__program__in=programs)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


# --- What a record may hold: dates in the calendar's range, texts of a bounded length ---------

# A note, an outcome, a rationale: a few paragraphs.
NOTE_MAX_LENGTH = 4_000
# A review's summaries, which may speak of all 25 items; two reviewers' rationales joined.
LONG_TEXT_MAX_LENGTH = 10_000
ADDRESS_MAX_LENGTH = 500


def bounded_text(*args: Any, max_length: int = NOTE_MAX_LENGTH, **kwargs: Any) -> models.TextField:
    """A TextField that refuses more than `max_length` characters. (A TextField's own
    `max_length` only sizes its form field; the validator makes `full_clean`, and so every
    service, hold to it too.)"""
    return models.TextField(
        *args, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


class PlausibleDates:
    """Mixed into every model whose dates people enter: each date field is held to the range of
    `ips.calendar` (from 2000 to the end of next year) by `full_clean`, beside Django's own
    field checks, so the pages and the API refuse the same dates with the same message.

    `own_date_rules` names the date fields that have a rule of their own instead (a date of
    birth). Domain rules (not in the future, after the referral) stay with the services.
    """

    own_date_rules: ClassVar[tuple[str, ...]] = ()

    def clean_fields(self, exclude: Any = None) -> None:
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude)  # type: ignore[misc]
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        skipped = {*(exclude or ()), *errors, *self.own_date_rules}
        for field in self._meta.concrete_fields:  # type: ignore[attr-defined]
            if not isinstance(field, models.DateField) or isinstance(field, models.DateTimeField):
                continue
            value = getattr(self, field.attname)
            if field.name in skipped or not isinstance(value, dt.date):
                continue
            if problem := date_out_of_range(value):
                errors[field.name] = [problem]
        if errors:
            raise ValidationError(errors)


class Archivable(ChecksInPython, PlausibleDates, models.Model):
    """Soft deletion: the row stays, with who archived it, when and why; plus a `version` for
    optimistic concurrency (`ips.versioning`)."""

    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    archive_reason = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A member of staff (or an outside fidelity reviewer). Deactivated, never deleted.

    `home_agency` is the agency that employs them and may reset their password or deactivate
    them; an outside reviewer may have none and only hold reviewer roles.
    """

    home_agency = models.ForeignKey(
        "Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    must_enrol_two_factor = models.BooleanField(
        default=False,
        help_text="An admin chose this account's password (creating it, or resetting it): "
        "while it holds a role that reads client records, or the admin role, it enrols an "
        "authenticator at next login. Cleared by enrolling one.",
    )

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return staff_name(self.first_name, self.last_name, self.username)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("Staff accounts are deactivated, never deleted.")

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a new password or a deactivated account ends every API token of the account.

        The one place of that rule, so that no path can miss it: the own password change, an
        admin's reset, `manage.py changepassword`, deactivation. Django's `set_password()` keeps
        the new password in `_password` until the save (a mere hash upgrade at login clears it
        first: the password itself has not changed). `QuerySet.update()` bypasses this: change
        passwords and `is_active` through a save.
        """
        ends_tokens = not self._state.adding and (self._password is not None or not self.is_active)
        super().save(*args, **kwargs)
        if ends_tokens:
            # One by one, so that the change history records each revocation.
            ApiToken.objects.filter(user=self).delete()


def staff_name(first_name: str, last_name: str, username: str) -> str:
    """How pages name a member of staff: the full name, else the username. `str(user)`, and
    pages that read names with `values()` rather than building whole users."""
    return f"{first_name} {last_name}".strip() or username


class AgencyQuerySet(models.QuerySet["Agency"]):
    def visible_to(self, user: User | AnonymousUser) -> AgencyQuerySet:
        """Agencies in which the user holds any role (reviewers: the agencies they review)."""
        return self.filter(id__in=access.agency_ids_for(user))


# Time zones of the United States (where Letter paper is the norm): the `US/` aliases and the
# IANA zones of US territory.
US_TIME_ZONE_PREFIXES = ("US/", "America/Indiana/", "America/Kentucky/", "America/North_Dakota/")
US_TIME_ZONES = {
    "America/New_York",
    "America/Detroit",
    "America/Chicago",
    "America/Menominee",
    "America/Denver",
    "America/Boise",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "America/Juneau",
    "America/Sitka",
    "America/Metlakatla",
    "America/Yakutat",
    "America/Nome",
    "America/Adak",
    "America/Puerto_Rico",
    "Pacific/Honolulu",
    "Pacific/Guam",
}


class PaperSize(models.TextChoices):
    LETTER = "letter", "US Letter"
    A4 = "a4", "A4"


def default_paper_size() -> str:
    """Letter where the installation keeps US time (settings.TIME_ZONE), A4 elsewhere."""
    zone = settings.TIME_ZONE
    is_us = zone in US_TIME_ZONES or zone.startswith(US_TIME_ZONE_PREFIXES)
    return PaperSize.LETTER if is_us else PaperSize.A4


class Agency(models.Model):
    program_path = None  # agency roles govern an agency, not a program (`ips.pages.record_for`)

    """A mental-health agency running one or more IPS programs. Agencies never see each other."""

    name = models.CharField(max_length=200, unique=True)
    requires_two_factor = models.BooleanField(
        default=False, help_text="Staff must enrol an authenticator app before using the system."
    )
    share_employers = models.BooleanField(
        "Share employers between programs",
        default=False,
        help_text="Specialists see (read-only) the employers of the agency's other programs.",
    )
    paper_size = models.CharField(
        max_length=6,
        choices=PaperSize.choices,
        default=default_paper_size,
        help_text="The paper the agency's PDF reports are laid out for.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def page_size(self) -> str:
        """The CSS `@page` size of the agency's paper: `letter` or `A4`."""
        return "A4" if self.paper_size == PaperSize.A4 else "letter"


class ProgramQuerySet(models.QuerySet["Program"]):
    def visible_to(self, user: User | AnonymousUser) -> ProgramQuerySet:
        """Programs the user may see: those of their program roles, and all of their agencies'."""
        return self.filter(id__in=access.program_ids_for(user, access.Capability.VIEW_PROGRAM))

    def granting(
        self, user: User | AnonymousUser, capability: access.Capability
    ) -> ProgramQuerySet:
        """Programs where the user's roles grant `capability`: where they may add a client,
        plan a review, run supervision, export outcomes…"""
        return self.filter(id__in=access.program_ids_for(user, capability))

    def for_list(self) -> ProgramQuerySet:
        """The program list page: agency joined, staff counted in one query."""
        return self.select_related("agency").annotate(
            specialist_count=models.Count(
                "staff_roles", filter=Q(staff_roles__role=Role.SPECIALIST), distinct=True
            ),
        )


class Program(models.Model):
    program_path = ""  # a program's roles govern the program itself (`access.program_of`)

    """An IPS team at a site. Its minimum-wage schedule decides which jobs are competitive."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    site = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    weekly_employer_contact_target = models.PositiveSmallIntegerField(
        default=6,
        help_text="Face-to-face contacts with hiring managers per specialist per week.",
    )
    counts_self_employment = models.BooleanField(
        "Count self-employment as competitive",
        default=False,
        help_text="Self-employment paying at least the minimum wage counts as a competitive job "
        "(US law counts it; IPS practice varies by state and funder).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="program_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name

    def minimum_wage_on(self, day: dt.date) -> Decimal | None:
        """The hourly minimum wage in force on `day`.

        The latest schedule entry effective on or before the day; before the first entry, the
        earliest entry applies. None only when the program has no schedule at all.
        """
        entries = self.minimum_wages.order_by("effective_on")
        in_force = entries.filter(effective_on__lte=day).last()
        if in_force is None:
            in_force = entries.first()
        return in_force.hourly if in_force else None


class MinimumWage(ChecksInPython, PlausibleDates, models.Model):
    """One entry of a program's jurisdiction minimum-wage schedule (the highest applicable rate)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="minimum_wages")
    effective_on = models.DateField()
    hourly = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        ordering = ["program", "-effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "effective_on"], name="minimum_wage_one_per_day"
            ),
            models.CheckConstraint(condition=Q(hourly__gt=0), name="minimum_wage_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.hourly} from {self.effective_on:%Y-%m-%d}"


class StaffRoleQuerySet(models.QuerySet["StaffRole"]):
    def visible_to(self, user: User | AnonymousUser) -> StaffRoleQuerySet:
        """Roles within the agencies where the user may manage staff."""
        return self.filter(
            agency_id__in=access.agency_ids_for(user, access.Capability.MANAGE_STAFF)
        )


class StaffRole(ChecksInPython, models.Model):
    """A user's role: in one program (specialist, supervisor, reviewer) or agency-wide.

    One user may hold different roles in different programs. A fidelity reviewer may come from
    outside the agency; the role still belongs to the agency of the program they review.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff_roles")
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="staff_roles", null=True, blank=True
    )
    # The share of a full-time post the person works in this role (fidelity item 1 reads a
    # caseload per full-time equivalent). Meaningful for specialists; 1 for everyone else.
    fte = models.DecimalField(
        "Full-time equivalent",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1.00"))],
        help_text="1.00 for full time, 0.50 for half time.",
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    # Who asked for the role, and the second person who approved it (`RoleRequest`); both empty
    # on roles made before these were recorded, or by a platform operator in the Django admin.
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = StaffRoleQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "program__name", "role"]
        constraints = [
            models.CheckConstraint(
                name="staff_role_program_matches_kind",
                condition=(
                    Q(role__in=sorted(PROGRAM_ROLES), program__isnull=False)
                    | Q(role__in=sorted(AGENCY_ROLES), program__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="staff_role_fte_in_range", condition=Q(fte__gt=0, fte__lte=1)
            ),
            models.UniqueConstraint(
                fields=["user", "role", "program"],
                name="staff_role_unique_per_program",
                condition=Q(program__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "agency"],
                name="staff_role_unique_per_agency",
                condition=Q(program__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.program or self.agency}"

    def get_additional_data(self) -> dict[str, Any]:
        """The account the role is about, so the account's audit history shows its roles."""
        return {"staff_id": self.user_id}

    def clean(self) -> None:
        if self.role in PROGRAM_ROLES and self.program_id is None:
            raise ValidationError({"program": "This role belongs to a program: choose one."})
        if self.role in AGENCY_ROLES and self.program_id is not None:
            raise ValidationError({"program": "This role covers the whole agency: leave it empty."})
        if self.program_id is not None and self.program.agency_id != self.agency_id:
            raise ValidationError({"program": "The program belongs to another agency."})


class RoleRequestQuerySet(models.QuerySet["RoleRequest"]):
    def visible_to(self, user: User | AnonymousUser) -> RoleRequestQuerySet:
        """Requests within the agencies where the user may manage staff."""
        return self.filter(
            agency_id__in=access.agency_ids_for(user, access.Capability.MANAGE_STAFF)
        )

    def pending(self) -> RoleRequestQuerySet:
        return self.filter(status=RoleRequest.Status.PENDING)


class RoleRequest(ChecksInPython, models.Model):
    """A grant of a privileged role (one that reads client records, or the admin role) that an
    admin asked for and a second person must approve: another admin of the agency (neither the
    one who asked nor the one who would get the role), or a platform operator. Approved, it
    becomes a `StaffRole` naming both; decided, it is kept (the audit trail has its history).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_requests"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="role_requests")
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="role_requests", null=True, blank=True
    )
    # The full-time equivalent the role is granted with (`StaffRole.fte`).
    fte = models.DecimalField(
        "Full-time equivalent",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1.00"))],
        help_text="1.00 for full time, 0.50 for half time.",
    )

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RoleRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "program"],
                name="role_request_pending_once_per_program",
                condition=Q(status="pending", program__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "agency"],
                name="role_request_pending_once_per_agency",
                condition=Q(status="pending", program__isnull=True),
            ),
            models.CheckConstraint(
                name="role_request_decided_by_someone_else",
                condition=(
                    Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                    | (
                        ~Q(status="pending")
                        & Q(decided_by__isnull=False, decided_at__isnull=False)
                        & ~Q(decided_by=models.F("user"))
                    )
                ),
            ),
            models.CheckConstraint(
                name="role_request_not_for_oneself",
                condition=~Q(requested_by=models.F("user")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.program or self.agency} for user #{self.user_id}"

    def get_additional_data(self) -> dict[str, Any]:
        """The account the request is about, so the account's audit history shows it."""
        return {"staff_id": self.user_id}


class AppendOnly(models.Model):
    """A row of the audit trail: written once, never changed or deleted (PostgreSQL refuses it
    too, with a trigger)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("The audit trail is append-only.")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: User | AnonymousUser) -> AuditEventQuerySet:
        """Audit events of the agencies where the user may read the audit trail."""
        return self.filter(agency_id__in=access.agency_ids_for(user, access.Capability.VIEW_AUDIT))

    def update(self, **kwargs: Any) -> int:
        raise ValidationError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError("The audit trail is append-only.")


class AuditEvent(AppendOnly):
    """One read of a protected record (page view, API retrieve, export). Append-only.

    Changes are recorded by django-auditlog (before → after); `ips.audit` joins the two into one
    history. A database trigger (migration 0002) refuses UPDATE and DELETE on PostgreSQL.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed page"
        API = "api", "Read through the API"
        EXPORT = "export", "Exported"
        # A list, search, drill-down or form naming several clients: `clients` says which.
        LIST = "list", "Listed"
        # Records written from a spreadsheet: the import run names the file and the counts,
        # `clients` the clients whose records it created or changed.
        IMPORT = "import", "Imported"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="audit_events")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    # The client the record is about (a job, a contact), so "who saw this client" is one query.
    subject_client_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    path = models.CharField(max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.content_type} #{self.object_id}"


class AuditEventClient(AppendOnly):
    """One client named by a bulk read (`AuditEvent.Action.LIST`): a client's history finds every
    list that showed them. Append-only, like the event."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="clients")
    client_id = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "client_id"], name="audit_event_client_once")
        ]

    def __str__(self) -> str:
        return f"Client #{self.client_id} in {self.event_id}"


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the heartbeat task (`ips.tasks.worker_heartbeat_task`,
    sent by beat every minute): one row. Kept in the database, so `/readyz` reads it while Redis
    is down. A stale one means no worker runs tasks, or beat or the broker is down."""

    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Worker heartbeat at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, user: User | AnonymousUser) -> ApiTokenQuerySet:
        """The user's own tokens, and those of the accounts they administer (`User.visible_to`)."""
        if not access.is_active_user(user):
            return self.none()
        return self.filter(Q(user=user) | Q(user__in=User.objects.visible_to(user)))


class ApiToken(models.Model):
    """A key to the API (`Authorization: Token <key>`) for one account, until it expires.

    The key is shown once, when it is issued, and never stored: the row holds its SHA-256 digest,
    so a copy of the database opens nothing. (A digest without salt or stretching suffices: keys
    are 256 random bits, not passwords a person chose.) Revoking a token deletes its row; the
    change history keeps who issued and revoked it, never the digest. A changed password or a
    deactivated account revokes all of the account's tokens (`User.save`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    # Written at most once a minute (`ips.authentication`): a request costs no write.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API token “{self.name}” of {self.user}"

    def get_additional_data(self) -> dict[str, Any]:
        """Stored with each change-history entry: the account's history lists its tokens."""
        return {"user_id": self.user_id}

    @staticmethod
    def new_key() -> str:
        """A fresh key: 256 random bits, 64 hexadecimal characters."""
        return secrets.token_hex(32)

    @staticmethod
    def digest_of(key: str) -> str:
        """What is stored of a key, and looked up when a request presents one."""
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class IdempotencyKey(models.Model):
    """A create a caller asked for under an `Idempotency-Key`, so that the same key sent again
    (a phone's outbox retrying after a lost answer) answers with the record first made instead of
    making a second one. Holds ids only, never the request's content: the answer to a replay is
    the record as it stands, read through the caller's scope. Kept `IDEMPOTENCY_KEY_HOURS`; the
    nightly sweep removes older keys (`ips.idempotency.purge_expired`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # The path and a SHA-256 of the parsed input: the same key with other input is refused.
    path = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"idempotency key {self.pk}"


# The notices (the bell), their preferences and e-mails: models of their own package.
from ips.notices.models import Delivery, Notice, NoticeSettings  # noqa: E402, F401
