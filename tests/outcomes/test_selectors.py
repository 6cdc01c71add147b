"""The outcome numbers against the hand-computed quarter of `conftest.py`."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client, ClosureReason, Job, JobEndReason
from ips.calendar import Period
from ips.models import Agency, MinimumWage, Program, User
from outcomes import definitions
from outcomes.selectors import (
    agency_outcomes,
    program_outcomes,
    program_outcomes_by_period,
    specialist_outcomes,
)
from tests.clients.factories import ClientFactory, JobFactory
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

Q1 = Period.parse("2025-Q1")


def test_quarter_numbers_match_the_hand_count(quarter: SimpleNamespace) -> None:
    outcome = program_outcomes([quarter.program.pk], Q1)[quarter.program.pk]

    assert (outcome.program, outcome.period, outcome.computed_at) == (quarter.program.pk, Q1, None)
    assert outcome.caseload == 9
    assert outcome.working == 4
    assert outcome.rate == 4 / 9
    assert outcome.job_starts == 3
    assert outcome.first_job_starts == 1
    assert outcome.in_education == 1


def test_quarter_days_to_first_contact_and_job_leave_no_one_out(quarter: SimpleNamespace) -> None:
    """D (enrolled on the last day, contacted after the quarter) and H (no job started in his
    second episode) count with their days so far, to the end of the quarter."""
    outcome = program_outcomes([quarter.program.pk], Q1)[quarter.program.pk]

    assert outcome.median_days_to_first_employer_contact == 7.0
    assert outcome.mean_days_to_first_employer_contact == 5.7  # (0 + 7 + 10) / 3
    assert (outcome.not_yet_contacted, outcome.contacted_within_30_days) == (1, 2)
    assert outcome.median_days_to_first_job == 27.0
    assert outcome.mean_days_to_first_job == 25.3  # (0 + 27 + 49) / 3
    assert outcome.no_first_job_yet == 2
    assert outcome.new_enrollments == 3


def test_days_so_far_stop_at_today_in_an_open_period(program: Program) -> None:
    """Enrolled on 2 March, never contacted, seen on 12 March: 10 days so far, not the 29 to
    the end of the month."""
    MinimumWage.objects.create(program=program, effective_on=dt.date(2024, 1, 1), hourly=15)
    with time_machine.travel(dt.datetime(2025, 3, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        ClientFactory(
            program=program, referred_on=dt.date(2025, 3, 1), enrolled_on=dt.date(2025, 3, 2)
        )
        outcome = program_outcomes([program.pk], Period.parse("2025-03"))[program.pk]

    assert outcome.mean_days_to_first_employer_contact == 10.0
    assert (outcome.not_yet_contacted, outcome.contacted_within_30_days) == (1, 0)
    assert outcome.as_of == dt.date(2025, 3, 12)
    assert outcome.preliminary is True


def test_closed_period_is_not_preliminary(quarter: SimpleNamespace) -> None:
    outcome = program_outcomes([quarter.program.pk], Q1)[quarter.program.pk]

    assert (outcome.as_of, outcome.preliminary) == (dt.date(2025, 3, 31), False)


def test_out_of_work_rate_counts_only_clients_not_working_when_referred(
    quarter: SimpleNamespace,
) -> None:
    outcome = program_outcomes([quarter.program.pk], Q1)[quarter.program.pk]

    assert (outcome.out_of_work_caseload, outcome.out_of_work_working) == (7, 3)
    assert outcome.out_of_work_rate == 3 / 7


def test_out_of_work_rate_in_january(quarter: SimpleNamespace) -> None:
    """January: A B E F G H J K; without B and F, six; working A only (F was working)."""
    outcome = program_outcomes([quarter.program.pk], Period.parse("2025-01"))[quarter.program.pk]

    assert (outcome.out_of_work_caseload, outcome.out_of_work_working) == (6, 1)
    assert outcome.out_of_work_rate == 1 / 6


def test_closures_by_reason(quarter: SimpleNamespace) -> None:
    outcome = program_outcomes([quarter.program.pk], Q1)[quarter.program.pk]

    assert outcome.closures == 2
    assert outcome.closures_by_reason == {"moved": 2}


def test_90_day_retention(quarter: SimpleNamespace) -> None:
    every = program_outcomes_by_period(
        [quarter.program.pk], [Q1, Period.parse("2025-Q2"), Period.parse("2024-Q4")]
    )
    q1, q2, q4 = (every[(quarter.program.pk, label)] for label in ("2025-Q1", "2025-Q2", "2024-Q4"))

    assert (q1.jobs_reaching_90_days, q1.jobs_kept_90_days, q1.retention_90_rate) == (1, 0, 0.0)
    assert (q2.jobs_reaching_90_days, q2.jobs_kept_90_days, q2.retention_90_rate) == (3, 3, 1.0)
    # C's 2024-10-01 job reached its 90th day on 2024-12-30, having ended on 12-20.
    assert (q4.jobs_reaching_90_days, q4.jobs_kept_90_days) == (1, 0)


@pytest.mark.parametrize(("days_held", "kept"), [(89, 0), (90, 1)])
def test_a_job_held_on_its_90th_day_is_kept(program: Program, days_held: int, kept: int) -> None:
    MinimumWage.objects.create(program=program, effective_on=dt.date(2024, 1, 1), hourly=15)
    client = ClientFactory(
        program=program, referred_on=dt.date(2024, 12, 1), enrolled_on=dt.date(2024, 12, 1)
    )
    start = dt.date(2025, 1, 10)
    JobFactory(
        client=client,
        started_on=start,
        ended_on=start + dt.timedelta(days=days_held),
        end_reason=JobEndReason.QUIT,
    )

    outcome = program_outcomes([program.pk], Period.parse("2025-04"))[program.pk]

    assert (outcome.jobs_reaching_90_days, outcome.jobs_kept_90_days) == (1, kept)


def test_quarter_current_jobs_and_endings(quarter: SimpleNamespace) -> None:
    outcome = program_outcomes([quarter.program.pk], Q1)[quarter.program.pk]

    assert outcome.current_jobs == 4
    assert outcome.average_hours == 21.25
    assert outcome.average_hourly_wage == 16.63
    assert outcome.job_endings == 1
    assert outcome.job_endings_by_reason == {"quit": 1}


def test_job_endings_leave_out_set_aside_jobs_like_starts(quarter: SimpleNamespace) -> None:
    """E's set-aside job (started 03-10) ends on 03-25: not a competitive job, so neither a
    start nor an ending; A's competitive job ending stays the only one."""
    set_aside = quarter.e.jobs.get(set_aside=True)
    set_aside.ended_on, set_aside.end_reason = dt.date(2025, 3, 25), JobEndReason.QUIT
    set_aside.save()

    outcome = program_outcomes([quarter.program.pk], Q1)[quarter.program.pk]

    assert (outcome.job_starts, outcome.job_endings) == (3, 1)


def test_january_counts_the_job_ending_on_the_tenth_and_not_the_job_between_episodes(
    quarter: SimpleNamespace,
) -> None:
    """January: A B E F G H J K on the caseload (8). Working: A (until the 10th) and F; H's
    job began after the first episode closed (Jan 20) and the second began in February."""
    outcome = program_outcomes([quarter.program.pk], Period.parse("2025-01"))[quarter.program.pk]

    assert (outcome.caseload, outcome.working, outcome.job_starts) == (8, 2, 1)
    assert outcome.rate == 0.25


def test_march_after_the_minimum_wage_change(quarter: SimpleNamespace) -> None:
    """March: A D E F G H J K (B closed in January). Working E F H. Starts: F's at exactly the new
    16.00 counts; E's 03-01 at 15.50 (under 16.00) and the set-aside job do not."""
    outcome = program_outcomes([quarter.program.pk], Period.parse("2025-03"))[quarter.program.pk]

    assert (outcome.caseload, outcome.working, outcome.job_starts) == (8, 3, 1)
    assert outcome.rate == 0.375
    assert outcome.first_job_starts == 0


def test_job_spanning_the_quarter_boundary_starts_in_the_earlier_quarter(
    quarter: SimpleNamespace,
) -> None:
    """2024-Q4: A's job (12-01) and C's (10-01) start there; A still works in 2025-Q1 (above)."""
    outcome = program_outcomes([quarter.program.pk], Period.parse("2024-Q4"))[quarter.program.pk]

    assert outcome.job_starts == 2
    # Caseload Q4: A B C F G H J K = 8 (D and E enrolled in 2025, I archived).
    assert outcome.caseload == 8
    # Working Q4: A (from 12-01), C (10-01 → 12-20); F's earlier job ended in August.
    assert outcome.working == 2


def test_empty_program_has_no_rate(quarter: SimpleNamespace, other_program: Program) -> None:
    outcomes = program_outcomes([quarter.program.pk, other_program.pk], Q1)

    empty = outcomes[other_program.pk]
    assert (empty.caseload, empty.working, empty.job_starts) == (0, 0, 0)
    assert empty.rate is None
    assert empty.median_days_to_first_job is None
    assert empty.average_hourly_wage is None
    assert outcomes[quarter.program.pk].caseload == 9


def test_agency_counts_distinct_clients_across_programs(
    quarter: SimpleNamespace, agency: Agency, other_program: Program
) -> None:
    """Bridge Team (minimum wage 15.00) adds one client on its caseload who does not work (a
    job at 14.00): 10 clients, 4 working. A program with no schedule at all is left out of
    the agency's numbers (`test_no_schedule.py`)."""
    bridge = ClientFactory(
        program=other_program, referred_on=dt.date(2024, 11, 1), enrolled_on=dt.date(2024, 12, 1)
    )
    JobFactory(client=bridge, started_on=dt.date(2025, 2, 1), hourly_wage=14)
    ProgramFactory(agency=agency)  # an empty third program changes nothing

    outcome = agency_outcomes([agency.pk], Q1)[agency.pk]

    assert (outcome.agency, outcome.program) == (agency.pk, None)
    assert (outcome.caseload, outcome.working, outcome.job_starts) == (10, 4, 3)
    assert outcome.rate == 0.4
    assert outcome.median_days_to_first_employer_contact == 7.0


def test_every_number_is_one_query_whatever_the_number_of_programs(
    quarter: SimpleNamespace, other_program: Program
) -> None:
    with CaptureQueriesContext(connection) as one:
        program_outcomes([quarter.program.pk], Q1)
    extra = [ProgramFactory(agency=quarter.program.agency).pk for _ in range(5)]
    with CaptureQueriesContext(connection) as many:
        program_outcomes([quarter.program.pk, other_program.pk, *extra], Q1)

    def selects(queries: CaptureQueriesContext) -> list[str]:
        # Not the transaction and planner settings around them (one setting only for a few).
        return [q["sql"] for q in queries if q["sql"].startswith(("SELECT", "WITH"))]

    # The counts over the same rows together: caseload, out-of-work caseload and new
    # enrollments (episodes); working and out-of-work working (jobs held while enrolled); job
    # starts, first job starts and 90-day retention (job starts); education. Then days, current
    # jobs, endings, closures.
    assert len(selects(one)) == len(selects(many)) == 8
    assert len(many) <= len(one)


def test_specialist_table(
    quarter: SimpleNamespace, specialist: User, other_specialist: User
) -> None:
    """S: A B E (working A E; E's start). O: F G H (working F H; F's two starts).
    Unassigned: D J K (none working: rate 0, not None)."""
    rows = {row.specialist: row for row in specialist_outcomes(quarter.program.pk, Q1)}

    assert set(rows) == {specialist.pk, other_specialist.pk, None}
    mine, theirs, nobody = rows[specialist.pk], rows[other_specialist.pk], rows[None]
    assert (mine.caseload, mine.working, mine.job_starts) == (3, 2, 1)
    assert mine.rate == 2 / 3
    assert (theirs.caseload, theirs.working, theirs.job_starts) == (3, 2, 2)
    assert (nobody.caseload, nobody.working, nobody.rate, nobody.specialist_name) == (
        3,
        0,
        0.0,
        "Unassigned",
    )
    assert specialist_outcomes(quarter.program.pk, Q1)[-1].specialist is None


def test_many_periods_at_once_match_the_hand_count(quarter: SimpleNamespace) -> None:
    """2025-01: caseload A B E F G H J K = 8 (D enrolled 03-31); working A (to 01-10) and F
    (H's job began after his first episode closed 01-20) = 2; one start, F's, not his first.
    2025-02: caseload A E F G H J K = 7 (B closed 01-01); working E F H (H re-enrolled 02-10)
    = 3; E's start, her first. 2024-Q3: F's first job start 07-01."""
    program = quarter.program.pk
    periods = [Period.parse(label) for label in ("2025-01", "2025-02", "2024-Q3", "2025-Q1")]

    every = program_outcomes_by_period([program], periods)

    numbers = {
        label: (o.caseload, o.working, o.job_starts, o.first_job_starts)
        for (_, label), o in every.items()
    }
    assert numbers["2025-01"] == (8, 2, 1, 0)
    assert numbers["2025-02"] == (7, 3, 1, 1)
    assert numbers["2024-Q3"][2:] == (1, 1)
    assert every[(program, "2025-Q1")] == program_outcomes([program], Q1)[program]


def test_many_periods_at_once_count_the_drill_down_rows(quarter: SimpleNamespace) -> None:
    """Every month and quarter from 2024-04 to 2025-06, all numbers at once, against the
    single-period querysets that list the rows behind each number. Two more clients: X's job
    outlives her episode (closed 2024-08-31), Y's began before his enrollment (2025-05-10)."""
    x = ClientFactory(
        program=quarter.program,
        referred_on=dt.date(2024, 5, 20),
        enrolled_on=dt.date(2024, 6, 1),
        closed_on=dt.date(2024, 8, 31),
        closure_reason=ClosureReason.MOVED,
    )
    JobFactory(client=x, employer=quarter.employer, started_on=dt.date(2024, 7, 1))
    y = ClientFactory(
        program=quarter.program, referred_on=dt.date(2025, 5, 1), enrolled_on=dt.date(2025, 5, 10)
    )
    JobFactory(client=y, employer=quarter.employer, started_on=dt.date(2025, 4, 1))
    months = Period.parse("2025-06").recent(15)
    quarters = Period.parse("2025-Q2").recent(5)
    program = quarter.program.pk
    clients = Client.objects.filter(program=program)
    jobs = Job.objects.filter(client__program=program)

    every = program_outcomes_by_period([program], [*months, *quarters])

    assert len(every) == 20
    for period in [*months, *quarters]:
        outcome = every[(program, period.label)]
        assert (
            outcome.caseload,
            outcome.working,
            outcome.job_starts,
            outcome.first_job_starts,
            outcome.in_education,
            outcome.current_jobs,
            outcome.job_endings,
            outcome.jobs_reaching_90_days,
        ) == (
            definitions.caseload(period, clients).count(),
            definitions.working(period, clients).count(),
            definitions.job_starts(period, jobs).count(),
            definitions.first_job_starts(period, clients).count(),
            definitions.in_education(period, clients).count(),
            definitions.current_jobs(period.last, jobs).count(),
            definitions.job_endings(period, jobs).count(),
            definitions.jobs_reaching_90_days(period, jobs).count(),
        ), period.label
    assert sum(outcome.working for outcome in every.values()) > 10
