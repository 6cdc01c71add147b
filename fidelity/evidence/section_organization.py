"""The scale's Organization section (items 4-11): treatment teams, the vocational unit and its
supervision, zero exclusion."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q

from clients.models import Episode
from fidelity.evidence.registry import (
    Indicator,
    Pseudonyms,
    Window,
    days_between,
    indicator,
    indicator_result,
    percent_label,
    rows_of,
    share_of,
)
from fidelity.evidence.section_staffing import caseloads
from ips.models import Role, StaffRole, User
from supervision.models import ActionItem, SupervisionSession, TeamMeetingClient, TreatmentTeam
from supervision.selectors import (
    attendance_rate,
    meetings_attended,
    meetings_expected,
    team_meetings,
)

# Items 5 and 7 count meetings a week and a month. "Weekly" is four or more a month on average:
# a month is four weeks and a few days, so one week missed in a quarter still reads as weekly.
WEEKS_PER_MONTH = 52 / 12
WEEKLY_PER_MONTH = 4


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
        caseloads(window).annotate(discussed=Count("id", filter=_discussed_at_own_team(window)))
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
        return indicator_result(window, "caseload_discussed_at_own_teams", None, "")
    teams = _teams_of(window)
    counts = [len(teams.get(row["specialist_id"], [])) for row in rows]
    served, discussed = sum(row["clients"] for row in rows), sum(row["discussed"] for row in rows)
    share, lowest = discussed / served, min(row["discussed"] / row["clients"] for row in rows)
    suggested = 2 if max(counts) >= 3 else 2 + sum(lowest >= edge for edge in (0.50, 0.75, 0.90))
    fewest, most = min(counts), max(counts)
    team_text = f"{fewest}" if fewest == most else f"{fewest}-{most}"
    return indicator_result(
        window,
        "caseload_discussed_at_own_teams",
        share,
        f"{percent_label(share)} of caseloads discussed at their own teams' meetings (lowest "
        f"{percent_label(lowest)}); {team_text} teams per specialist",
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
            "Share": percent_label(row["discussed"] / row["clients"]),
        }
        for row in _caseloads_discussed(window)
    ]


def _attendance(window: Window) -> list[dict[str, Any]]:
    """Each active specialist of the program, and anyone assigned to one of its teams that met
    in the window, with the meetings of their own teams held in the window and those they
    attended (the supervision dashboard's definition, `supervision.selectors`)."""
    meetings = _team_meetings(window)
    expected, attended = meetings_expected(meetings), meetings_attended(meetings)
    specialists = User.objects.specialists_of([window.program_id]).values("pk")
    people = (
        User.objects.filter(Q(pk__in=list(expected)) | Q(pk__in=specialists))
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
        return indicator_result(window, "team_meeting_attendance", None, "")
    attended = sum(person["attended"] for person in people)
    rate = attendance_rate(attended, expected) or 0.0
    weekly = sum(_per_month(p["attended"], window) >= WEEKLY_PER_MONTH for p in people)
    element = "met" if weekly == len(people) else "not met, so the item scores at most 4"
    return indicator_result(
        window,
        "team_meeting_attendance",
        rate,
        f"{percent_label(rate)} of their teams' meetings attended; {weekly} of {len(people)} "
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
                "Attendance": percent_label(rate) if rate is not None else "",
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
        return indicator_result(window, "group_supervision_per_week", None, "")
    per_week, per_month = sessions / window.weeks(), _per_month(sessions, window)
    return indicator_result(
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
    share = share_of(counts["with_goals"], counts["total"])
    if share is None:
        return indicator_result(window, "supervision_goals_share", None, "")
    staff = StaffRole.objects.filter(program_id=window.program_id).aggregate(
        specialists=Count("user_id", filter=Q(role=Role.SPECIALIST), distinct=True),
        supervisors=Count("user_id", filter=Q(role=Role.SUPERVISOR), distinct=True),
    )
    ratio = (
        f"{staff['specialists'] / staff['supervisors']:.1f} specialists per supervisor"
        if staff["supervisors"]
        else "no supervisor holds the role"
    )
    return indicator_result(
        window,
        "supervision_goals_share",
        share,
        f"{percent_label(share)} of sessions set goals or action items; {ratio}",
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
    share = share_of(counts["enrolled"], counts["referred"])
    longest = days_between(end, waiting["first"])
    wait_text = (
        f"{waiting['count']} waiting, longest {longest} days"
        if waiting["count"]
        else "none waiting"
    )
    return indicator_result(
        window,
        "referrals_enrolled",
        share,
        f"{percent_label(share)} enrolled; {wait_text}" if share is not None else "",
        detail=f"{counts['enrolled']} of {counts['referred']} referrals enrolled",
    )


@rows_of("referrals_enrolled")
def _referral_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    end = window.period.last
    episodes = (_referrals(window) | _waiting(window)).distinct().order_by("referred_on", "id")
    return [
        {
            "Client": names.name(episode.client_id),
            "Days from referral to enrollment": days_between(
                episode.enrolled_on, episode.referred_on
            )
            if episode.enrolled_on and episode.enrolled_on <= end
            else "",
            "Waiting at the window's end (days)": ""
            if episode.enrolled_on and episode.enrolled_on <= end
            else days_between(end, episode.referred_on),
        }
        for episode in episodes
    ]
