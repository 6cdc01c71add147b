"""The evidence read from the supervision records (items 4, 5, 7 and 8), hand-computed.

The world (window 2026-01-01 to 2026-03-31: 90 days, 90/7 weeks, 90/7 * 12/52 months):
- Sam (specialist) serves c1 and c2; Tara (other_specialist) serves c5; c3 (Tara's) was referred
  and never enrolled, so she is not in the caseload.
- Teams: North (Sam, Tara), South (Tara), West (Sam; archived, with its meeting).
- Meetings in the window: North on Jan 1 (Sam, Tara; c1 discussed), North on Feb 10 (Sam),
  North on Mar 31 (Tara; c5 and c3 discussed), South on Feb 15 (Tara, and Sam, who is not on
  South; c2 discussed). Not counted: North on Dec 31 and Apr 1 (c2 discussed at both, everyone
  there), an archived North meeting on Feb 20 (Sam; c2) and West's meeting on Jan 15 (Sam).
- Sessions (Sue supervising, Sam and Tara present) in the window: Jan 1 (an action item for
  Sam), Feb 1 (none), Mar 31 (its one item archived). Not counted: Dec 31 and Apr 1 (each
  with an item), an archived one on Feb 15.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fidelity import evidence
from fidelity.models import Review
from ips.models import Program, User
from ips.services import record_archive
from supervision import selectors as supervision
from tests.clients.factories import ClientFactory
from tests.helpers import names_shown
from tests.supervision.factories import TreatmentTeamFactory, meeting, session

pytestmark = pytest.mark.django_db

D = dt.date
FIRST, LAST = D(2026, 1, 1), D(2026, 3, 31)
WEEKS = 90 / 7
KEYS = (
    "caseload_discussed_at_own_teams",
    "team_meeting_attendance",
    "group_supervision_per_week",
    "supervision_goals_share",
)


def _review(program: Program, first: dt.date = FIRST, last: dt.date = LAST) -> Review:
    return Review(program=program, window_start=first, window_end=last)


def _found(program: Program, key: str, **window: Any) -> evidence.Indicator:
    return {i.key: i for i in evidence.review_evidence(review=_review(program, **window))}[key]


def _archive(record: Any, actor: User) -> None:
    record_archive(record=record, version=record.version, reason="Entered by mistake.", actor=actor)


@pytest.fixture
def world(program: Program, specialist: User, other_specialist: User, supervisor: User) -> dict:
    sam, tara = specialist, other_specialist

    def client(who: User, enrolled: dt.date | None) -> Any:
        return ClientFactory(
            program=program, specialist=who, referred_on=D(2025, 11, 1), enrolled_on=enrolled
        )

    c1, c2 = client(sam, D(2025, 12, 10)), client(sam, D(2026, 1, 20))
    c3, c5 = client(tara, None), client(tara, D(2025, 11, 3))
    north = TreatmentTeamFactory(program=program, name="North Team", specialists=[sam, tara])
    south = TreatmentTeamFactory(program=program, name="South Team", specialists=[tara])
    west = TreatmentTeamFactory(program=program, name="West Team", specialists=[sam])

    def met(team: Any, on: dt.date, who: list[User], *clients: Any) -> Any:
        return meeting(
            team=team,
            recorded_by=sam,
            held_on=on,
            attendees=who,
            discussed=[(c, "Talked about work.") for c in clients],
        )

    met(north, D(2026, 1, 1), [sam, tara], c1)
    met(north, D(2026, 2, 10), [sam])
    met(north, D(2026, 3, 31), [tara], c5, c3)
    met(south, D(2026, 2, 15), [tara, sam], c2)
    met(north, D(2025, 12, 31), [sam, tara], c2)
    met(north, D(2026, 4, 1), [sam, tara], c2)
    _archive(met(north, D(2026, 2, 20), [sam], c2), sam)
    met(west, D(2026, 1, 15), [sam])
    _archive(west, supervisor)

    def held(on: dt.date, *items: str) -> Any:
        return session(
            supervisor=supervisor,
            program=program,
            held_on=on,
            items=[(sam, t) for t in items],
            present=[sam, tara],
        )

    held(D(2026, 1, 1), "Two employer visits a week")
    held(D(2026, 2, 1))
    mistaken = held(D(2026, 3, 31), "Entered twice").action_items.get()
    _archive(mistaken, supervisor)
    held(D(2025, 12, 31), "Before the window")
    held(D(2026, 4, 1), "After the window")
    _archive(held(D(2026, 2, 15), "Archived session"), supervisor)
    return {"clients": [c1, c2, c3, c5], "teams": {"north": north, "south": south}}


# --- Item 4 -------------------------------------------------------------------------------------


def test_caseload_discussed_at_own_teams(world: dict, program: Program) -> None:
    found = _found(program, "caseload_discussed_at_own_teams")

    # Sam: c1 discussed at North on Jan 1 (his team); c2 only at South (not his team), outside
    # the window or at an archived meeting: 1 of 2. Tara: c5 at North on Mar 31: 1 of 1.
    # Pooled 2 of 3 (lowest 50 %). No score: item 4 is suggested from the teams that treat
    # each client (`caseload_from_own_teams`).
    assert found.value == pytest.approx(2 / 3)
    assert found.display == (
        "66.7 % of caseloads discussed at their own teams' meetings (lowest 50.0 %); "
        "1-2 teams per specialist"  # Sam: North (West is archived); Tara: North, South
    )
    assert found.suggested is None
    assert found.detail.startswith("2 of 3 clients. Beside the caseload each team treats")


def test_three_teams_suggest_a_2_whatever_the_share(
    world: dict, program: Program, specialist: User
) -> None:
    east = TreatmentTeamFactory(program=program, name="East Team")
    east.specialists.add(specialist)
    world["teams"]["south"].specialists.add(specialist)
    c1, c2, _, c5 = world["clients"]
    world["teams"]["north"].clients.add(c1, c5)
    world["teams"]["south"].clients.add(c2)

    found = _found(program, "caseload_from_own_teams")

    # Sam is now on North, South and East, so c2 (treated by South) is from his own teams:
    # every client from their specialist's teams (a 5 by the share), but three teams give a 2.
    assert found.value == pytest.approx(1.0)
    assert found.suggested == 2
    assert found.display.endswith("2-3 teams per specialist")


def test_caseload_discussed_needs_a_meeting_in_the_window(world: dict, program: Program) -> None:
    # Clients were served in 2025-12 (c1, c5) but no team met in the month.
    found = _found(
        program, "caseload_discussed_at_own_teams", first=D(2025, 12, 1), last=D(2025, 12, 30)
    )

    assert found.value is None
    assert found.display == "No data in the review window"


def test_caseload_discussed_rows(world: dict, program: Program) -> None:
    rows = evidence.indicator_rows(review=_review(program), key="caseload_discussed_at_own_teams")

    assert rows == [
        {
            "Specialist": "Tara Colleague",
            "Teams assigned": "North Team, South Team",
            "Clients served": 1,
            "Discussed at their teams' meetings": 1,
            "Share": "100.0 %",
        },
        {
            "Specialist": "Sam Specialist",
            "Teams assigned": "North Team",
            "Clients served": 2,
            "Discussed at their teams' meetings": 1,
            "Share": "50.0 %",
        },
    ]


# --- Item 5 -------------------------------------------------------------------------------------


def test_team_meeting_attendance(world: dict, program: Program) -> None:
    found = _found(program, "team_meeting_attendance")

    # Expected: Sam the 3 North meetings; Tara 3 North + 1 South = 4. Attended among their own:
    # Sam Jan 1 and Feb 10 (South is not his team; West is archived) = 2; Tara Jan 1, Mar 31
    # and South = 3. Pooled 5 of 7; neither attended one a week.
    assert found.available
    assert found.value == pytest.approx(5 / 7)
    assert found.display == (
        "71.4 % of their teams' meetings attended; 0 of 2 specialists attended one or more a week"
    )
    assert found.suggested is None  # element (a) of five: the rest is for interview
    assert "weekly attendance: not met, so the item scores at most 4" in found.detail
    assert found.detail.startswith("5 of 7 meetings over 12.9 weeks")


def test_attendance_is_the_dashboards_definition(
    world: dict, program: Program, specialist: User, other_specialist: User
) -> None:
    meetings = supervision.team_meetings(program, evidence.window_of(_review(program)).period)

    assert supervision.meetings_expected(meetings) == {specialist.pk: 3, other_specialist.pk: 4}
    assert supervision.meetings_attended(meetings) == {specialist.pk: 2, other_specialist.pk: 3}


def test_team_meeting_attendance_rows(world: dict, program: Program) -> None:
    rows = evidence.indicator_rows(review=_review(program), key="team_meeting_attendance")

    assert rows == [
        {
            "Specialist": "Tara Colleague",
            "Teams assigned": "North Team, South Team",
            "Meetings of their teams": 4,
            "Attended": 3,
            "Attendance": "75.0 %",
            "Attended per week": round(3 / WEEKS, 1),
        },
        {
            "Specialist": "Sam Specialist",
            "Teams assigned": "North Team",
            "Meetings of their teams": 3,
            "Attended": 2,
            "Attendance": "66.7 %",
            "Attended per week": round(2 / WEEKS, 1),
        },
    ]


@pytest.mark.parametrize(("attended", "weekly"), [(11, 0), (12, 1)])
def test_weekly_attendance_is_four_or_more_a_month(
    program: Program, specialist: User, attended: int, weekly: int
) -> None:
    team = TreatmentTeamFactory(program=program, specialists=[specialist])
    for week in range(attended):
        meeting(
            team=team,
            recorded_by=specialist,
            held_on=FIRST + dt.timedelta(weeks=week),
            attendees=[specialist],
        )

    found = _found(program, "team_meeting_attendance")

    # 12 in 90 days is 12 / (90/7) * 52/12 = 4.04 a month; 11 is 3.71.
    assert found.value == pytest.approx(1.0)
    assert found.display.endswith(f"{weekly} of 1 specialists attended one or more a week")
    assert ("weekly attendance: met." in found.detail) == bool(weekly)


# --- Items 7 and 8 ------------------------------------------------------------------------------


def test_group_supervision_per_week(world: dict, program: Program) -> None:
    found = _found(program, "group_supervision_per_week")

    # Jan 1, Feb 1, Mar 31 (the window's first and last days count; Dec 31, Apr 1 and the
    # archived session do not): 3 / (90/7) = 0.233 a week, 1.01 a month.
    assert found.value == pytest.approx(3 / WEEKS)
    assert found.display == "0.2 group sessions a week (1.0 a month); 2 specialists in the unit"
    assert found.suggested == 3
    assert found.detail.startswith("3 sessions with two specialists or more over 12.9 weeks")


@pytest.mark.parametrize(("sessions", "suggested"), [(5, 3), (6, 4), (11, 4), (12, 5)])
def test_group_supervision_anchors(
    program: Program,
    supervisor: User,
    specialist: User,
    other_specialist: User,
    sessions: int,
    suggested: int,
) -> None:
    for week in range(sessions):
        session(
            supervisor=supervisor,
            program=program,
            held_on=FIRST + dt.timedelta(weeks=week),
            present=[specialist, other_specialist],
        )

    found = _found(program, "group_supervision_per_week")

    # A month a session a week: 5 -> 1.69 a month, 6 -> 2.02, 11 -> 3.71, 12 -> 4.04.
    assert found.value == pytest.approx(sessions / WEEKS)
    assert found.suggested == suggested


def test_supervision_goals_share(world: dict, program: Program) -> None:
    found = _found(program, "supervision_goals_share")

    # (1) Sam and Tara for Sue: met. (2) three group sessions, about one a month: not met. (3)
    # Sue attended no team's meeting: not met. (5) a goal for Sam on Jan 1 (Mar 31's item was
    # archived), none for Tara: not met. 1 of 4.
    assert found.value == 1
    assert found.display == "1 of the 4 roles the records show; 2.0 specialists per supervisor"
    assert found.suggested is None
    assert found.detail.startswith("Met: 1 (at most ten specialists per supervisor). Not met:")
    assert "teams without a supervisor's visit: North Team, South Team" in found.detail
    assert "specialists without goals: Tara Colleague" in found.detail


def test_session_rows(world: dict, program: Program) -> None:
    for key in ("group_supervision_per_week", "supervision_goals_share"):
        rows = evidence.indicator_rows(review=_review(program), key=key)

        assert rows == [
            {
                "Date": day,
                "Supervisor": "Sue Supervisor",
                "Specialists present": 2,
                "Goals and action items": items,
            }
            for day, items in [("2026-01-01", 1), ("2026-02-01", 0), ("2026-03-31", 0)]
        ]


# --- Every window -------------------------------------------------------------------------------


def test_an_empty_window_gives_no_data(world: dict, program: Program) -> None:
    empty = _review(program, D(2020, 1, 1), D(2020, 1, 31))
    for key in KEYS:
        found = _found(program, key, first=empty.window_start, last=empty.window_end)

        assert (found.value, found.suggested) == (None, None), key
        assert found.display == "No data in the review window", key
    for key in ("caseload_discussed_at_own_teams", "group_supervision_per_week"):
        assert evidence.indicator_rows(review=empty, key=key) == [], key
    attendance = evidence.indicator_rows(review=empty, key="team_meeting_attendance")
    assert [(row["Meetings of their teams"], row["Attendance"]) for row in attendance] == [
        (0, ""),
        (0, ""),
    ]


def test_a_one_day_window_at_the_edge(world: dict, program: Program) -> None:
    # Only Mar 31: North met (Tara there, c5 discussed) and a session was held.
    attendance = _found(program, "team_meeting_attendance", first=LAST, last=LAST)
    sessions = _found(program, "group_supervision_per_week", first=LAST, last=LAST)

    assert attendance.value == pytest.approx(1 / 2)  # Sam 0 of 1, Tara 1 of 1
    assert sessions.value == pytest.approx(7.0)  # one session in a seventh of a week


def test_other_programs_records_do_not_count(world: dict, other_program: Program) -> None:
    for key in KEYS:
        assert _found(other_program, key).value is None, key


def test_rows_name_no_client(world: dict, program: Program) -> None:
    review = _review(program)
    text = repr([evidence.indicator_rows(review=review, key=key) for key in KEYS])

    for client in world["clients"]:
        assert names_shown(text, client) == []
    assert "Talked about work" not in text
