"""Reads of supervision shaped for pages: the weekly dashboard, its drill-downs, the nudges.

Every number comes from `outcomes.definitions` (the one source of the outcome definitions),
counted per specialist in SQL (`.values(<specialist>).annotate(Count(...))`): one query per
number whatever the number of specialists and clients. The drill-down of a number lists the
rows of the very queryset it counted.

A dashboard week is an ISO week (Monday to Sunday). Numbers "now" (caseload, working, the 30-day
signals) are taken as of the week's Sunday, or today when the week is not over yet
(`SupervisionWeek.as_of`), and the month is the calendar month holding that day (the week of
Monday 30 November to Sunday 6 December counts December's job starts, and says so):
- caseload = `caseload(Period.day(as_of))`, working = `working(Period.day(as_of))`;
- job starts = `job_starts(month)`;
- employer contacts = `employer_contacts(week).filter(COUNTED_EMPLOYER_CONTACT)`, against the
  program's weekly target (per specialist; times the number of specialists for the program);
- `no_employer_contact_30d`, `no_contact_30d`, `jobs_ended_30d`, `benefits_pending_30d` as of
  `as_of`;
- meeting attendance = meetings attended ÷ meetings of the teams the specialist is assigned to,
  in the month (None when their teams met no time that month): `team_meetings`,
  `meetings_expected`, `meetings_attended`, `attendance_rate`, the one definition, which the
  fidelity evidence (item 5) counts over a review window.

A client counts for the specialist assigned to them; a job or a benefits referral for its
client's specialist; an employer contact for the specialist who made it. Program totals count
the whole program (clients with no specialist assigned included).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from clients.models import BenefitsReferral, Client, Job
from clients.timeline import TimelineItem, TimelineRow, TimelineSource
from employers.models import EmployerContact
from ips import access
from ips.access import Capability
from ips.calendar import Period, parse_week
from ips.models import Program, Role, StaffRole, User
from ips.reads import ReadAuditedQuerySet
from outcomes import definitions as d
from supervision.models import (
    ActionItem,
    SupervisionSession,
    TeamMeeting,
    TeamMeetingClient,
    TreatmentTeam,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class SupervisionWeek:
    """The dashboard's week, the day "now" is taken at (its Sunday, or today while it runs),
    and the calendar month holding that day."""

    week: Period
    month: Period
    as_of: dt.date
    # Whether the week has ended: a week still running is never "below" its target.
    complete: bool = True

    @classmethod
    def parse(cls, label: str | None, today: dt.date) -> SupervisionWeek:
        """`2026-W12`, or the current week when absent; ValueError with a clear message for
        anything else."""
        return cls.of(parse_week(label, default=today), today)

    @classmethod
    def of(cls, week: Period, today: dt.date) -> SupervisionWeek:
        """The supervision week of an ISO week, as seen on `today`."""
        as_of = min(week.last, today)
        month = Period.month(as_of.year, as_of.month)
        return cls(week=week, month=month, as_of=as_of, complete=week.last < today)

    @classmethod
    def last_complete(cls, today: dt.date) -> SupervisionWeek:
        """The last week that has ended by `today` (on a Monday, the week that ended yesterday):
        the week a supervision meeting reviews."""
        return cls.of(Period.week(today).previous(), today)

    @property
    def month_name(self) -> str:
        """`March 2026`: the calendar month the monthly numbers count."""
        return f"{self.month.first:%B %Y}"


# --- The metrics: each a queryset of the rows behind it, and how a row names its specialist ----


@dataclass(frozen=True)
class Metric:
    """One number of the dashboard: its label, the kind of rows behind it, and its rows."""

    key: str
    label: str
    rows_kind: str  # "clients", "jobs", "employer_contacts", "referrals" or "meetings"
    specialist_path: str
    rows: Callable[[Program, SupervisionWeek], QuerySet]


def clients_of(program: Program) -> QuerySet[Client]:
    """Every client record of the program (a metric's rows are taken from these)."""
    return Client.objects.filter(program=program)


def jobs_of(program: Program) -> QuerySet[Job]:
    """Every job of the program's clients."""
    return Job.objects.filter(client__program=program)


METRICS: dict[str, Metric] = {
    metric.key: metric
    for metric in (
        Metric(
            "caseload",
            "Caseload",
            "clients",
            "specialist",
            lambda p, w: d.caseload(Period.day(w.as_of), clients_of(p)),
        ),
        Metric(
            "working",
            "Working in a competitive job",
            "clients",
            "specialist",
            lambda p, w: d.working(Period.day(w.as_of), clients_of(p)),
        ),
        Metric(
            "job_starts_month",
            "Job starts in the calendar month",
            "jobs",
            "client__specialist",
            lambda p, w: d.job_starts(w.month, jobs_of(p)),
        ),
        Metric(
            "employer_contacts_week",
            "Face-to-face employer contacts with hiring managers this week",
            "employer_contacts",
            "specialist",
            lambda p, w: d.employer_contacts(
                w.week, EmployerContact.objects.filter(employer__program=p)
            ).filter(d.COUNTED_EMPLOYER_CONTACT),
        ),
        Metric(
            "no_employer_contact_30d",
            "No employer contact 30 days after enrollment",
            "clients",
            "specialist",
            lambda p, w: d.no_employer_contact_30d(w.as_of, clients_of(p)),
        ),
        Metric(
            "no_contact_30d",
            "No contact in 30 days",
            "clients",
            "specialist",
            lambda p, w: d.no_contact_30d(w.as_of, clients_of(p)),
        ),
        Metric(
            "jobs_ended_30d",
            "Jobs ended in the last 30 days",
            "jobs",
            "client__specialist",
            lambda p, w: d.jobs_ended_30d(w.as_of, jobs_of(p)),
        ),
        Metric(
            "benefits_pending_30d",
            "Benefits referrals not completed after 30 days",
            "referrals",
            "client__specialist",
            lambda p, w: d.benefits_pending_30d(
                w.as_of, BenefitsReferral.objects.filter(client__program=p)
            ),
        ),
        Metric(
            "meeting_attendance",
            "Team-meeting attendance in the calendar month",
            "meetings",
            "team__specialists",
            lambda p, w: team_meetings(p, w.month),
        ),
    )
}
COUNTED_METRICS = [key for key in METRICS if key != "meeting_attendance"]
# The keys of a row in the API, in their documented order.
API_KEYS = (
    "caseload",
    "working",
    "job_starts_month",
    "employer_contacts_week",
    "employer_contacts_target",
    "no_employer_contact_30d",
    "no_contact_30d",
    "jobs_ended_30d",
    "benefits_pending_30d",
    "meeting_attendance",
)


# --- Team-meeting attendance ------------------------------------------------------------------


def team_meetings(program: Program | int, period: Period) -> QuerySet[TeamMeeting]:
    """Live meetings of the program's live teams held in the period (the dashboard's month, a
    fidelity review's window). Teams count with the specialists assigned to them now: the
    assignment keeps no history."""
    return TeamMeeting.objects.filter(
        team__program=program,
        team__archived_at__isnull=True,
        archived_at__isnull=True,
        held_on__range=(period.first, period.last),
    )


Attendance = TeamMeeting.attendees.through


def meetings_expected(meetings: QuerySet[TeamMeeting]) -> dict[int, int]:
    """Per specialist: the meetings of the teams they are assigned to (one query)."""
    rows = meetings.order_by().values(user=F("team__specialists")).annotate(n=Count("pk"))
    return {row["user"]: row["n"] for row in rows if row["user"] is not None}


def meetings_attended(meetings: QuerySet[TeamMeeting]) -> dict[int, int]:
    """Per specialist: the meetings they attended among those of their own teams (one query;
    attending another team's meeting does not count toward their rate)."""
    rows = (
        Attendance.objects.filter(
            teammeeting__in=meetings, teammeeting__team__specialists=F("user_id")
        )
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
    )
    return {row["user_id"]: row["n"] for row in rows}


def attendance_rate(attended: int, expected: int) -> float | None:
    """Meetings attended ÷ meetings expected; None when none were expected."""
    return attended / expected if expected else None


# --- The dashboard ------------------------------------------------------------------------------


@dataclass
class Numbers:
    """One row of the dashboard (a specialist's, or the program's totals)."""

    specialist: User | None
    counts: dict[str, int] = field(default_factory=dict)
    employer_contacts_target: int = 0
    meetings_attended: int = 0
    meetings_expected: int = 0

    @property
    def meeting_attendance(self) -> float | None:
        return attendance_rate(self.meetings_attended, self.meetings_expected)

    @property
    def rate(self) -> float | None:
        """The share of the caseload working (None for an empty caseload)."""
        return d.rate(self.counts.get("working", 0), self.counts.get("caseload", 0))

    @property
    def below_target(self) -> bool:
        return self.counts.get("employer_contacts_week", 0) < self.employer_contacts_target

    def cells(self) -> list[tuple[str, str]]:
        """(metric key, text) for each column of the dashboard, in `METRICS` order."""
        texts = []
        for key in METRICS:
            if key == "employer_contacts_week":
                text = f"{self.counts.get(key, 0)} / {self.employer_contacts_target}"
            elif key == "meeting_attendance":
                rate = self.meeting_attendance
                text = (
                    "—"
                    if rate is None
                    else (f"{self.meetings_attended}/{self.meetings_expected} ({rate:.0%})")
                )
            else:
                text = str(self.counts.get(key, 0))
            texts.append((key, text))
        return texts

    def labelled_cells(self) -> list[tuple[str, str, str]]:
        """(metric key, label, text) for each number, as a phone shows them stacked."""
        return [(key, METRICS[key].label, text) for key, text in self.cells()]

    def as_dict(self) -> dict[str, Any]:
        """The API's shape of the row (without the specialist)."""
        extra = {
            "employer_contacts_target": self.employer_contacts_target,
            "meeting_attendance": self.meeting_attendance,
        }
        return {key: extra.get(key, self.counts.get(key, 0)) for key in API_KEYS}


@dataclass
class Dashboard:
    program: Program
    when: SupervisionWeek
    specialists: list[Numbers]
    totals: Numbers


def _counted(metric: Metric, program: Program, when: SupervisionWeek) -> dict[int | None, int]:
    rows = (
        metric.rows(program, when)
        .order_by()
        .values(_specialist=F(metric.specialist_path))
        .annotate(n=Count("pk", distinct=True))
    )
    return {row["_specialist"]: row["n"] for row in rows}


def dashboard(*, program: Program, when: SupervisionWeek, only: User | None = None) -> Dashboard:
    """The numbers of every specialist of the program (or of `only`), and the program's (the
    target of the program: the weekly target times its number of specialists).

    A constant number of queries: the specialists, one per counted number, two for attendance.
    """
    everyone = list(User.objects.specialists_of([program]))
    specialists = [s for s in everyone if only is None or s.pk == only.pk]
    target = program.weekly_employer_contact_target
    counts = {key: _counted(METRICS[key], program, when) for key in COUNTED_METRICS}
    meetings = team_meetings(program, when.month)
    expected, attended = meetings_expected(meetings), meetings_attended(meetings)
    rows = [
        Numbers(
            specialist=specialist,
            counts={key: counts[key].get(specialist.pk, 0) for key in COUNTED_METRICS},
            employer_contacts_target=target,
            meetings_attended=attended.get(specialist.pk, 0),
            meetings_expected=expected.get(specialist.pk, 0),
        )
        for specialist in specialists
    ]
    totals = Numbers(
        specialist=None,
        counts={key: sum(counts[key].values()) for key in COUNTED_METRICS},
        employer_contacts_target=target * len(everyone),
        meetings_attended=sum(attended.values()),
        meetings_expected=sum(expected.values()),
    )
    return Dashboard(program=program, when=when, specialists=rows, totals=totals)


def drilldown_rows(
    *, metric: Metric, program: Program, when: SupervisionWeek, specialist: User | None
) -> QuerySet:
    """Exactly the rows behind one number: the metric's queryset, narrowed to the specialist,
    with what the list prints joined in."""
    # The rows are shown to the user: those naming clients are recorded as read (`ips.reads`).
    rows = metric.rows(program, when)
    if isinstance(rows, ReadAuditedQuerySet):
        rows = rows.recording_reads()
    if specialist is not None:
        rows = rows.filter(**{metric.specialist_path: specialist})
    if metric.rows_kind == "clients":
        return rows.select_related("specialist", "current_episode").order_by(
            "last_name", "first_name", "id"
        )
    if metric.rows_kind in {"jobs", "referrals"}:
        return rows.select_related("client__specialist").order_by("client__last_name", "id")
    if metric.rows_kind == "employer_contacts":
        return rows.select_related("employer", "specialist", "person").order_by(
            "contacted_on", "id"
        )
    meetings = rows.select_related("team").order_by("held_on", "id").distinct()
    if specialist is not None:
        attended = Attendance.objects.filter(teammeeting=OuterRef("pk"), user=specialist)
        meetings = meetings.annotate(attended=Exists(attended))
    return meetings.annotate(attendee_count=Count("attendees", distinct=True))


def dashboard_programs(user: User | AnonymousUser) -> QuerySet[Program]:
    """Programs whose dashboard the user may open: supervised or directed ones in full, and
    those where they are a specialist (their own numbers only)."""
    access.grants(user)
    own = StaffRole.objects.filter(user_id=user.pk, role=Role.SPECIALIST).values("program_id")
    full = access.program_ids_for(user, Capability.VIEW_SUPERVISION)
    return Program.objects.filter(Q(id__in=full) | Q(id__in=own)).order_by("name")


def dashboard_scope(
    user: User | AnonymousUser, chosen: str
) -> tuple[Program, User | None, list[Program]]:
    """The program asked for (its id, else the user's first), whose numbers the user sees (None
    for everyone's, or the user alone), and the programs to choose from. 404 for a program
    outside their reach, and for users who may open no dashboard at all."""
    programs = list(dashboard_programs(user))
    found = [p for p in programs if str(p.pk) == chosen] if chosen else programs[:1]
    if not found:
        # A program outside their reach, or (a director of an agency running none yet) none.
        raise Http404("No such program.")
    program = found[0]
    full = access.can(user, Capability.VIEW_SUPERVISION, program=program)
    return program, None if full else user, programs  # type: ignore[return-value]


# --- Sessions, action items, nudges --------------------------------------------------------------


def open_action_items(*, program: Program, on: dt.date) -> QuerySet[ActionItem]:
    """The action items a session of `program` on `on` carries forward: agreed at this or an
    earlier session and not done by then."""
    return (
        ActionItem.objects.open_on(on)
        .filter(session__program=program)
        .select_related("specialist", "session")
        .order_by("specialist__last_name", "specialist__first_name", "due_on", "id")
    )


def open_action_items_of(programs: QuerySet, *, on: dt.date) -> QuerySet[ActionItem]:
    """The items still open on `on` in the programs (given as a subquery of ids)."""
    return (
        ActionItem.objects.open_on(on)
        .filter(session__program_id__in=programs)
        .select_related("specialist", "session")
        .order_by("specialist__last_name", "specialist__first_name", "due_on", "id")
    )


def my_open_action_items(user: User | AnonymousUser) -> QuerySet[ActionItem]:
    """A specialist's own open items, from every live session, soonest due first."""
    return ActionItem.objects.filter(
        specialist_id=user.pk,
        done_on__isnull=True,
        archived_at__isnull=True,
        session__archived_at__isnull=True,
    ).select_related("session__program")


@dataclass(frozen=True)
class Nudges:
    """A specialist's own overdue items, from the same definitions as the dashboard (clients
    with no contact in 30 days are on Today's list, `config.today`)."""

    no_employer_contact: list[Client]
    benefits_pending: list[BenefitsReferral]

    def __bool__(self) -> bool:
        return bool(self.no_employer_contact or self.benefits_pending)


def nudges_for(user: User, today: dt.date) -> Nudges:
    """The user's own clients with no employer contact 30 days after enrollment, and their
    benefits referrals pending after 30 days (two queries)."""
    own = Client.objects.visible_to(user).filter(specialist=user)
    # Recorded as read: the page names the client of each referral.
    referrals = BenefitsReferral.objects.filter(client__in=own).recording_reads()
    return Nudges(
        no_employer_contact=list(
            d.no_employer_contact_30d(today, own).only("first_name", "last_name")
        ),
        benefits_pending=list(
            d.benefits_pending_30d(today, referrals)
            .select_related("client")
            .order_by("referred_on")
        ),
    )


def sessions_of(programs: QuerySet) -> QuerySet[SupervisionSession]:
    """Sessions of the programs, newest first, with their program and supervisor."""
    return (
        SupervisionSession.objects.filter(program_id__in=programs, archived_at__isnull=True)
        .select_related("program", "supervisor")
        .annotate(item_count=Count("action_items", distinct=True))
    )


def teams_of(programs: QuerySet) -> QuerySet[TreatmentTeam]:
    """Live teams of the programs, with their specialists."""
    return (
        TreatmentTeam.objects.filter(program_id__in=programs, archived_at__isnull=True)
        .select_related("program")
        .prefetch_related("specialists")
    )


def _meeting_item(row: TimelineRow) -> TimelineItem:
    return TimelineItem(row.on, "meeting", f"Discussed at {row.a}", row.b or "")


def _meeting_rows(client_id: int) -> Iterable[tuple[Any, ...]]:
    notes = TeamMeetingClient.objects.filter(
        client_id=client_id, meeting__archived_at__isnull=True
    ).values_list("meeting__held_on", "id", "meeting__team__name", "note")
    for held_on, pk, team, note in notes:
        yield held_on, 0, -pk, "meeting", team, note


# Treatment-team meetings where the client was discussed, with the note taken: the client
# timeline's source from this app, registered in `SupervisionConfig.ready`. The id is negated
# so that two meetings of one day are listed oldest note first, as they always were.
MEETING_TIMELINE_SOURCE = TimelineSource(
    """SELECT m.held_on, 0, -mc.id, 'meeting', team.name, mc.note,
              NULL, NULL, NULL, NULL, NULL, NULL
         FROM supervision_teammeetingclient mc
         JOIN supervision_teammeeting m ON m.id = mc.meeting_id
         JOIN supervision_treatmentteam team ON team.id = m.team_id
        WHERE mc.client_id = %(client)s AND m.archived_at IS NULL""",
    _meeting_item,
    _meeting_rows,
)
