"""The scale's Organization section (items 4-11): treatment teams, the vocational unit and its
supervision, zero exclusion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum

from clients.models import Episode
from fidelity.evidence.registry import (
    MISSING_LIMIT,
    Indicator,
    Pseudonyms,
    Window,
    days_between,
    indicator,
    indicator_result,
    not_available,
    percent_label,
    rows_of,
    share_of,
    specialists_in_post,
    staff_name,
)
from fidelity.evidence.section_staffing import caseloads
from fidelity.models import ITEM_COUNT, Review
from ips.models import Role, StaffRole, User
from outcomes.models import OutcomeReport
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


def _own_team(window: Window) -> Exists:
    """The client is treated by a live team their specialist is assigned to."""
    return Exists(
        TreatmentTeam.objects.filter(
            clients=OuterRef("pk"),
            specialists=OuterRef("specialist_id"),
            archived_at__isnull=True,
            program_id=window.program_id,
        )
    )


def _has_team(window: Window) -> Exists:
    return Exists(
        TreatmentTeam.objects.filter(
            clients=OuterRef("pk"), archived_at__isnull=True, program_id=window.program_id
        )
    )


def _caseloads_by_team(window: Window) -> list[dict[str, Any]]:
    return list(
        caseloads(window).annotate(
            own=Count("id", filter=Q(_own_team(window))),
            with_team=Count("id", filter=Q(_has_team(window))),
        )
    )


@indicator(
    "caseload_from_own_teams",
    item=4,
    label="Caseload treated by the specialist's own one or two teams",
)
def caseload_from_own_teams(window: Window) -> Indicator:
    """Per specialist, the teams they are assigned to (the criterion is 1-2) and the share of
    their caseload (served in the window) treated by one of those teams (the clients each team
    treats). Suggests from the lowest share (the criterion holds for every specialist): 90 % →
    5, 75 % → 4, 50 % → 3, less → 2; a 2 when anyone is on three teams or more. A 1 (a program
    run apart from treatment) is for the reviewers. Not available while more than 10 % of the
    caseload has no team recorded."""
    rows = _caseloads_by_team(window)
    if not rows:
        return indicator_result(window, "caseload_from_own_teams", None, "")
    served = sum(row["clients"] for row in rows)
    missing = served - sum(row["with_team"] for row in rows)
    if missing / served > MISSING_LIMIT:
        return not_available(
            window,
            "caseload_from_own_teams",
            f"{missing} of {served} clients served have no treatment team recorded",
        )
    teams = _teams_of(window)
    counts = [len(teams.get(row["specialist_id"], [])) for row in rows]
    own = sum(row["own"] for row in rows)
    share, lowest = own / served, min(row["own"] / row["clients"] for row in rows)
    suggested = 2 if max(counts) >= 3 else 2 + sum(lowest >= edge for edge in (0.50, 0.75, 0.90))
    return indicator_result(
        window,
        "caseload_from_own_teams",
        share,
        f"{percent_label(share)} of caseloads from the specialists' own teams (lowest "
        f"{percent_label(lowest)}); {min(counts)}-{max(counts)} teams per specialist",
        suggested=suggested,
        detail=f"{own} of {served} clients served; {missing} with no team recorded",
    )


@rows_of("caseload_from_own_teams")
def _own_team_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    teams = _teams_of(window)
    return [
        {
            "Specialist": f"{row['specialist__first_name']} {row['specialist__last_name']}",
            "Teams assigned": ", ".join(teams.get(row["specialist_id"], [])) or "none",
            "Clients served": row["clients"],
            "From their own teams": row["own"],
            "No team recorded": row["clients"] - row["with_team"],
        }
        for row in _caseloads_by_team(window)
    ]


@indicator(
    "caseload_discussed_at_own_teams",
    item=4,
    label="Caseload discussed at the specialist's own team meetings",
)
def caseload_discussed_at_own_teams(window: Window) -> Indicator:
    """Beside item 4's figure: per specialist, the teams they are assigned to and the share of
    their caseload (served in the window) discussed at a meeting of one of those teams held in
    the window. No score: discussing a client is not the team supplying them. No data without a
    team meeting in the window."""
    rows = _caseloads_discussed(window)
    if not rows or not _team_meetings(window).exists():
        return indicator_result(window, "caseload_discussed_at_own_teams", None, "")
    teams = _teams_of(window)
    counts = [len(teams.get(row["specialist_id"], [])) for row in rows]
    served, discussed = sum(row["clients"] for row in rows), sum(row["discussed"] for row in rows)
    share, lowest = discussed / served, min(row["discussed"] / row["clients"] for row in rows)
    fewest, most = min(counts), max(counts)
    team_text = f"{fewest}" if fewest == most else f"{fewest}-{most}"
    return indicator_result(
        window,
        "caseload_discussed_at_own_teams",
        share,
        f"{percent_label(share)} of caseloads discussed at their own teams' meetings (lowest "
        f"{percent_label(lowest)}); {team_text} teams per specialist",
        detail=f"{discussed} of {served} clients. Beside the caseload each team treats (the "
        "score is suggested from that): a client discussed at a meeting of their specialist's "
        "team",
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

# A quarter's worth of weeks: item 8 asks for a visit to each team and goals with each
# specialist at least once a quarter.
QUARTER_WEEKS = 13
# Specialists per full-time supervisor (item 8, role 1).
SPECIALISTS_PER_SUPERVISOR = 10


def _sessions(window: Window) -> Any:
    """Live group-supervision sessions of the program held in the window."""
    return SupervisionSession.objects.filter(
        program_id=window.program_id,
        archived_at__isnull=True,
        held_on__range=(window.period.first, window.period.last),
    )


def _group_sessions(window: Window) -> Any:
    """The sessions where two specialists or more met: one alone with the supervisor is not
    group supervision."""
    return (
        _sessions(window)
        .annotate(present=Count("specialists_present", distinct=True))
        .filter(present__gte=2)
    )


def _unit_size(window: Window, in_post: list[dict[str, Any]]) -> int:
    """The specialists of the unit: holding the role in the program, or in post in the window."""
    holding = set(
        StaffRole.objects.filter(program_id=window.program_id, role=Role.SPECIALIST).values_list(
            "user_id", flat=True
        )
    )
    return len(holding | {row["id"] for row in in_post})


def _quarters(window: Window) -> int:
    """How many times a quarterly duty falls in the window: once per 13 weeks, at least once."""
    return max(1, int(window.weeks() // QUARTER_WEEKS))


@indicator("group_supervision_per_week", item=7, label="Group supervision sessions per week")
def group_supervision_per_week(window: Window) -> Indicator:
    """Group sessions (two specialists or more present) held in the window per week. Fewer than
    two specialists in the unit is no unit (1); no group session, a 2; four or more a month on
    average reads as weekly (5), two or three a month as 4, fewer as 3. Whether the specialists
    cover each other's caseloads, which 4 and 5 also ask, is for interview."""
    if not _sessions(window).exists():
        return indicator_result(window, "group_supervision_per_week", None, "")
    sessions = _group_sessions(window).count()
    unit = _unit_size(window, specialists_in_post(window))
    per_week, per_month = sessions / window.weeks(), _per_month(sessions, window)
    if unit < 2:
        suggested = 1
    elif not sessions:
        suggested = 2
    else:
        suggested = 3 + sum(per_month >= edge for edge in (2, WEEKLY_PER_MONTH))
    return indicator_result(
        window,
        "group_supervision_per_week",
        per_week,
        f"{per_week:.1f} group sessions a week ({per_month:.1f} a month); {unit} specialists "
        "in the unit",
        suggested=suggested,
        detail=f"{sessions} sessions with two specialists or more over {window.weeks():.1f} "
        "weeks. Whether specialists cover each other's caseloads is asked at interview",
    )


def _supervisors(window: Window) -> Any:
    return StaffRole.objects.filter(program_id=window.program_id, role=Role.SUPERVISOR)


def _teams_visited(window: Window) -> list[tuple[str, int]]:
    """Each live team of the program with the meetings held in the window that a supervisor
    of the program attended. One query."""
    visited = Q(
        meetings__archived_at__isnull=True,
        meetings__held_on__range=(window.period.first, window.period.last),
        meetings__attendees__in=_supervisors(window).values("user_id"),
    )
    return list(
        TreatmentTeam.objects.filter(program_id=window.program_id, archived_at__isnull=True)
        .annotate(visits=Count("meetings", filter=visited, distinct=True))
        .order_by("name", "id")
        .values_list("name", "visits")
    )


def _goals_per_specialist(window: Window) -> dict[int, int]:
    items = ActionItem.objects.filter(
        archived_at__isnull=True, session__in=_sessions(window)
    ).values_list("specialist_id")
    return dict(items.annotate(n=Count("id")).values_list("specialist_id", "n"))


def _supervisor_roles(window: Window) -> dict[str, Any]:
    """Roles 1, 2, 3 and 5 of item 8 as the records show them."""
    in_post = specialists_in_post(window)
    staff = _supervisors(window).aggregate(fte=Sum("fte"), people=Count("user_id", distinct=True))
    specialist_fte = sum(float(row["fte"]) for row in in_post)
    ratio = specialist_fte / float(staff["fte"]) if staff["fte"] else None
    quarters = _quarters(window)
    teams = _teams_visited(window)
    goals = _goals_per_specialist(window)
    per_month = _per_month(_group_sessions(window).count(), window)
    return {
        "ratio": ratio,
        "roles": {
            "1 (at most ten specialists per supervisor)": ratio is not None
            and ratio <= SPECIALISTS_PER_SUPERVISOR,
            "2 (weekly group supervision)": per_month >= WEEKLY_PER_MONTH,
            "3 (each team's meeting attended every quarter)": bool(teams)
            and all(visits >= quarters for _, visits in teams),
            "5 (goals with each specialist every quarter)": bool(in_post)
            and all(goals.get(row["id"], 0) >= quarters for row in in_post),
        },
        "unvisited": [name for name, visits in teams if visits < quarters],
        "without_goals": [staff_name(row) for row in in_post if goals.get(row["id"], 0) < quarters],
    }


@indicator(
    "supervision_goals_share",
    item=8,
    label="The supervisor's roles the records show",
)
def supervision_goals_share(window: Window) -> Indicator:
    """How many of the item's roles 1, 2, 3 and 5 the records show met: (1) at most ten
    specialists (in post, by full-time equivalent) per full-time supervisor; (2) group
    supervision four times a month or more; (3) a supervisor at a meeting of each live team at
    least once a quarter; (5) a goal or action item agreed with each specialist in post at least
    once a quarter. No score: role 4 (monthly field mentoring) and whether the supervisor has
    other duties are for interview, so the score is the count or one more."""
    if not _sessions(window).exists() and not _team_meetings(window).exists():
        return indicator_result(window, "supervision_goals_share", None, "")
    found = _supervisor_roles(window)
    met = [role for role, ok in found["roles"].items() if ok]
    unmet = [role for role, ok in found["roles"].items() if not ok]
    ratio = (
        f"{found['ratio']:.1f} specialists per supervisor"
        if found["ratio"] is not None
        else "no supervisor holds the role"
    )
    notes = []
    if found["unvisited"]:
        notes.append(f"teams without a supervisor's visit: {', '.join(found['unvisited'])}")
    if found["without_goals"]:
        notes.append(f"specialists without goals: {', '.join(found['without_goals'])}")
    return indicator_result(
        window,
        "supervision_goals_share",
        len(met),
        f"{len(met)} of the 4 roles the records show; {ratio}",
        detail=f"Met: {', '.join(met) or 'none'}. Not met: {', '.join(unmet) or 'none'}"
        + (f" ({'; '.join(notes)})" if notes else "")
        + ". Role 4 (field mentoring) needs interview",
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


# --- Item 10: agency focus on competitive employment -------------------------------------------


def _quarters_ending_in(window: Window) -> list[tuple[str, list[str]]]:
    """The calendar quarters whose last day falls in the window, each as its period label and
    the labels of its months ("2026-Q1", ["2026-01", "2026-02", "2026-03"])."""
    quarters = []
    year, quarter = window.period.first.year, (window.period.first.month - 1) // 3 + 1
    while True:
        last_month = quarter * 3
        last_day = dt.date(year + last_month // 12, last_month % 12 + 1, 1) - dt.timedelta(1)
        if last_day > window.period.last:
            return quarters
        if last_day >= window.period.first:
            months = [f"{year}-{m:02d}" for m in range(last_month - 2, last_month + 1)]
            quarters.append((f"{year}-Q{quarter}", months))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


@indicator(
    "rate_reported_quarterly", item=10, label="Competitive employment rate reported every quarter"
)
def rate_reported_quarterly(window: Window) -> Indicator:
    """Element (e) of the five: the agency measures its competitive employment rate at least
    every quarter and shares it. Of the quarters ending in the window, those with an outcome
    report of the program made for the quarter or one of its months. No score: elements (a) to
    (d) (the employment question at intake and at plan reviews, postings, work stories) are for
    interview and observation. No data when no quarter ends in the window."""
    quarters = _quarters_ending_in(window)
    if not quarters:
        return indicator_result(window, "rate_reported_quarterly", None, "")
    periods = [label for quarter, months in quarters for label in (quarter, *months)]
    made = set(
        OutcomeReport.objects.filter(
            program_id=window.program_id, status=OutcomeReport.Status.DONE, period__in=periods
        ).values_list("period", flat=True)
    )
    reported = [q for q, months in quarters if made & {q, *months}]
    share = len(reported) / len(quarters)
    return indicator_result(
        window,
        "rate_reported_quarterly",
        share,
        f"{len(reported)} of {len(quarters)} quarters with an outcome report",
        detail=f"Element (e), measuring the rate every quarter: "
        f"{'met' if len(reported) == len(quarters) else 'not met'}. Whether it is shared with "
        "leaders and staff, and elements (a) to (d), need interview and observation",
    )


# --- Item 11: executive team support -----------------------------------------------------------

# Element 2: the fidelity scale is used at least every six months until fidelity is high (a
# total of 100 or more), then at least yearly.
HIGH_FIDELITY = 100
REVIEW_EVERY_DAYS = {False: 183, True: 365}


@indicator(
    "fidelity_reviews_as_qa",
    item=11,
    label="Days since the last fidelity review (quality assurance)",
)
def fidelity_reviews_as_qa(window: Window) -> Indicator:
    """Element 2 of the five: quality assurance reviews the program with the fidelity scale at
    least every six months until fidelity is high, then at least yearly. The days from the
    window of the last signed-off review to this window's end, against six months (its total
    under 100) or a year. No score: the other elements are for interview. No data without an
    earlier signed-off review."""
    last = (
        Review.objects.filter(
            program_id=window.program_id,
            status=Review.Status.FINAL,
            window_end__lte=window.period.last,
        )
        .exclude(pk=window.review.pk)
        .with_total()
        .order_by("-window_end", "-id")
        .first()
    )
    if last is None:
        return indicator_result(window, "fidelity_reviews_as_qa", None, "")
    total = last.scored_total if last.scored_items == ITEM_COUNT else None
    high = total is not None and total >= HIGH_FIDELITY
    days = (window.period.last - last.window_end).days
    met = days <= REVIEW_EVERY_DAYS[high]
    return indicator_result(
        window,
        "fidelity_reviews_as_qa",
        days,
        f"{days} days since the last review's window ended; element 2 "
        f"{'met' if met else 'not met'}",
        detail=f"The last review totalled {total if total is not None else 'incomplete'}: "
        f"{'high fidelity, so yearly' if high else 'not yet high fidelity, so every six months'}."
        " Whether its results are used, and elements 1, 3, 4 and 5, need interview",
    )
