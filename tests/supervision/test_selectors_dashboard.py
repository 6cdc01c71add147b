"""The supervision dashboard's numbers against a hand-computed program, and their drill-downs.

Today is Friday 2026-04-10. The week asked for is 2026-W14: Monday 30 March to Sunday 5 April,
so "now" is Sunday 5 April and its month is the calendar month of that day, April (a week across
two months counts the month it ends in); 30 days before it is 6 March.

Sam (specialist) has:
- Ada, enrolled 6 March (exactly 30 days): not yet a rapid-job-search signal; no contact by
  5 April (one on 8 April is after the week) -> no contact in 30 days.
- Ben, enrolled 5 March (31 days), no employer contact -> signal; contact on 6 March (exactly
  30 days ago) is still recent.
- Cal, job started 31 March (in the week, but a March start: not in April's job starts) ->
  working.
- Dee, job started 1 April (an April job start), working.
- Eve, job 1 Feb to 20 March (ended in the last 30 days), employer contact on her behalf in
  January; benefits referrals of 5 March (pending), 6 March (only 30 days), and 1 February
  completed on 7 April (still pending on 5 April).
- Gus, closed on 1 March: off the caseload.
Tara (other_specialist) has Hal, enrolled in January, never contacted. Ivy has no specialist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from clients.models import BenefitsReferral, ClosureReason
from clients.services import contact_log
from ips.models import Program, Role, User
from ips.services import record_archive
from supervision import selectors
from supervision.selectors import METRICS, SupervisionWeek
from tests.clients.factories import BenefitsReferralFactory, ClientFactory, JobFactory, api_as
from tests.employers.factories import EmployerContactFactory
from tests.factories import MinimumWageFactory, StaffRoleFactory
from tests.supervision.factories import TreatmentTeamFactory, meeting

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 10)
D = dt.date


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 4, 10, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


def _client(program: Program, specialist: User | None, name: str, enrolled: dt.date, **kw):
    return ClientFactory(
        program=program,
        specialist=specialist,
        first_name=name,
        last_name="Test",
        referred_on=enrolled - dt.timedelta(days=2),
        enrolled_on=enrolled,
        **kw,
    )


def _contact(client, specialist: User, on: dt.date) -> None:
    contact_log(
        client=client, specialist=specialist, contacted_on=on, minutes=30, purpose="engagement"
    )


@pytest.fixture
def world(program: Program, specialist: User, other_specialist: User, supervisor: User) -> dict:
    MinimumWageFactory(program=program, effective_on=D(2025, 1, 1))
    c = {}
    c["ada"] = _client(program, specialist, "Ada", D(2026, 3, 6))
    _contact(c["ada"], specialist, D(2026, 4, 8))
    c["ben"] = _client(program, specialist, "Ben", D(2026, 3, 5))
    _contact(c["ben"], specialist, D(2026, 3, 6))
    c["cal"] = _client(program, specialist, "Cal", D(2026, 1, 10))
    JobFactory(client=c["cal"], started_on=D(2026, 3, 31))
    _contact(c["cal"], specialist, D(2026, 4, 1))
    c["dee"] = _client(program, specialist, "Dee", D(2026, 1, 10))
    JobFactory(client=c["dee"], started_on=D(2026, 4, 1))
    _contact(c["dee"], specialist, D(2026, 4, 2))
    c["eve"] = _client(program, specialist, "Eve", D(2026, 1, 10))
    c["eve_job"] = JobFactory(
        client=c["eve"], started_on=D(2026, 2, 1), ended_on=D(2026, 3, 20), end_reason="quit"
    )
    _contact(c["eve"], specialist, D(2026, 3, 25))
    c["eve_pending"] = BenefitsReferralFactory(client=c["eve"], referred_on=D(2026, 3, 5))
    BenefitsReferralFactory(client=c["eve"], referred_on=D(2026, 3, 6))
    c["eve_late"] = BenefitsReferralFactory(
        client=c["eve"], referred_on=D(2026, 2, 1), planning_completed_on=D(2026, 4, 7)
    )
    c["gus"] = _client(
        program,
        specialist,
        "Gus",
        D(2026, 1, 10),
        closed_on=D(2026, 3, 1),
        closure_reason=ClosureReason.MOVED,
    )
    c["hal"] = _client(program, other_specialist, "Hal", D(2026, 1, 10))
    c["ivy"] = _client(program, None, "Ivy", D(2026, 1, 10))
    _contact(c["ivy"], specialist, D(2026, 4, 1))

    def employer_contact(on, face=True, hiring=True, clients=()):
        return EmployerContactFactory(
            employer__program=program,
            specialist=specialist,
            contacted_on=on,
            face_to_face=face,
            with_hiring_manager=hiring,
            clients=list(clients),
        )

    employer_contact(D(2026, 1, 20), clients=[c["eve"]])
    employer_contact(D(2026, 1, 15), hiring=False, clients=[c["ivy"]])
    c["monday"] = employer_contact(D(2026, 3, 30))
    c["sunday"] = employer_contact(D(2026, 4, 5))
    employer_contact(D(2026, 3, 29))  # the Sunday before
    employer_contact(D(2026, 4, 6))  # the Monday after
    employer_contact(D(2026, 4, 1), hiring=False)
    employer_contact(D(2026, 4, 1), face=False)

    # Teams: Sam and Tara on the first, Sam alone on the second.
    first = TreatmentTeamFactory(program=program, specialists=[specialist, other_specialist])
    second = TreatmentTeamFactory(program=program, specialists=[specialist])
    both = [specialist, other_specialist]
    c["m1"] = meeting(
        team=first, recorded_by=specialist, held_on=D(2026, 3, 3), attendees=[specialist]
    )
    c["m2"] = meeting(team=first, recorded_by=specialist, held_on=D(2026, 3, 31), attendees=both)
    c["m3"] = meeting(
        team=second, recorded_by=specialist, held_on=D(2026, 3, 10), attendees=[other_specialist]
    )
    c["m4"] = meeting(team=first, recorded_by=specialist, held_on=D(2026, 4, 1), attendees=both)
    meeting(team=first, recorded_by=specialist, held_on=D(2026, 2, 28), attendees=both)
    withdrawn = meeting(team=first, recorded_by=specialist, held_on=D(2026, 3, 12), attendees=both)
    record_archive(record=withdrawn, version=withdrawn.version, reason="Twice", actor=specialist)
    return c


def _board(program: Program):
    return selectors.dashboard(program=program, when=SupervisionWeek.parse("2026-W14", TODAY))


def test_week_month_and_day_of_the_numbers() -> None:
    when = SupervisionWeek.parse("2026-W14", TODAY)

    assert (when.week.first, when.week.last) == (D(2026, 3, 30), D(2026, 4, 5))
    assert when.month.label == "2026-04"
    assert when.month_name == "April 2026"
    assert when.as_of == D(2026, 4, 5)
    assert when.complete
    # A week inside one month counts that month; the week still running is not complete.
    assert SupervisionWeek.parse("2026-W13", TODAY).month.label == "2026-03"
    assert not SupervisionWeek.parse("2026-W15", TODAY).complete
    # The current week: its numbers are as of today, not its Sunday.
    assert SupervisionWeek.parse("2026-W15", TODAY).as_of == TODAY
    assert SupervisionWeek.parse(None, TODAY).week.label == "2026-W15"
    # The week a meeting reviews: the last one over (on Monday 6 April, the week just ended).
    assert SupervisionWeek.last_complete(TODAY).week.label == "2026-W14"
    assert SupervisionWeek.last_complete(D(2026, 4, 6)).week.label == "2026-W14"
    assert SupervisionWeek.last_complete(D(2026, 4, 5)).week.label == "2026-W13"


@pytest.mark.parametrize("label", ["2026-13", "2026-Q1", "2026-W54", "next week", "2026-W1"])
def test_week_must_be_an_iso_week(label: str) -> None:
    with pytest.raises(ValueError, match="ISO week, such as 2026-W12"):
        SupervisionWeek.parse(label, TODAY)


SAM = {
    "caseload": 5,
    "working": 2,
    "job_starts_month": 1,
    "employer_contacts_week": 2,
    "employer_contacts_target": 6,
    "no_employer_contact_30d": 1,
    "no_contact_30d": 1,
    "jobs_ended_30d": 1,
    "benefits_pending_30d": 2,
    "meeting_attendance": 1.0,
}
TARA = {
    "caseload": 1,
    "working": 0,
    "job_starts_month": 0,
    "employer_contacts_week": 0,
    "employer_contacts_target": 6,
    "no_employer_contact_30d": 1,
    "no_contact_30d": 1,
    "jobs_ended_30d": 0,
    "benefits_pending_30d": 0,
    "meeting_attendance": 1.0,
}
TOTALS = {
    "caseload": 7,  # Sam's five, Hal and Ivy (who has no specialist)
    "working": 2,
    "job_starts_month": 1,
    "employer_contacts_week": 2,
    "employer_contacts_target": 12,
    "no_employer_contact_30d": 2,
    "no_contact_30d": 2,
    "jobs_ended_30d": 1,
    "benefits_pending_30d": 2,
    "meeting_attendance": 1.0,
}


def test_numbers_per_specialist_and_program(
    world: dict, program: Program, specialist: User, other_specialist: User
) -> None:
    board = _board(program)

    rows = {row.specialist: row.as_dict() for row in board.specialists}
    assert rows == {specialist: SAM, other_specialist: TARA}
    assert board.totals.as_dict() == TOTALS


def test_the_api_gives_the_same_numbers_with_attendance_rounded_to_4_places(
    world: dict, program: Program, specialist: User, supervisor: User
) -> None:
    body = (
        api_as(supervisor)
        .get("/api/v1/supervision/", {"program": program.pk, "week": "2026-W14"})
        .json()
    )

    assert body["month"] == "2026-04"
    rows = {row.pop("specialist"): row for row in body["specialists"]}
    assert rows[specialist.pk] == SAM
    assert body["program_totals"] == TOTALS


def test_attendance_counts_the_meetings_of_own_teams_in_the_calendar_month(
    world: dict, program: Program, specialist: User, other_specialist: User
) -> None:
    """2026-W13 (23 to 29 March) counts March: Sam's teams met three times (Tara's once, the
    second team's meeting she attended is not hers), the archived meeting never counts."""
    when = SupervisionWeek.parse("2026-W13", TODAY)

    board = selectors.dashboard(program=program, when=when)

    rows = {row.specialist: row.meeting_attendance for row in board.specialists}
    assert rows == {specialist: 2 / 3, other_specialist: 1 / 2}
    assert board.totals.meeting_attendance == 3 / 5
    listed = selectors.drilldown_rows(
        metric=METRICS["meeting_attendance"], program=program, when=when, specialist=specialist
    )
    assert {row.pk for row in listed} == {world[m].pk for m in ("m1", "m2", "m3")}
    assert sum(row.attended for row in listed) == 2


def test_a_specialist_with_no_team_has_no_attendance(world: dict, program: Program) -> None:
    newcomer = StaffRoleFactory(role=Role.SPECIALIST, program=program).user

    row = next(r for r in _board(program).specialists if r.specialist == newcomer)

    assert row.meeting_attendance is None
    assert row.counts["caseload"] == 0


def _expected_rows(world: dict) -> dict[str, set]:
    c = world
    return {
        "caseload": {c[n].pk for n in ("ada", "ben", "cal", "dee", "eve")},
        "working": {c["cal"].pk, c["dee"].pk},
        "job_starts_month": {c["dee"].jobs.get().pk},
        "employer_contacts_week": {c["monday"].pk, c["sunday"].pk},
        "no_employer_contact_30d": {c["ben"].pk},
        "no_contact_30d": {c["ada"].pk},
        "jobs_ended_30d": {c["eve_job"].pk},
        "benefits_pending_30d": {c["eve_pending"].pk, c["eve_late"].pk},
        "meeting_attendance": {c["m4"].pk},
    }


@pytest.mark.parametrize("key", list(METRICS))
def test_drilldown_lists_exactly_the_rows_behind_the_number(
    key: str, world: dict, program: Program, specialist: User
) -> None:
    when = SupervisionWeek.parse("2026-W14", TODAY)

    rows = selectors.drilldown_rows(
        metric=METRICS[key], program=program, when=when, specialist=specialist
    )

    assert {row.pk for row in rows} == _expected_rows(world)[key]
    if key == "meeting_attendance":
        assert sum(row.attended for row in rows) == 1
    else:
        assert len(rows) == SAM[key]


def test_program_drilldown_includes_clients_without_specialist(
    world: dict, program: Program
) -> None:
    when = SupervisionWeek.parse("2026-W14", TODAY)

    rows = selectors.drilldown_rows(
        metric=METRICS["caseload"], program=program, when=when, specialist=None
    )

    assert {row.first_name for row in rows} == {"Ada", "Ben", "Cal", "Dee", "Eve", "Hal", "Ivy"}


def test_jobs_ended_say_whether_support_or_search_followed(world: dict, program: Program) -> None:
    when = SupervisionWeek.parse("2026-W14", TODAY)

    (job,) = selectors.drilldown_rows(
        metric=METRICS["jobs_ended_30d"], program=program, when=when, specialist=None
    )

    assert (job.support_after, job.search_after) == (False, False)


def test_other_programs_never_count(world: dict, program: Program, other_program: Program) -> None:
    MinimumWageFactory(program=other_program)
    elsewhere = StaffRoleFactory(role=Role.SPECIALIST, program=other_program).user
    _client(other_program, elsewhere, "Zed", D(2026, 1, 10))

    assert _board(program).totals.as_dict() == TOTALS


def test_benefits_pending_counts_referrals_completed_after_the_day() -> None:
    """The definition itself: completed after `today` was still pending on `today`."""
    from outcomes.definitions import benefits_pending_30d

    referral = BenefitsReferralFactory(
        referred_on=D(2026, 2, 1), planning_completed_on=D(2026, 4, 7)
    )
    pending = BenefitsReferral.objects.filter(pk=referral.pk)

    assert benefits_pending_30d(D(2026, 4, 5), pending).count() == 1
    assert benefits_pending_30d(D(2026, 4, 7), pending).count() == 0
