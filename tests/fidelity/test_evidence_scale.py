"""Evidence that reads the scale as a trained reviewer would: each case is small, made by hand,
and its expected number and suggested score worked out on paper (in the comments).

Unless told otherwise the window is 2026-01-01 to 2026-03-31: 90 days, 90/7 weeks. Sam is
`specialist`, Tara `other_specialist`; both hold the specialist role in `program`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from clients.models import CareerProfile, ClosureReason, Contact, JobType, Support
from employers.models import EmployerContact
from fidelity import evidence
from fidelity.models import Review
from ips.models import Program, Role, StaffRole, User
from outcomes.models import OutcomeReport
from tests.clients.factories import (
    BenefitsReferralFactory,
    ClientFactory,
    ContactFactory,
    EmployerFactory,
    JobFactory,
    SupportFactory,
)
from tests.employers.factories import EmployerContactFactory
from tests.factories import MinimumWageFactory, StaffRoleFactory
from tests.fidelity.factories import outside_reviewer, quick_final_review
from tests.supervision.factories import TreatmentTeamFactory, meeting, session

pytestmark = pytest.mark.django_db

D = dt.date
FIRST, LAST = D(2026, 1, 1), D(2026, 3, 31)
PURPOSE = EmployerContact.Purpose


@pytest.fixture(autouse=True)
def wage(program: Program) -> None:
    MinimumWageFactory(program=program, effective_on=D(2025, 1, 1), hourly=Decimal("15.00"))


def _found(program: Program, key: str, first: dt.date = FIRST, last: dt.date = LAST) -> Any:
    review = Review(program=program, window_start=first, window_end=last)
    return {i.key: i for i in evidence.review_evidence(review=review)}[key]


def _client(program: Program, who: User, enrolled: dt.date, **kw: Any) -> Any:
    return ClientFactory(
        program=program,
        specialist=who,
        referred_on=kw.pop("referred", enrolled),
        enrolled_on=enrolled,
        **kw,
    )


def _visit(employer: Any, who: User, on: dt.date, **kw: Any) -> Any:
    """A face-to-face job-development contact with a hiring manager, unless told otherwise."""
    return EmployerContactFactory(
        employer=employer,
        specialist=who,
        contacted_on=on,
        face_to_face=kw.pop("face_to_face", True),
        with_hiring_manager=kw.pop("hiring", True),
        purpose=kw.pop("purpose", PURPOSE.LEARN_NEEDS),
        **kw,
    )


def _not_available(found: Any) -> None:
    assert found.value is None
    assert found.suggested is None
    assert found.display.startswith("Not available"), found.display


# --- Item 1: the caseload held at a time, per full-time equivalent -----------------------------


def test_item_1_counts_the_caseload_held_at_a_time_not_everyone_served(
    program: Program, specialist: User
) -> None:
    # Sam holds 10 clients all quarter, 10 who leave on Feb 14 and 10 who join on Feb 15: 30
    # served, never more than 20 at once. Average daily: (10*90 + 10*45 + 10*45) / 90 = 20.
    for _ in range(10):
        _client(program, specialist, D(2025, 12, 1))
        _client(
            program,
            specialist,
            D(2025, 12, 1),
            closed_on=D(2026, 2, 14),
            closure_reason=ClosureReason.WORKING_STEADILY,
        )
        _client(program, specialist, D(2026, 2, 15))

    found = _found(program, "caseload_per_specialist")

    assert found.value == pytest.approx(20.0)
    assert found.suggested == 5  # 20 or fewer (the caseload served, 30, would suggest a 3)
    assert found.display == "20.0 clients per full-time specialist at a time (largest 20.0)"


def test_item_1_reads_a_part_time_caseload_per_full_time_equivalent(
    program: Program, specialist: User, other_specialist: User
) -> None:
    StaffRole.objects.filter(user=other_specialist, program=program).update(fte=Decimal("0.50"))
    for _ in range(12):
        _client(program, other_specialist, D(2025, 12, 1))  # 12 at half time: 24 per FTE
    for _ in range(15):
        _client(program, specialist, D(2025, 12, 1))

    found = _found(program, "caseload_per_specialist")

    assert found.value == pytest.approx((15 + 24) / 2)
    assert found.suggested == 4  # the largest, 24, is in 21-25


# --- Item 2: the share of working time on employment services ----------------------------------


def test_item_2_is_not_available_when_the_log_holds_employment_work_only(
    program: Program, specialist: User
) -> None:
    client = _client(program, specialist, D(2025, 12, 1))
    for day in range(5, 31, 2):  # a month of phone calls about the job search
        ContactFactory(
            client=client,
            specialist=specialist,
            contacted_on=D(2026, 1, day),
            minutes=20,
            mode=Contact.Mode.PHONE,
            purpose=Contact.Purpose.JOB_SEARCH,
        )

    _not_available(_found(program, "employment_minutes_share"))


def test_item_2_counts_other_work_and_employer_minutes(program: Program, specialist: User) -> None:
    client = _client(program, specialist, D(2025, 12, 1))
    for day in range(1, 10):
        ContactFactory(
            client=client, specialist=specialist, contacted_on=D(2026, 1, 5 + day), minutes=60
        )
    ContactFactory(
        client=client,
        specialist=specialist,
        contacted_on=D(2026, 2, 2),
        minutes=60,
        purpose=Contact.Purpose.CASE_MANAGEMENT,
    )
    _visit(EmployerFactory(program=program), specialist, D(2026, 2, 3), minutes=30)

    found = _found(program, "employment_minutes_share")

    # (9 * 60 + 30) of (10 * 60 + 30) minutes = 570 / 630 = 90.5 %: 90-95 % gives a 4.
    assert found.value == pytest.approx(570 / 630)
    assert found.suggested == 4


# --- Item 24: time in the community -------------------------------------------------------------


def test_item_24_phone_calls_are_not_community_time_and_employer_visits_are(
    program: Program, specialist: User
) -> None:
    client = _client(program, specialist, D(2025, 12, 1))
    for day in range(10):  # phone calls from the office, logged with the old default place
        ContactFactory(
            client=client,
            specialist=specialist,
            contacted_on=D(2026, 1, 5 + day),
            minutes=30,
            mode=Contact.Mode.PHONE,
            place=Contact.Place.COMMUNITY,
        )
    employer = EmployerFactory(program=program)
    _visit(employer, specialist, D(2026, 2, 2), minutes=90)
    _visit(employer, specialist, D(2026, 2, 9), minutes=90)

    found = _found(program, "community_minutes_share")

    # In the community: the two visits, 180 of 300 + 180 = 480 minutes: 37.5 %, 30-39 % is a 2.
    assert found.value == pytest.approx(180 / 480)
    assert found.suggested == 2


def test_item_24_is_not_available_while_employer_visits_lack_minutes(
    program: Program, specialist: User
) -> None:
    client = _client(program, specialist, D(2025, 12, 1))
    ContactFactory(client=client, specialist=specialist, contacted_on=D(2026, 1, 5), minutes=60)
    employer = EmployerFactory(program=program)
    _visit(employer, specialist, D(2026, 2, 2), minutes=60)
    _visit(employer, specialist, D(2026, 2, 9))  # no minutes: 1 of 2 visits unknown

    _not_available(_found(program, "community_minutes_share"))


# --- Item 15: rapid job search ------------------------------------------------------------------


def test_item_15_counts_clients_not_yet_contacted_with_their_days_so_far(
    program: Program, specialist: User
) -> None:
    clients = [_client(program, specialist, D(2026, 1, 1)) for _ in range(10)]
    employer = EmployerFactory(program=program)
    _visit(employer, specialist, D(2026, 1, 6), clients=clients[:2])  # day 5 for two of them

    found = _found(program, "days_to_employer_contact")

    # Eight never contacted count 89 days each (Jan 1 to Mar 31): (8 * 89 + 2 * 5) / 10 = 72.2,
    # 61-150 days is a 3 (leaving them out read 5.0 days and a 5).
    assert found.value == pytest.approx(72.2)
    assert found.suggested == 3
    assert "20.0 % contacted within 30 days" in found.display


def test_item_15_counts_a_contact_the_client_made_on_their_own(
    program: Program, specialist: User
) -> None:
    first, second = (_client(program, specialist, D(2026, 1, 1)) for _ in range(2))
    employer = EmployerFactory(program=program)
    _visit(employer, specialist, D(2026, 1, 4), clients=[first], by_client=True)  # day 3
    _visit(employer, specialist, D(2026, 1, 11), clients=[second])  # day 10

    found = _found(program, "days_to_employer_contact")

    assert found.value == pytest.approx(6.5)
    assert found.suggested == 5


# --- Item 17: frequent employer contact ---------------------------------------------------------


def test_item_17_counts_job_development_with_hiring_managers_by_specialists_in_post(
    program: Program, specialist: User, other_specialist: User
) -> None:
    StaffRoleFactory(role=Role.SPECIALIST, program=program)  # joined later: no work logged
    employer = EmployerFactory(program=program)
    seeker = _client(program, specialist, D(2025, 12, 1))
    for day in range(24):
        on = D(2026, 2, 1) + dt.timedelta(days=day)
        _visit(employer, specialist, on)
        _visit(employer, other_specialist, on)
    for day in range(8):
        on = D(2026, 2, 2) + dt.timedelta(days=day)
        _visit(employer, specialist, on, purpose=PURPOSE.SUPPORT_WORKER)  # someone working
        _visit(employer, specialist, on, hiring=False)  # nobody who hires
    for day in range(4):
        on = D(2026, 2, 3) + dt.timedelta(days=day)
        _visit(employer, specialist, on, by_client=True, clients=[seeker])  # the client alone

    # Four weeks (Feb 1-28): 48 counted contacts / 2 specialists in post / 4 weeks = 6.0 a week,
    # a 5 (counting all 68 over the 3 holding the role read 5.7 and a 4).
    found = _found(program, "employer_contacts_per_week", D(2026, 2, 1), D(2026, 2, 28))

    assert found.value == pytest.approx(6.0)
    assert found.suggested == 5


# --- Items 19 and 20: diversity of jobs ---------------------------------------------------------


def test_items_19_and_20_read_job_titles_and_employers_of_many_jobs(
    program: Program, specialist: User
) -> None:
    clients = [_client(program, specialist, D(2025, 12, 1)) for _ in range(10)]
    employers = [EmployerFactory(program=program) for _ in range(20)]
    types = list(JobType)
    for n in range(40):
        JobFactory(
            client=clients[n % 10],
            employer=employers[n % 20],
            title=f"Title {n}",
            job_type=types[n % len(types)],
            started_on=D(2026, 1, 5) + dt.timedelta(days=n),
        )

    titles = _found(program, "job_type_diversity")
    employers_found = _found(program, "employer_diversity")

    # 40 different titles of 40 jobs (14 types could reach 35 % at most): 100 %, a 5.
    assert (titles.value, titles.suggested) == (pytest.approx(1.0), 5)
    # 20 employers for 40 jobs: 50 %, a 2.
    assert (employers_found.value, employers_found.suggested) == (pytest.approx(0.5), 2)


def test_item_19_reads_the_same_title_written_differently_as_one_type(
    program: Program, specialist: User
) -> None:
    client = _client(program, specialist, D(2025, 12, 1))
    for title in ("Dishwasher", " dishwasher", "Cook", "Cashier", "Stock clerk"):
        JobFactory(client=client, title=title, started_on=D(2026, 1, 10))

    found = _found(program, "job_type_diversity")

    assert found.value == pytest.approx(4 / 5)
    assert found.suggested == 4  # 70-84 %


def test_items_19_and_20_are_not_available_below_five_jobs(
    program: Program, specialist: User
) -> None:
    JobFactory(client=_client(program, specialist, D(2025, 12, 1)), started_on=D(2026, 1, 10))

    _not_available(_found(program, "job_type_diversity"))
    _not_available(_found(program, "employer_diversity"))


# --- Item 23: time-unlimited follow-along -------------------------------------------------------


def test_item_23_reads_supports_of_each_job_held_four_months(
    program: Program, specialist: User
) -> None:
    x, y, z = (_client(program, specialist, D(2025, 9, 1)) for _ in range(3))
    ended_early = JobFactory(
        client=x, started_on=D(2025, 11, 1), ended_on=D(2026, 1, 20), end_reason="quit"
    )
    later_x = JobFactory(client=x, started_on=D(2026, 1, 25))
    SupportFactory(client=x, job=later_x, specialist=specialist, provided_on=D(2026, 3, 25))
    y_first = JobFactory(client=y, started_on=D(2025, 10, 1))
    y_second = JobFactory(client=y, started_on=D(2026, 3, 1))
    SupportFactory(client=y, job=y_second, specialist=specialist, provided_on=D(2026, 3, 10))
    z_job = JobFactory(client=z, started_on=D(2025, 10, 1))
    SupportFactory(client=z, job=z_job, specialist=specialist, provided_on=D(2026, 1, 9))

    found = _found(program, "follow_along_duration")

    # Held four months or more by Mar 31 (started by Dec 1, not ended within 120 days): y's
    # first job and z's. y's only support was for her second job; z's last came on day 100.
    # 0 of 2 seen at four months; z was seen after the first month: a 2. (By client, with the
    # job that ended early, it read 2 of 3 and a 3.)
    assert ended_early.ended_on == D(2026, 1, 20)
    assert y_first.started_on == D(2025, 10, 1)
    assert found.value == pytest.approx(0.0)
    assert found.suggested == 2
    assert found.detail.startswith("0 of 2 jobs held four months or more")


# --- Item 12: benefits planning before the job -------------------------------------------------


def test_item_12_counts_planning_offered_before_the_job_started(
    program: Program, specialist: User
) -> None:
    a, b, c = (_client(program, specialist, D(2025, 12, 1)) for _ in range(3))
    BenefitsReferralFactory(client=a, referred_on=D(2026, 1, 10))
    BenefitsReferralFactory(client=b, referred_on=D(2026, 3, 1))  # after the start
    JobFactory(client=a, started_on=D(2026, 2, 1))
    JobFactory(client=b, started_on=D(2026, 2, 10))
    JobFactory(client=c, started_on=D(2026, 3, 1))

    found = _found(program, "benefits_planning_offered")

    assert found.value == pytest.approx(1 / 3)
    assert found.suggested is None  # below 90 %, the anchors turn on what specialists do
    assert found.detail.startswith("1 of 3 job starts")


def test_item_12_suggests_a_4_when_every_job_start_had_planning_first(
    program: Program, specialist: User
) -> None:
    for start in (D(2026, 2, 1), D(2026, 2, 10), D(2026, 3, 1)):
        client = _client(program, specialist, D(2025, 12, 1))
        BenefitsReferralFactory(client=client, referred_on=D(2026, 1, 10))
        JobFactory(client=client, started_on=start)

    found = _found(program, "benefits_planning_offered")

    assert found.value == pytest.approx(1.0)
    assert found.suggested == 4  # a 5 needs planning at later changes too: interview


# --- Item 4: the caseload from the specialist's own teams ---------------------------------------


def test_item_4_reads_each_clients_treatment_team(
    program: Program, specialist: User, other_specialist: User
) -> None:
    north = TreatmentTeamFactory(program=program, specialists=[specialist, other_specialist])
    south = TreatmentTeamFactory(program=program, specialists=[other_specialist])
    c1, c2 = (_client(program, specialist, D(2025, 12, 1)) for _ in range(2))
    c3, c4 = (_client(program, other_specialist, D(2025, 12, 1)) for _ in range(2))
    north.clients.add(c1, c4)
    south.clients.add(c2, c3)

    found = _found(program, "caseload_from_own_teams")

    # Sam (North): c1 of c1, c2 = 50 %; Tara (North, South): both = 100 %. The lowest, 50 %: a 3.
    assert found.value == pytest.approx(3 / 4)
    assert found.suggested == 3


def test_item_4_is_not_available_when_clients_have_no_team_recorded(
    program: Program, specialist: User
) -> None:
    north = TreatmentTeamFactory(program=program, specialists=[specialist])
    clients = [_client(program, specialist, D(2025, 12, 1)) for _ in range(4)]
    north.clients.add(clients[0])

    _not_available(_found(program, "caseload_from_own_teams"))


# --- Items 7 and 8: the unit and its supervisor -------------------------------------------------


def _weekly_sessions(program: Program, supervisor: User, present: list[User]) -> None:
    for week in range(13):
        session(
            supervisor=supervisor,
            program=program,
            held_on=D(2026, 1, 5) + dt.timedelta(weeks=week),
            present=present,
            items=[(who, "Two new employers") for who in present],
        )


def test_item_7_a_group_of_one_is_not_group_supervision(
    program: Program, specialist: User, other_specialist: User, supervisor: User
) -> None:
    _weekly_sessions(program, supervisor, [specialist])

    found = _found(program, "group_supervision_per_week")

    # Thirteen weekly sessions, each with Sam alone: no group met, a 2 (it read weekly, a 5).
    assert found.value == pytest.approx(0.0)
    assert found.suggested == 2


def test_item_7_weekly_sessions_of_the_unit_suggest_a_5(
    program: Program, specialist: User, other_specialist: User, supervisor: User
) -> None:
    _weekly_sessions(program, supervisor, [specialist, other_specialist])

    found = _found(program, "group_supervision_per_week")

    assert found.value == pytest.approx(13 / (90 / 7))
    assert found.suggested == 5


def test_item_8_counts_the_supervisors_quarterly_visit_to_each_team(
    program: Program, specialist: User, other_specialist: User, supervisor: User
) -> None:
    north = TreatmentTeamFactory(program=program, name="North", specialists=[specialist])
    south = TreatmentTeamFactory(program=program, name="South", specialists=[other_specialist])
    meeting(team=north, recorded_by=specialist, held_on=D(2026, 2, 3), attendees=[supervisor])
    meeting(team=south, recorded_by=other_specialist, held_on=D(2026, 2, 4), attendees=[])
    _weekly_sessions(program, supervisor, [specialist, other_specialist])

    found = _found(program, "supervision_goals_share")

    # Roles the records show: (1) 2 specialists per supervisor, met; (2) weekly group
    # supervision, met; (3) each team's meeting attended this quarter: South not, unmet; (5)
    # goals with each specialist this quarter, met. 3 of 4; field mentoring is for interview.
    assert found.value == 3
    assert found.suggested is None
    assert "teams without a supervisor's visit: South)" in found.detail


# --- Item 22: individualised follow-along -------------------------------------------------------


def _four_jobs(program: Program, specialist: User) -> list[Any]:
    clients = [_client(program, specialist, D(2025, 10, 1)) for _ in range(4)]
    return [JobFactory(client=client, started_on=D(2025, 11, 1)) for client in clients]


def test_item_22_supports_mostly_from_the_specialist_are_a_narrow_range(
    program: Program, specialist: User
) -> None:
    jobs = _four_jobs(program, specialist)
    for job in jobs[:3]:
        SupportFactory(client=job.client, job=job, specialist=specialist, provided_on=D(2026, 1, 8))

    found = _found(program, "follow_along_reach")

    assert found.value == pytest.approx(3 / 4)
    assert found.suggested == 3  # most supported, all by the specialist


def test_item_22_supports_from_many_people_with_career_help_suggest_a_5(
    program: Program, specialist: User
) -> None:
    jobs = _four_jobs(program, specialist)
    given = [
        (jobs[0], Support.Provider.SPECIALIST, Support.Kind.ON_THE_JOB),
        (jobs[1], Support.Provider.FAMILY, Support.Kind.WITH_FAMILY),
        (jobs[2], Support.Provider.TREATMENT_TEAM, Support.Kind.OFF_THE_JOB),
        (jobs[3], Support.Provider.NATURAL, Support.Kind.ON_THE_JOB),
        (jobs[0], Support.Provider.SPECIALIST, Support.Kind.CAREER),
    ]
    for job, provider, kind in given:
        SupportFactory(
            client=job.client,
            job=job,
            specialist=specialist,
            provided_on=D(2026, 1, 8),
            provider=provider,
            kind=kind,
        )

    found = _found(program, "follow_along_reach")

    assert found.value == pytest.approx(1.0)
    assert found.suggested == 5


# --- Items 3, 10, 11, 14, 18, 25: new indicators ------------------------------------------------


def test_item_3_counts_the_phases_each_specialist_carries_out(
    program: Program, specialist: User, other_specialist: User
) -> None:
    employer = EmployerFactory(program=program)
    newcomers = {}
    for who in (specialist, other_specialist):
        new = newcomers[who.pk] = _client(program, who, D(2026, 1, 5))
        working = _client(program, who, D(2025, 9, 1))
        job = JobFactory(client=working, employer=employer, started_on=D(2025, 12, 1))
        for purpose, on in (
            (Contact.Purpose.ENGAGEMENT, D(2026, 1, 6)),
            (Contact.Purpose.CAREER_PROFILE, D(2026, 1, 13)),
        ):
            ContactFactory(client=new, specialist=who, contacted_on=on, purpose=purpose)
        provider = Support.Provider.SPECIALIST if who == specialist else Support.Provider.VR
        for kind in (Support.Kind.ON_THE_JOB, Support.Kind.OFF_THE_JOB):
            SupportFactory(
                client=working,
                job=job,
                specialist=who,
                provided_on=D(2026, 2, 2),
                kind=kind,
                provider=provider,
            )
    _visit(employer, specialist, D(2026, 1, 20), clients=[newcomers[specialist.pk]])

    found = _found(program, "phases_per_specialist")

    # Sam: intake, engagement, profile, job development, coaching, follow-along = 6. Tara: the
    # first three; a VR counselor coaches and follows along, and she met no employer = 3.
    assert found.value == 3
    assert found.suggested == 3  # one to four phases


def test_item_10_reads_whether_the_rate_was_reported_each_quarter(
    program: Program, specialist: User
) -> None:
    _client(program, specialist, D(2025, 12, 1))
    OutcomeReport.objects.create(
        agency=program.agency,
        program=program,
        period="2025-Q4",
        kind=OutcomeReport.Kind.QUARTER,
        status="done",
        requested_at=timezone.now(),
    )

    found = _found(program, "rate_reported_quarterly", D(2025, 10, 1), D(2026, 3, 31))

    # Quarters ending in the window: 2025-Q4 (reported) and 2026-Q1 (not): 1 of 2.
    assert found.value == pytest.approx(0.5)
    assert found.suggested is None  # one element of five
    assert "not met" in found.detail


def test_item_11_reads_the_fidelity_reviews_as_quality_assurance(
    program: Program, reviewer: User
) -> None:
    done = quick_final_review(
        program=program, reviewer_a=reviewer, reviewer_b=outside_reviewer(program), score=3
    )
    Review.objects.filter(pk=done.pk).update(window_start=D(2025, 4, 1), window_end=D(2025, 6, 30))

    found = _found(program, "fidelity_reviews_as_qa")

    # The last review (total 75, below high fidelity) ended 2025-06-30, 274 days before the
    # window's end: over six months, so element 2 is not met.
    assert found.value == 274
    assert found.suggested is None
    assert "not met" in found.display


def test_item_14_reads_documented_profiles_updated_after_each_job(
    program: Program, specialist: User
) -> None:
    clients = [_client(program, specialist, D(2025, 10, 1)) for _ in range(4)]
    CareerProfile.objects.filter(client__in=clients).update(
        work_goal="Work with animals", strengths="Patient", work_history="Kennel, 2019"
    )
    for client in clients:
        JobFactory(client=client, started_on=D(2026, 2, 1))
    # Two profiles last saved before their client's job started.
    before = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)
    CareerProfile.objects.filter(client__in=clients[:2]).update(updated_at=before)

    found = _found(program, "profile_documented_and_updated")

    # Written: 4 of 4. Updated after the job: 2 of 4. A 4 (the 5 needs both).
    assert found.value == pytest.approx(1.0)
    assert "2 of 4 job starts and endings followed by an update" in found.display
    assert found.suggested == 4


def test_item_18_reads_repeat_relationship_visits(program: Program, specialist: User) -> None:
    e1, e2, e3, e4 = (EmployerFactory(program=program) for _ in range(4))
    visits = [
        (e1, PURPOSE.INTRODUCE),
        (e1, PURPOSE.LEARN_NEEDS),
        (e1, PURPOSE.PRESENT_JOB_SEEKER),
        (e1, PURPOSE.FOLLOW_UP),
        (e2, PURPOSE.LEARN_NEEDS),
        (e2, PURPOSE.LEARN_NEEDS),
        (e2, PURPOSE.PRESENT_JOB_SEEKER),
        (e2, PURPOSE.PRESENT_JOB_SEEKER),
        (e3, PURPOSE.PRESENT_JOB_SEEKER),
        (e3, PURPOSE.FOLLOW_UP),
        (e3, PURPOSE.LEARN_NEEDS),
        (e4, PURPOSE.ARRANGE_INTERVIEW),
    ]
    for n, (employer, purpose) in enumerate(visits):
        _visit(employer, specialist, D(2026, 1, 5) + dt.timedelta(days=n), purpose=purpose)

    found = _found(program, "employer_relationships")

    # Visited twice or more: 3 of 4 employers; a visit to learn the business at 3 of 4: a 5.
    assert found.value == pytest.approx(0.75)
    assert found.suggested == 5


def test_item_18_is_not_available_below_ten_visits(program: Program, specialist: User) -> None:
    _visit(EmployerFactory(program=program), specialist, D(2026, 1, 5))

    _not_available(_found(program, "employer_relationships"))


def test_item_25_reads_outreach_before_closing_for_no_contact(
    program: Program, specialist: User
) -> None:
    gone = _client(
        program,
        specialist,
        D(2025, 10, 1),
        closed_on=D(2026, 3, 1),
        closure_reason=ClosureReason.NO_CONTACT,
    )
    ContactFactory(
        client=gone,
        specialist=specialist,
        contacted_on=D(2026, 2, 10),
        purpose=Contact.Purpose.OUTREACH,
        place=Contact.Place.HOME,
    )
    stays = _client(program, specialist, D(2025, 10, 1))
    ContactFactory(
        client=stays,
        specialist=specialist,
        contacted_on=D(2026, 2, 12),
        with_whom=Contact.WithWhom.FAMILY,
        mode=Contact.Mode.PHONE,
        place=Contact.Place.REMOTE,
    )

    found = _found(program, "outreach_documented")

    # (a) the one closure for no contact had a single outreach attempt, not two: unmet; (b)
    # outreach logged: met; (d) home or community visits: one of two contacts (50 %), met;
    # (f) family contacted: met. 3 of the 4 the records show.
    assert found.value == 3
    assert found.suggested is None
