"""Treatment teams and their meetings; outcome-based supervision sessions and their action items.

IPS integrates employment with mental-health treatment: specialists attend the treatment teams'
meetings, where clients are discussed, and the IPS supervisor runs weekly group supervision that
reviews each specialist's numbers and agrees on goals and action items. An action item stays open
(and shows at every later session and on the specialist's home page) until it is marked done.

Every record carries a version and is archived with a reason, never deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from clients.models import Client
from ips import access
from ips.calendar import today
from ips.models import Archivable, User, bounded_text
from ips.reads import ReadAuditedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _programs(user: User | AnonymousUser, capability: str) -> models.QuerySet:

    return access.program_ids_for(user, access.Capability(capability))


class TreatmentTeamQuerySet(models.QuerySet["TreatmentTeam"]):
    def visible_to(self, user: User | AnonymousUser) -> TreatmentTeamQuerySet:
        """Live teams of the programs where the user may see clients."""
        return self.filter(program_id__in=_programs(user, "view_clients"), archived_at__isnull=True)


class TreatmentTeam(Archivable):
    """A mental-health treatment team the program works with, the specialists assigned to it
    (who are expected at its meetings) and the clients it treats."""

    program = models.ForeignKey(
        "ips.Program", on_delete=models.PROTECT, related_name="treatment_teams"
    )
    name = models.CharField(max_length=200)
    specialists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="treatment_teams"
    )
    # The clients whose mental-health treatment this team provides (fidelity item 4: the
    # share of a specialist's caseload that comes from their own one or two teams).
    clients = models.ManyToManyField(
        "clients.Client",
        blank=True,
        related_name="treatment_teams",
        help_text="The clients this team treats.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TreatmentTeamQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"],
                name="treatment_team_name_unique_in_program",
                violation_error_message="The program already has a team of that name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TeamMeetingQuerySet(models.QuerySet["TeamMeeting"]):
    def visible_to(self, user: User | AnonymousUser) -> TeamMeetingQuerySet:
        """Live meetings of the teams of the programs where the user may see clients (a
        meeting's notes are about clients)."""
        return self.filter(
            team__program_id__in=_programs(user, "view_clients"), archived_at__isnull=True
        )


class TeamMeeting(Archivable):
    """One meeting of a treatment team: who attended, which clients were discussed (each with
    a short note) and the follow-ups agreed."""

    program_path = "team.program"

    team = models.ForeignKey(TreatmentTeam, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField("Date")
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="team_meetings_attended"
    )
    clients = models.ManyToManyField(
        "clients.Client", through="TeamMeetingClient", related_name="team_meetings"
    )
    follow_ups = bounded_text("Follow-ups agreed", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["team", "held_on"])]

    def __str__(self) -> str:
        return f"{self.team} on {self.held_on:%Y-%m-%d}"


class TeamMeetingClientQuerySet(ReadAuditedQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> TeamMeetingClientQuerySet:
        """Notes on clients the user may see, taken at live meetings; their reads recorded."""
        return self.filter(
            client__in=Client.objects.visible_to(user).values("id"),
            meeting__archived_at__isnull=True,
        ).recording_reads()


class TeamMeetingClient(models.Model):
    """A client discussed at a meeting, with the note taken. A client record (audited)."""

    program_path = "meeting.team.program"
    client_id_path = "client_id"

    meeting = models.ForeignKey(TeamMeeting, on_delete=models.PROTECT, related_name="discussed")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="team_meeting_notes"
    )
    note = models.CharField(max_length=500)

    objects = TeamMeetingClientQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "client"], name="team_meeting_client_once")
        ]

    def __str__(self) -> str:
        return f"Client #{self.client_id} at meeting #{self.meeting_id}"

    def get_additional_data(self) -> dict[str, Any]:
        """Stored with each change in the audit trail, so a client's history finds it."""
        return {"client_id": self.client_id}


class SupervisionSessionQuerySet(models.QuerySet["SupervisionSession"]):
    def visible_to(self, user: User | AnonymousUser) -> SupervisionSessionQuerySet:
        """Live sessions of the programs whose supervision the user may see."""
        return self.filter(
            program_id__in=_programs(user, "view_supervision"), archived_at__isnull=True
        )


class SupervisionSession(Archivable):
    """A weekly outcome-based group supervision session of a program."""

    program = models.ForeignKey(
        "ips.Program", on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    held_on = models.DateField("Date")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    specialists_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="supervision_sessions"
    )
    notes = bounded_text(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupervisionSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["program", "held_on"])]

    def __str__(self) -> str:
        return f"Supervision on {self.held_on:%Y-%m-%d}"


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def visible_to(self, user: User | AnonymousUser) -> ActionItemQuerySet:
        """Live items of the sessions the user may see, and a specialist's own items."""
        return self.filter(
            Q(session__program_id__in=_programs(user, "view_supervision"))
            | Q(specialist_id=getattr(user, "pk", None) or 0),
            archived_at__isnull=True,
            session__archived_at__isnull=True,
        )

    def open_on(self, day: Any) -> ActionItemQuerySet:
        """Items agreed on or before `day` and not done by then: what a session on `day`
        carries forward."""
        return self.filter(
            archived_at__isnull=True,
            session__archived_at__isnull=True,
            session__held_on__lte=day,
        ).filter(Q(done_on__isnull=True) | Q(done_on__gt=day))


class ActionItem(Archivable):
    """A goal or action item agreed for one specialist at a session; open until done."""

    program_path = "session.program"

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.PROTECT, related_name="action_items"
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items"
    )
    text = models.CharField(max_length=500)
    due_on = models.DateField("Due", null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = [models.F("due_on").asc(nulls_last=True), "id"]
        indexes = [models.Index(fields=["specialist", "done_on"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def days_overdue(self) -> int:
        """Days past its due date while still open (0 when not late, done or undated)."""
        if self.done_on is not None or self.due_on is None:
            return 0
        return max((today() - self.due_on).days, 0)
