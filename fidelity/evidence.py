"""Evidence from the program's own records, beside the items the data can speak to.

Each indicator is computed over the review window in SQL aggregates, reusing the outcome
definitions (`outcomes.definitions`) wherever one exists, and suggests the score its anchors
give. The reviewer decides: nothing here ever writes a score.

Indicators are a registry (`INDICATORS`): adding one is one decorated function. An indicator
whose records are not kept can be registered as not available (`available=False`). Items 4, 5,
7 and 8 read the supervision records (treatment teams, their meetings, group supervision), with
the attendance definition of the supervision dashboard.

Reviewers never see client identities: the rows behind an indicator and the chart sample name
clients "Client 1..N" (numbered within the program) and give dates as days since enrollment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
)

from clients.models import BenefitsReferral, Client, Contact, Episode, Job
from employers.models import EmployerContact
from fidelity.models import Review
from ips.models import Role, StaffRole, User
from outcomes import definitions
from outcomes.definitions import COUNTED_EMPLOYER_CONTACT, Period
from supervision.models import ActionItem, SupervisionSession, TeamMeetingClient, TreatmentTeam
from supervision.selectors import (
    attendance_rate,
    meetings_attended,
    meetings_expected,
    team_meetings,
)

# Every purpose the contact log offers is part of the IPS service (engagement, career profile,
# job search, job support, benefits, education). Minutes logged for any other purpose would
# count against item 2; the log keeps no other kind of work, so the share is an upper bound and
# the reviewer checks other duties at interview.
EMPLOYMENT_PURPOSES = frozenset(
    {
        Contact.Purpose.ENGAGEMENT,
        Contact.Purpose.CAREER_PROFILE,
        Contact.Purpose.JOB_SEARCH,
        Contact.Purpose.JOB_SUPPORT,
        Contact.Purpose.BENEFITS,
        Contact.Purpose.EDUCATION,
    }
)
# Item 23: "seen for four months or more" after the job start.
FOLLOW_ALONG_DAYS = 120
# Items 5 and 7 count meetings a week and a month. "Weekly" is four or more a month on average:
# a month is four weeks and a few days, so one week missed in a quarter still reads as weekly.
WEEKS_PER_MONTH = 52 / 12
WEEKLY_PER_MONTH = 4


@dataclass(frozen=True)
class Window:
    """What an indicator is computed over: a program and the review's window of days."""

    review: Review
    period: Period

    @property
    def program_id(self) -> int:
        return self.review.program_id

    def clients(self) -> Any:
        return Client.objects.filter(program_id=self.program_id, archived_at__isnull=True)

    def weeks(self) -> float:
        return ((self.period.last - self.period.first).days + 1) / 7


@dataclass(frozen=True)
class Indicator:
    """One computed indicator: its value (None = no data in the window), how it reads, the
    score the anchors suggest (None when the anchors are not a number) and what it rests on."""

    key: str
    item: int
    label: str
    value: float | None
    display: str
    suggested: int | None = None
    detail: str = ""
    available: bool = True
    has_rows: bool = True


@dataclass(frozen=True)
class Spec:
    key: str
    item: int
    label: str
    compute: Callable[[Window], Indicator]
    rows: Callable[[Window, Pseudonyms], list[dict[str, Any]]] | None = None


INDICATORS: dict[str, Spec] = {}


def indicator(key: str, *, item: int, label: str) -> Callable:
    """Register an indicator's computation under `key` (its rows attach with `@rows_of`)."""

    def register(compute: Callable[[Window], Indicator]) -> Callable[[Window], Indicator]:
        INDICATORS[key] = Spec(key=key, item=item, label=label, compute=compute)
        return compute

    return register


def rows_of(key: str) -> Callable:
    """Register the de-identified rows behind indicator `key`."""

    def register(build: Callable) -> Callable:
        spec = INDICATORS[key]
        INDICATORS[key] = Spec(spec.key, spec.item, spec.label, spec.compute, build)
        return build

    return register


def _result(window: Window, key: str, value: float | None, display: str, **kw: Any) -> Indicator:
    spec = INDICATORS[key]
    if value is None:
        display, kw = "No data in the review window", {**kw, "suggested": None}
    return Indicator(
        key=key,
        item=spec.item,
        label=spec.label,
        value=value,
        display=display,
        has_rows=spec.rows is not None,
        **kw,
    )


def _score_from(value: float | None, edges: tuple[float, float, float, float]) -> int | None:
    """Anchors rising with the value: at least edges[3] gives 5, ..., below edges[0] gives 1."""
    if value is None:
        return None
    return 1 + sum(value >= edge for edge in edges)


def _share(part: int | None, whole: int | None) -> float | None:
    return (part or 0) / whole if whole else None


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def window_of(review: Review) -> Window:
    label = f"{review.window_start:%Y-%m-%d} to {review.window_end:%Y-%m-%d}"
    return Window(review, Period(review.window_start, review.window_end, "window", label))


def review_evidence(*, review: Review) -> list[Indicator]:
    """Every registered indicator for the review's program and window, in item order."""
    window = window_of(review)
    specs = sorted(INDICATORS.values(), key=lambda spec: (spec.item, spec.key))
    return [spec.compute(window) for spec in specs]


def evidence_by_item(indicators: list[Indicator]) -> dict[int, list[Indicator]]:
    by_item: dict[int, list[Indicator]] = {}
    for found in indicators:
        by_item.setdefault(found.item, []).append(found)
    return by_item


# --- Pseudonyms -------------------------------------------------------------------------------


class Pseudonyms:
    """ "Client N" for each client of the program (numbered by record order, stable within a
    review), and days since the enrollment that a date belongs to."""

    def __init__(self, window: Window) -> None:
        ids = window.clients().order_by("id").values_list("id", flat=True)
        self.numbers = {client_id: n for n, client_id in enumerate(ids, start=1)}

    def name(self, client_id: int) -> str:
        return f"Client {self.numbers.get(client_id, '?')}"


def _days(later: dt.date | None, earlier: dt.date | None) -> int | None:
    return (later - earlier).days if later and earlier else None


# --- Item 1: caseload size --------------------------------------------------------------------


def _caseloads(window: Window) -> Any:
    return (
        definitions.caseload(window.period, window.clients())
        .exclude(specialist__isnull=True)
        .values("specialist_id", "specialist__first_name", "specialist__last_name")
        .annotate(clients=Count("id"))
        .order_by("specialist__last_name", "specialist_id")
    )


@indicator("caseload_per_specialist", item=1, label="Clients per specialist (caseload served)")
def caseload_per_specialist(window: Window) -> Indicator:
    """The caseload (served in the window) of each specialist: the mean, and the largest, from
    which the score is suggested (the criterion holds for every specialist)."""
    rows = list(_caseloads(window))
    if not rows:
        return _result(window, "caseload_per_specialist", None, "")
    counts = [row["clients"] for row in rows]
    mean, largest = sum(counts) / len(counts), max(counts)
    # Anchors fall as caseloads grow: ≤20 → 5, 21-25 → 4, 26-30 → 3, 31-40 → 2, ≥41 → 1.
    suggested = 5 - sum(largest > edge for edge in (20, 25, 30, 40))
    return _result(
        window,
        "caseload_per_specialist",
        mean,
        f"{mean:.1f} clients per specialist (largest {largest})",
        suggested=suggested,
        detail=f"{sum(counts)} clients across {len(counts)} specialists",
    )


@rows_of("caseload_per_specialist")
def _caseload_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    return [
        {
            "Specialist": f"{row['specialist__first_name']} {row['specialist__last_name']}",
            "Clients": row["clients"],
        }
        for row in _caseloads(window)
    ]


# --- Items 2 and 24: contact minutes ----------------------------------------------------------


def _contacts(window: Window) -> Any:
    return Contact.objects.live().filter(
        client__in=window.clients(),
        contacted_on__range=(window.period.first, window.period.last),
    )


def _minutes(window: Window) -> dict[str, int]:
    return _contacts(window).aggregate(
        total=Sum("minutes"),
        employment=Sum("minutes", filter=Q(purpose__in=sorted(EMPLOYMENT_PURPOSES))),
        community=Sum("minutes", filter=~Q(place=Contact.Place.OFFICE)),
    )


@indicator("employment_minutes_share", item=2, label="Share of logged minutes on employment")
def employment_minutes_share(window: Window) -> Indicator:
    """Minutes of logged client contacts whose purpose is an employment service, over all."""
    minutes = _minutes(window)
    share = _share(minutes["employment"], minutes["total"])
    return _result(
        window,
        "employment_minutes_share",
        share,
        _percent(share) if share is not None else "",
        suggested=_score_from(share, (0.60, 0.75, 0.90, 0.96)),
        detail=f"{minutes['employment'] or 0} of {minutes['total'] or 0} minutes",
    )


@indicator("community_minutes_share", item=24, label="Share of contact minutes in the community")
def community_minutes_share(window: Window) -> Indicator:
    """Minutes of logged client contacts anywhere but the office, over all."""
    minutes = _minutes(window)
    share = _share(minutes["community"], minutes["total"])
    # ≤30 % → 1, then 30-39 → 2, 40-49 → 3, 50-64 → 4, ≥65 % → 5.
    suggested = None
    if share is not None:
        suggested = 1 if share <= 0.30 else 2 + sum(share >= edge for edge in (0.40, 0.50, 0.65))
    return _result(
        window,
        "community_minutes_share",
        share,
        _percent(share) if share is not None else "",
        suggested=suggested,
        detail=f"{minutes['community'] or 0} of {minutes['total'] or 0} minutes",
    )


def _minutes_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = (
        _contacts(window)
        .values("specialist__first_name", "specialist__last_name")
        .annotate(
            total=Sum("minutes"),
            employment=Sum("minutes", filter=Q(purpose__in=sorted(EMPLOYMENT_PURPOSES))),
            community=Sum("minutes", filter=~Q(place=Contact.Place.OFFICE)),
        )
        .order_by("specialist__last_name")
    )
    return [
        {
            "Specialist": f"{row['specialist__first_name']} {row['specialist__last_name']}",
            "Minutes": row["total"],
            "On employment services": row["employment"] or 0,
            "In the community": row["community"] or 0,
        }
        for row in rows
    ]


rows_of("employment_minutes_share")(_minutes_rows)
rows_of("community_minutes_share")(_minutes_rows)


# --- Items 4 and 5: treatment teams (the supervision records) ---------------------------------


def _team_meetings(window: Window) -> Any:
    return team_meetings(window.program_id, window.period)


def _per_month(count: int, window: Window) -> float:
    return count / window.weeks() * WEEKS_PER_MONTH


def _teams_of(window: Window) -> dict[int, list[str]]:
    """The names of the program's live teams each staff member is assigned to (one query)."""
    rows = (
        TreatmentTeam.specialists.through.objects.filter(
            treatmentteam__program_id=window.program_id,
            treatmentteam__archived_at__isnull=True,
        )
        .order_by("treatmentteam__name", "treatmentteam_id")
        .values_list("user_id", "treatmentteam__name")
    )
    teams: dict[int, list[str]] = {}
    for user_id, name in rows:
        teams.setdefault(user_id, []).append(name)
    return teams


def _discussed_at_own_team(window: Window) -> Exists:
    """The client was discussed at a meeting held in the window of a team their specialist is
    assigned to."""
    return Exists(
        TeamMeetingClient.objects.filter(
            client=OuterRef("pk"),
            meeting__in=_team_meetings(window),
            meeting__team__specialists=OuterRef("specialist_id"),
        )
    )


def _caseloads_discussed(window: Window) -> list[dict[str, Any]]:
    return list(
        _caseloads(window).annotate(discussed=Count("id", filter=_discussed_at_own_team(window)))
    )


@indicator(
    "caseload_discussed_at_own_teams",
    item=4,
    label="Caseload discussed at the specialist's own team meetings "
    "(a proxy for caseload supplied by 1-2 teams)",
)
def caseload_discussed_at_own_teams(window: Window) -> Indicator:
    """The records do not say which treatment team a client comes from, so this stands in for
    it: per specialist, the teams they are assigned to (the criterion is 1-2) and the share of
    their caseload (served in the window) discussed at a meeting of one of those teams held in
    the window. Suggests from the lowest share (the criterion holds for every specialist), and
    a 2 when anyone is on three teams or more; a 1 (a vocational program run apart from
    treatment) is for the reviewers to judge. No data without a team meeting in the window."""
    rows = _caseloads_discussed(window)
    if not rows or not _team_meetings(window).exists():
        return _result(window, "caseload_discussed_at_own_teams", None, "")
    teams = _teams_of(window)
    counts = [len(teams.get(row["specialist_id"], [])) for row in rows]
    served, discussed = sum(row["clients"] for row in rows), sum(row["discussed"] for row in rows)
    share, lowest = discussed / served, min(row["discussed"] / row["clients"] for row in rows)
    suggested = 2 if max(counts) >= 3 else 2 + sum(lowest >= edge for edge in (0.50, 0.75, 0.90))
    fewest, most = min(counts), max(counts)
    team_text = f"{fewest}" if fewest == most else f"{fewest}-{most}"
    return _result(
        window,
        "caseload_discussed_at_own_teams",
        share,
        f"{_percent(share)} of caseloads discussed at their own teams' meetings (lowest "
        f"{_percent(lowest)}); {team_text} teams per specialist",
        suggested=suggested,
        detail=f"{discussed} of {served} clients. The records do not say which team a client "
        "comes from: a client discussed at a meeting of their specialist's team stands in for "
        "one that team supplies",
    )


@rows_of("caseload_discussed_at_own_teams")
def _caseload_discussed_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    teams = _teams_of(window)
    return [
        {
            "Specialist": f"{row['specialist__first_name']} {row['specialist__last_name']}",
            "Teams assigned": ", ".join(teams.get(row["specialist_id"], [])) or "none",
            "Clients served": row["clients"],
            "Discussed at their teams' meetings": row["discussed"],
            "Share": _percent(row["discussed"] / row["clients"]),
        }
        for row in _caseloads_discussed(window)
    ]


def _attendance(window: Window) -> list[dict[str, Any]]:
    """Each active specialist of the program, and anyone assigned to one of its teams that met
    in the window, with the meetings of their own teams held in the window and those they
    attended (the supervision dashboard's definition, `supervision.selectors`)."""
    meetings = _team_meetings(window)
    expected, attended = meetings_expected(meetings), meetings_attended(meetings)
    people = (
        User.objects.filter(
            Q(pk__in=list(expected))
            | Q(
                is_active=True,
                roles__role=Role.SPECIALIST,
                roles__program_id=window.program_id,
            )
        )
        .distinct()
        .order_by("last_name", "first_name", "id")
        .values_list("id", "first_name", "last_name")
    )
    return [
        {
            "id": pk,
            "name": f"{first} {last}",
            "expected": expected.get(pk, 0),
            "attended": attended.get(pk, 0),
        }
        for pk, first, last in people
    ]


@indicator("team_meeting_attendance", item=5, label="Team-meeting attendance per specialist")
def team_meeting_attendance(window: Window) -> Indicator:
    """Meetings attended ÷ meetings of the teams each specialist is assigned to, held in the
    window, over all the specialists; and how many attended one or more a week (four a month on
    average). That is element (a) of the five the item counts, so no score is suggested: (b)
    active participation, (c) employment records in the treatment record, (d) an office near
    the team and (e) talk of people not yet referred are for interview and observation."""
    people = _attendance(window)
    expected = sum(person["expected"] for person in people)
    if not expected:
        return _result(window, "team_meeting_attendance", None, "")
    attended = sum(person["attended"] for person in people)
    rate = attendance_rate(attended, expected) or 0.0
    weekly = sum(_per_month(p["attended"], window) >= WEEKLY_PER_MONTH for p in people)
    element = "met" if weekly == len(people) else "not met, so the item scores at most 4"
    return _result(
        window,
        "team_meeting_attendance",
        rate,
        f"{_percent(rate)} of their teams' meetings attended; {weekly} of {len(people)} "
        "specialists attended one or more a week",
        detail=f"{attended} of {expected} meetings over {window.weeks():.1f} weeks. Element (a), "
        f"weekly attendance: {element}. Elements (b) to (e) need interview and observation",
    )


@rows_of("team_meeting_attendance")
def _attendance_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    teams = _teams_of(window)
    rows = []
    for person in _attendance(window):
        rate = attendance_rate(person["attended"], person["expected"])
        rows.append(
            {
                "Specialist": person["name"],
                "Teams assigned": ", ".join(teams.get(person["id"], [])) or "none",
                "Meetings of their teams": person["expected"],
                "Attended": person["attended"],
                "Attendance": _percent(rate) if rate is not None else "",
                "Attended per week": round(person["attended"] / window.weeks(), 1),
            }
        )
    return rows


# --- Items 7 and 8: the vocational unit and its supervisor ------------------------------------


def _sessions(window: Window) -> Any:
    """Live group-supervision sessions of the program held in the window."""
    return SupervisionSession.objects.filter(
        program_id=window.program_id,
        archived_at__isnull=True,
        held_on__range=(window.period.first, window.period.last),
    )


def _sets_goals() -> Exists:
    """The session agreed at least one goal or action item (not archived)."""
    return Exists(ActionItem.objects.filter(session=OuterRef("pk"), archived_at__isnull=True))


@indicator("group_supervision_per_week", item=7, label="Group supervision sessions per week")
def group_supervision_per_week(window: Window) -> Indicator:
    """Sessions held in the window per week. Four or more a month on average reads as weekly
    (5), two or three a month as 4, fewer as 3; whether the specialists cover each other's
    caseloads, which 4 and 5 also ask, is for interview."""
    sessions = _sessions(window).count()
    if not sessions:
        return _result(window, "group_supervision_per_week", None, "")
    per_week, per_month = sessions / window.weeks(), _per_month(sessions, window)
    return _result(
        window,
        "group_supervision_per_week",
        per_week,
        f"{per_week:.1f} sessions a week ({per_month:.1f} a month)",
        suggested=3 + sum(per_month >= edge for edge in (2, WEEKLY_PER_MONTH)),
        detail=f"{sessions} sessions over {window.weeks():.1f} weeks. Whether specialists cover "
        "each other's caseloads is asked at interview",
    )


@indicator(
    "supervision_goals_share",
    item=8,
    label="Supervision sessions setting goals; specialists per supervisor",
)
def supervision_goals_share(window: Window) -> Indicator:
    """The share of the window's sessions that agreed goals or action items, and the program's
    specialists per supervisor (holding the roles). The item counts five roles and the records
    speak to three: 1 (≤10 specialists per supervisor; full time with no other supervisory
    duties is asked at interview), 2 (weekly supervision, item 7's figure) and 5 (goals set), so
    no score is suggested."""
    counts = _sessions(window).aggregate(
        total=Count("id"), with_goals=Count("id", filter=_sets_goals())
    )
    share = _share(counts["with_goals"], counts["total"])
    if share is None:
        return _result(window, "supervision_goals_share", None, "")
    staff = StaffRole.objects.filter(program_id=window.program_id).aggregate(
        specialists=Count("user_id", filter=Q(role=Role.SPECIALIST), distinct=True),
        supervisors=Count("user_id", filter=Q(role=Role.SUPERVISOR), distinct=True),
    )
    ratio = (
        f"{staff['specialists'] / staff['supervisors']:.1f} specialists per supervisor"
        if staff["supervisors"]
        else "no supervisor holds the role"
    )
    return _result(
        window,
        "supervision_goals_share",
        share,
        f"{_percent(share)} of sessions set goals or action items; {ratio}",
        detail=f"{counts['with_goals']} of {counts['total']} sessions; specialists "
        f"{staff['specialists']}, supervisors {staff['supervisors']}. Roles 3 (liaison with the "
        "treatment teams' leaders) and 4 (field mentoring) need interview",
    )


def _session_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    live_items = Q(action_items__archived_at__isnull=True)
    sessions = (
        _sessions(window)
        .select_related("supervisor")
        .annotate(
            present=Count("specialists_present", distinct=True),
            items=Count("action_items", filter=live_items, distinct=True),
        )
        .order_by("held_on", "id")
    )
    return [
        {
            "Date": f"{session.held_on:%Y-%m-%d}",
            "Supervisor": f"{session.supervisor.first_name} {session.supervisor.last_name}",
            "Specialists present": session.present,
            "Goals and action items": session.items,
        }
        for session in sessions
    ]


rows_of("group_supervision_per_week")(_session_rows)
rows_of("supervision_goals_share")(_session_rows)


# --- Item 9: zero exclusion -------------------------------------------------------------------


def _referrals(window: Window) -> Any:
    return Episode.objects.filter(
        client__in=window.clients(),
        referred_on__range=(window.period.first, window.period.last),
    )


def _waiting(window: Window) -> Any:
    """Referred by the window's end, not enrolled by then, and not closed by then."""
    end = window.period.last
    return Episode.objects.filter(client__in=window.clients(), referred_on__lte=end).filter(
        Q(enrolled_on__isnull=True) | Q(enrolled_on__gt=end),
        Q(closed_on__isnull=True) | Q(closed_on__gt=end),
    )


@indicator("referrals_enrolled", item=9, label="Referrals enrolled; anyone still waiting")
def referrals_enrolled(window: Window) -> Indicator:
    """Referrals made in the window that were enrolled (by the window's end), and everyone
    referred but not enrolled at the window's end, with the longest wait."""
    end = window.period.last
    counts = _referrals(window).aggregate(
        referred=Count("id"), enrolled=Count("id", filter=Q(enrolled_on__lte=end))
    )
    waiting = _waiting(window).aggregate(count=Count("id"), first=Min("referred_on"))
    share = _share(counts["enrolled"], counts["referred"])
    longest = _days(end, waiting["first"])
    wait_text = (
        f"{waiting['count']} waiting, longest {longest} days"
        if waiting["count"]
        else "none waiting"
    )
    return _result(
        window,
        "referrals_enrolled",
        share,
        f"{_percent(share)} enrolled; {wait_text}" if share is not None else "",
        detail=f"{counts['enrolled']} of {counts['referred']} referrals enrolled",
    )


@rows_of("referrals_enrolled")
def _referral_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    end = window.period.last
    episodes = (_referrals(window) | _waiting(window)).distinct().order_by("referred_on", "id")
    return [
        {
            "Client": names.name(episode.client_id),
            "Days from referral to enrollment": _days(episode.enrolled_on, episode.referred_on)
            if episode.enrolled_on and episode.enrolled_on <= end
            else "",
            "Waiting at the window's end (days)": ""
            if episode.enrolled_on and episode.enrolled_on <= end
            else _days(end, episode.referred_on),
        }
        for episode in episodes
    ]


# --- Item 12: benefits planning ---------------------------------------------------------------


def _offered(window: Window) -> Exists:
    """The client has a referral to benefits planning made by the window's end."""
    return Exists(
        BenefitsReferral.objects.live().filter(
            client=OuterRef("pk"), referred_on__lte=window.period.last
        )
    )


def _served(window: Window) -> Any:
    return definitions.caseload(window.period, window.clients())


@indicator("benefits_planning_offered", item=12, label="Clients offered benefits planning")
def benefits_planning_offered(window: Window) -> Indicator:
    """Clients served in the window (all of them are working or looking for work: that is what
    enrollment means) with a referral to benefits planning made by the window's end."""
    counts = _served(window).aggregate(
        served=Count("id"), offered=Count("id", filter=_offered(window))
    )
    share = _share(counts["offered"], counts["served"])
    return _result(
        window,
        "benefits_planning_offered",
        share,
        _percent(share) if share is not None else "",
        detail=f"{counts['offered']} of {counts['served']} clients",
    )


@rows_of("benefits_planning_offered")
def _benefits_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    return [
        {
            "Client": names.name(row["id"]),
            "Offered benefits planning": "yes" if row["offered"] else "no",
        }
        for row in _served(window)
        .annotate(offered=_offered(window))
        .order_by("id")
        .values("id", "offered")
    ]


# --- Item 15: rapid job search ----------------------------------------------------------------


def _enrolled(window: Window) -> Any:
    episodes = Episode.objects.filter(client__in=window.clients())
    return definitions.enrolled_in(window.period, episodes)


@indicator("days_to_employer_contact", item=15, label="Mean days to first employer contact")
def days_to_employer_contact(window: Window) -> Indicator:
    """Mean days from enrollment to the first face-to-face employer contact on the client's
    behalf, over clients enrolled in the window who have had one (`enrolled_in`)."""
    gap = ExpressionWrapper(
        F("first_employer_contact_on") - F("enrolled_on"), output_field=DurationField()
    )
    row = _enrolled(window).aggregate(
        enrolled=Count("id"),
        contacted=Count("id", filter=Q(first_employer_contact_on__isnull=False)),
        mean=Avg(gap),
    )
    mean = row["mean"].total_seconds() / 86400 if row["mean"] is not None else None
    # ≤30 days → 5, 31-60 → 4, 61-150 → 3, 151-270 → 2, ≥271 → 1.
    suggested = None if mean is None else 5 - sum(mean > edge for edge in (30, 60, 150, 270))
    return _result(
        window,
        "days_to_employer_contact",
        mean,
        f"{mean:.1f} days" if mean is not None else "",
        suggested=suggested,
        detail=f"{row['contacted']} of {row['enrolled']} clients enrolled in the window have "
        "met an employer",
    )


@rows_of("days_to_employer_contact")
def _enrolled_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = _enrolled(window).order_by("enrolled_on", "id")
    return [
        {
            "Client": names.name(row.client_id),
            "Days to first employer contact": _days(row.first_employer_contact_on, row.enrolled_on)
            if row.first_employer_contact_on
            else "none yet",
        }
        for row in rows
    ]


# --- Item 17: frequent employer contact -------------------------------------------------------


def _employer_contacts(window: Window) -> Any:
    contacts = EmployerContact.objects.filter(employer__program_id=window.program_id)
    return definitions.employer_contacts(window.period, contacts).filter(face_to_face=True)


def _specialist_count(window: Window) -> int:
    return (
        StaffRole.objects.filter(role=Role.SPECIALIST, program_id=window.program_id)
        .values("user_id")
        .distinct()
        .count()
    )


@indicator("employer_contacts_per_week", item=17, label="Face-to-face employer contacts per week")
def employer_contacts_per_week(window: Window) -> Indicator:
    """Face-to-face employer contacts in the window per specialist of the program per week, and
    the share with someone who hires (`COUNTED_EMPLOYER_CONTACT`)."""
    counts = _employer_contacts(window).aggregate(
        total=Count("id"), hiring=Count("id", filter=COUNTED_EMPLOYER_CONTACT)
    )
    specialists = _specialist_count(window)
    if not counts["total"] or not specialists:
        return _result(window, "employer_contacts_per_week", None, "")
    rate = counts["total"] / specialists / window.weeks()
    hiring = counts["hiring"] / counts["total"]
    return _result(
        window,
        "employer_contacts_per_week",
        rate,
        f"{rate:.1f} per specialist per week; {_percent(hiring)} with a hiring manager",
        suggested=_score_from(rate, (2, 4, 5, 6)),
        detail=f"{counts['total']} contacts, {specialists} specialists, {window.weeks():.1f} weeks",
    )


@rows_of("employer_contacts_per_week")
def _employer_contact_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = (
        _employer_contacts(window)
        .values("specialist__first_name", "specialist__last_name")
        .annotate(total=Count("id"), hiring=Count("id", filter=COUNTED_EMPLOYER_CONTACT))
        .order_by("specialist__last_name")
    )
    return [
        {
            "Specialist": f"{row['specialist__first_name']} {row['specialist__last_name']}",
            "Face-to-face contacts": row["total"],
            "With a hiring manager": row["hiring"],
            "Per week": round(row["total"] / window.weeks(), 1),
        }
        for row in rows
    ]


# --- Items 19, 20, 21: the jobs ---------------------------------------------------------------


def _jobs_started(window: Window) -> Any:
    return Job.objects.live().filter(
        client__in=window.clients(),
        started_on__range=(window.period.first, window.period.last),
    )


def _jobs_held(window: Window) -> Any:
    """Jobs held on at least one day of the window."""
    return Job.objects.live().filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=window.period.first),
        client__in=window.clients(),
        started_on__lte=window.period.last,
    )


def _diversity(window: Window, key: str, field_name: str) -> Indicator:
    row = _jobs_started(window).aggregate(jobs=Count("id"), kinds=Count(field_name, distinct=True))
    share = _share(row["kinds"], row["jobs"])
    return _result(
        window,
        key,
        share,
        _percent(share) if share is not None else "",
        suggested=_score_from(share, (0.50, 0.60, 0.70, 0.85)),
        detail=f"{row['kinds']} different among {row['jobs']} jobs started",
    )


@indicator("job_type_diversity", item=19, label="Different job types among jobs started")
def job_type_diversity(window: Window) -> Indicator:
    """Distinct job types ÷ jobs started in the window."""
    return _diversity(window, "job_type_diversity", "job_type")


@indicator("employer_diversity", item=20, label="Different employers among jobs started")
def employer_diversity(window: Window) -> Indicator:
    """Distinct employers ÷ jobs started in the window."""
    return _diversity(window, "employer_diversity", "employer_id")


@indicator("competitive_share", item=21, label="Share of jobs held that are competitive")
def competitive_share(window: Window) -> Indicator:
    """Competitive jobs (the one definition) among all jobs held in the window. Fewer than ten
    jobs suggest a 1, as the anchor says."""
    held = _jobs_held(window)
    total = held.count()
    competitive = held.competitive().count()
    share = _share(competitive, total)
    suggested = _score_from(share, (0.64, 0.75, 0.85, 0.95))
    if share is not None and total < 10:
        suggested = 1
    return _result(
        window,
        "competitive_share",
        share,
        _percent(share) if share is not None else "",
        suggested=suggested,
        detail=f"{competitive} of {total} jobs held",
    )


def _job_rows(window: Window, names: Pseudonyms, jobs: Any) -> list[dict[str, Any]]:
    competitive = set(jobs.competitive().values_list("id", flat=True))
    rows = jobs.select_related("employer").order_by("started_on", "id")
    return [
        {
            "Client": names.name(job.client_id),
            "Job type": job.get_job_type_display(),
            "Employer": job.employer.name,
            "Competitive": "yes" if job.pk in competitive else "no",
        }
        for job in rows
    ]


rows_of("job_type_diversity")(lambda window, names: _job_rows(window, names, _jobs_started(window)))
rows_of("employer_diversity")(lambda window, names: _job_rows(window, names, _jobs_started(window)))
rows_of("competitive_share")(lambda window, names: _job_rows(window, names, _jobs_held(window)))


# --- Items 22 and 23: follow-along supports ---------------------------------------------------


def _supported_jobs(window: Window) -> Any:
    """Jobs held in the window, each with the supports its client had from the job's start to
    the window's end: how many, of how many kinds, and the latest."""
    on_or_after_start = Q(
        client__supports__archived_at__isnull=True,
        client__supports__provided_on__gte=F("started_on"),
        client__supports__provided_on__lte=window.period.last,
    )
    return _jobs_held(window).annotate(
        support_count=Count("client__supports", filter=on_or_after_start),
        support_kinds=Count("client__supports__kind", filter=on_or_after_start, distinct=True),
        last_support_on=Max("client__supports__provided_on", filter=on_or_after_start),
    )


@indicator("follow_along_reach", item=22, label="Working clients given follow-along supports")
def follow_along_reach(window: Window) -> Indicator:
    """Jobs held in the window whose client had at least one support since the start, and how
    varied the supports were."""
    jobs = list(_supported_jobs(window).values("support_count", "support_kinds"))
    if not jobs:
        return _result(window, "follow_along_reach", None, "")
    supported = [job for job in jobs if job["support_count"]]
    share = len(supported) / len(jobs)
    kinds = sum(job["support_kinds"] for job in supported) / len(supported) if supported else 0
    return _result(
        window,
        "follow_along_reach",
        share,
        f"{_percent(share)} of jobs supported; {kinds:.1f} kinds of support on average",
        detail=f"{len(supported)} of {len(jobs)} jobs held",
    )


@indicator("follow_along_duration", item=23, label="Follow-along lasting four months or more")
def follow_along_duration(window: Window) -> Indicator:
    """Of the jobs started at least 120 days before the window's end, the share whose client
    still had a support 120 days or more after the start. Suggests at most a 3: the finer
    timings of a 4 or 5 are for the reviewer to judge from the rows."""
    cutoff = window.period.last - dt.timedelta(days=FOLLOW_ALONG_DAYS)
    jobs = list(
        _supported_jobs(window)
        .filter(started_on__lte=cutoff)
        .values("started_on", "last_support_on")
    )
    if not jobs:
        return _result(window, "follow_along_duration", None, "")
    lasting = sum(
        1
        for job in jobs
        if job["last_support_on"]
        and (job["last_support_on"] - job["started_on"]).days >= FOLLOW_ALONG_DAYS
    )
    after_first_month = sum(
        1
        for job in jobs
        if job["last_support_on"] and (job["last_support_on"] - job["started_on"]).days > 30
    )
    share = lasting / len(jobs)
    suggested = 1 if not after_first_month else (3 if share >= 0.5 else 2)
    return _result(
        window,
        "follow_along_duration",
        share,
        _percent(share),
        suggested=suggested,
        detail=f"{lasting} of {len(jobs)} jobs started 4+ months before the window's end",
    )


def _support_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = _supported_jobs(window).order_by("started_on", "id")
    return [
        {
            "Client": names.name(job.client_id),
            "Supports since the start": job.support_count,
            "Kinds of support": job.support_kinds,
            "Days from start to latest support": _days(job.last_support_on, job.started_on)
            if job.last_support_on
            else "",
        }
        for job in rows
    ]


rows_of("follow_along_reach")(_support_rows)
rows_of("follow_along_duration")(_support_rows)


# --- The drill-down and the chart sample ------------------------------------------------------


def indicator_rows(*, review: Review, key: str) -> list[dict[str, Any]]:
    """The de-identified rows behind indicator `key` (KeyError for an unknown one)."""
    spec = INDICATORS[key]
    if spec.rows is None:
        return []
    window = window_of(review)
    return spec.rows(window, Pseudonyms(window))


SAMPLE_SIZE = 10


def chart_sample(*, review: Review, size: int = SAMPLE_SIZE) -> list[dict[str, Any]]:
    """A de-identified chart review: up to `size` clients served in the window (the first by
    record order), each as "Client N" with every date as days since their enrollment."""
    window = window_of(review)
    names = Pseudonyms(window)
    served = definitions.caseload(window.period, window.clients()).order_by("id")[:size]
    clients = list(
        served.select_related("current_episode").prefetch_related(
            "jobs", "supports", "benefits_referrals", "employer_contacts"
        )
    )
    sample = []
    for client in clients:
        episode = client.current_episode
        start = episode.enrolled_on if episode else None
        jobs = [job for job in client.jobs.all() if job.archived_at is None]
        contacts = sorted(
            c.contacted_on
            for c in client.employer_contacts.all()
            if c.archived_at is None and c.face_to_face
        )
        sample.append(
            {
                "client": names.name(client.pk),
                "first_employer_contact": _days(contacts[0], start) if contacts else None,
                "first_job": _days(min(job.started_on for job in jobs), start) if jobs else None,
                "jobs": len(jobs),
                "supports": sum(1 for s in client.supports.all() if s.archived_at is None),
                "benefits_referral": any(
                    r.archived_at is None for r in client.benefits_referrals.all()
                ),
            }
        )
    return sample


__all__ = [
    "INDICATORS",
    "Indicator",
    "chart_sample",
    "evidence_by_item",
    "indicator",
    "indicator_rows",
    "review_evidence",
    "rows_of",
]
