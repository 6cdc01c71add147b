"""Each evidence indicator against a hand-computed case, and an empty window.

The world (window 2026-01-01 to 2026-03-31: 90 days, 90/7 weeks; minimum wage 15.00):
- c1 (Sam): referred 2025-12-20, enrolled 2026-01-05; c2 (Sam): referred 2026-01-10, enrolled
  2026-01-20; c3 (Tara): referred 2026-02-01, never enrolled; c4 (Tara): closed 2025-12-31;
  c5 (Tara): enrolled 2025-11-03, open. Caseload served: Sam 2 (c1, c2), Tara 1 (c5).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clients.models import ClosureReason, Contact, JobType, Support
from employers.models import EmployerContact
from fidelity import evidence
from fidelity.models import Review
from ips.models import Program, User
from tests.clients.factories import (
    BenefitsReferralFactory,
    ClientFactory,
    ContactFactory,
    EmployerFactory,
    JobFactory,
    SupportFactory,
)
from tests.employers.factories import EmployerContactFactory
from tests.factories import MinimumWageFactory
from tests.helpers import names_shown

pytestmark = pytest.mark.django_db

D = dt.date


FIRST, LAST = D(2026, 1, 1), D(2026, 3, 31)


def _review(program: Program, first: dt.date = FIRST, last: dt.date = LAST) -> Review:
    return Review(program=program, window_start=first, window_end=last)


@pytest.fixture
def world(program: Program, specialist: User, other_specialist: User) -> dict:
    MinimumWageFactory(program=program, effective_on=D(2025, 1, 1), hourly=Decimal("15.00"))

    made = iter(range(1, 6))

    def client(who: User, referred: dt.date, enrolled: dt.date | None, **kw):
        # Names no page text contains (a random "Day" or "Job" would be found in any table).
        number = next(made)
        return ClientFactory(
            program=program,
            specialist=who,
            referred_on=referred,
            enrolled_on=enrolled,
            first_name=f"Quorra{number}",
            last_name=f"Zyxwell{number}",
            **kw,
        )

    c1 = client(specialist, D(2025, 12, 20), D(2026, 1, 5))
    c2 = client(specialist, D(2026, 1, 10), D(2026, 1, 20))
    c3 = client(other_specialist, D(2026, 2, 1), None)
    c4 = client(
        other_specialist,
        D(2025, 6, 1),
        D(2025, 6, 10),
        closed_on=D(2025, 12, 31),
        closure_reason=ClosureReason.MOVED,
    )
    c5 = client(other_specialist, D(2025, 11, 1), D(2025, 11, 3))
    # Contact minutes in the window: 60 at the office, 30 + 10 in the community; 100 before it.
    office, community, home = Contact.Place.OFFICE, Contact.Place.COMMUNITY, Contact.Place.HOME
    for who, on, minutes, place, purpose in [
        (c1, D(2026, 1, 8), 60, office, Contact.Purpose.JOB_SEARCH),
        (c1, D(2026, 1, 9), 30, community, Contact.Purpose.ENGAGEMENT),
        (c5, D(2026, 3, 31), 10, home, Contact.Purpose.BENEFITS),
        (c1, D(2025, 12, 30), 100, community, Contact.Purpose.ENGAGEMENT),
    ]:
        ContactFactory(
            client=who,
            specialist=specialist,
            contacted_on=on,
            minutes=minutes,
            place=place,
            purpose=purpose,
        )
    BenefitsReferralFactory(client=c1, referred_on=D(2026, 2, 1))
    BenefitsReferralFactory(client=c2, referred_on=D(2026, 4, 5))  # after the window
    e1 = EmployerFactory(program=program, name="Harbour Bakery")
    e2 = EmployerFactory(program=program, name="Corner Shop")

    def employer_contact(on: dt.date, *, who: User, clients=(), face_to_face=True, hiring=False):
        return EmployerContactFactory(
            employer=e1,
            specialist=who,
            contacted_on=on,
            face_to_face=face_to_face,
            with_hiring_manager=hiring,
            purpose=EmployerContact.Purpose.PRESENT_JOB_SEEKER,
            clients=list(clients),
        )

    employer_contact(D(2026, 1, 7), who=specialist, clients=[c1], face_to_face=False)
    employer_contact(D(2026, 1, 15), who=specialist, clients=[c1], hiring=True)
    employer_contact(D(2026, 4, 10), who=specialist, clients=[c2])
    employer_contact(D(2026, 2, 2), who=other_specialist)
    employer_contact(D(2026, 2, 3), who=other_specialist)
    employer_contact(D(2026, 2, 4), who=other_specialist, hiring=True)
    job_a = JobFactory(
        client=c1, employer=e1, job_type=JobType.FOOD_SERVICE, started_on=D(2026, 2, 1)
    )
    JobFactory(
        client=c2,
        employer=e2,
        job_type=JobType.FOOD_SERVICE,
        started_on=D(2026, 2, 15),
        hourly_wage=Decimal("10.00"),
    )
    job_c = JobFactory(
        client=c5,
        employer=e1,
        job_type=JobType.RETAIL,
        started_on=D(2025, 12, 1),
        ended_on=D(2026, 1, 10),
        end_reason="quit",
    )
    SupportFactory(client=c1, job=job_a, specialist=specialist, provided_on=D(2026, 2, 3))
    SupportFactory(
        client=c1,
        job=job_a,
        specialist=specialist,
        provided_on=D(2026, 3, 20),
        kind=Support.Kind.WITH_EMPLOYER,
    )
    SupportFactory(client=c5, job=job_c, specialist=other_specialist, provided_on=D(2025, 12, 5))
    return {"clients": [c1, c2, c3, c4, c5]}


def _found(program: Program, key: str, **window) -> evidence.Indicator:
    indicators = {i.key: i for i in evidence.review_evidence(review=_review(program, **window))}
    return indicators[key]


def test_caseload_per_specialist(world: dict, program: Program) -> None:
    found = _found(program, "caseload_per_specialist")

    # Held each day on average: Sam c1 from Jan 5 (86 days) and c2 from Jan 20 (71), 157 / 90;
    # Tara c5 all 90 days, 1. Everyone full time.
    assert found.value == pytest.approx((157 / 90 + 1) / 2)
    assert found.suggested == 5  # the largest (1.7) is at most 20
    assert found.display == "1.4 clients per full-time specialist at a time (largest 1.7)"


def test_employment_minutes_share(world: dict, program: Program) -> None:
    found = _found(program, "employment_minutes_share")

    # Every logged purpose is an employment service: the log cannot show other duties.
    assert found.value is None
    assert found.suggested is None
    assert found.display.startswith("Not available: no other work is logged")


def test_community_minutes_share(world: dict, program: Program) -> None:
    found = _found(program, "community_minutes_share")

    # The employer contacts in the window carry no minutes, so the time at employers is unknown.
    assert found.value is None
    assert found.display == "Not available: 5 of 5 employer contacts have no minutes recorded"


def test_referrals_enrolled_and_waiting(world: dict, program: Program) -> None:
    found = _found(program, "referrals_enrolled")

    assert found.value == pytest.approx(0.5)  # c2 enrolled, c3 not
    assert found.display == "50.0 % enrolled; 1 waiting, longest 58 days"  # Feb 1 to Mar 31
    assert found.suggested is None  # the anchors are about policy, not a number


def test_benefits_planning_offered(world: dict, program: Program) -> None:
    found = _found(program, "benefits_planning_offered")

    # Job starts in the window: A (c1, referred on its start day) and B (c2, referred after).
    assert found.value == pytest.approx(1 / 2)
    assert found.detail == "1 of 2 job starts had planning offered before the start"
    assert found.suggested is None


def test_days_to_first_employer_contact(world: dict, program: Program) -> None:
    found = _found(program, "days_to_employer_contact")

    # c1: Jan 5 -> Jan 15 (the phone call on Jan 7 is not face to face) = 10; c2: Jan 20, not
    # contacted by the window's end (Apr 10 is after it), counts its 70 days so far. Mean 40.
    assert found.value == pytest.approx(40.0)
    assert found.suggested == 4  # 31-60 days


def test_employer_contacts_per_specialist_per_week(world: dict, program: Program) -> None:
    found = _found(program, "employer_contacts_per_week")

    # Face to face with someone who hires in the window: Jan 15 (Sam), Feb 4 (Tara); 2
    # specialists in post, 90/7 weeks.
    assert found.value == pytest.approx(2 / 2 / (90 / 7))
    assert found.suggested == 1


def test_job_type_and_employer_diversity(world: dict, program: Program) -> None:
    types = _found(program, "job_type_diversity")
    employers = _found(program, "employer_diversity")

    # Held in the window: three jobs, fewer than the five a share needs.
    for found in (types, employers):
        assert (found.value, found.suggested) == (None, None)
        assert found.display == "Not available: 3 jobs held, fewer than 5"


def test_competitive_share(world: dict, program: Program) -> None:
    found = _found(program, "competitive_share")

    # Held in the window: job A and C competitive, B below the minimum wage.
    assert found.value == pytest.approx(2 / 3)
    assert found.suggested == 1  # fewer than ten jobs
    assert found.detail == "2 of 3 jobs held"


def test_follow_along_reach(world: dict, program: Program) -> None:
    found = _found(program, "follow_along_reach")

    assert found.value == pytest.approx(2 / 3)  # A (2 supports) and C (1); not B
    assert found.display.startswith("66.7 % of jobs supported; 100.0 % given by the specialist")
    assert found.suggested == 3  # most supported, all by the specialist: a narrow range


def test_follow_along_duration(world: dict, program: Program) -> None:
    found = _found(program, "follow_along_duration")

    # Started by Dec 1 (120 days before Mar 31): only C, which ended after 40 days, so no job
    # was held four months.
    assert found.value is None
    assert found.suggested is None


def test_an_empty_window_gives_no_data(world: dict, program: Program) -> None:
    indicators = evidence.review_evidence(
        review=_review(program, first=D(2020, 1, 1), last=D(2020, 1, 31))
    )

    assert len(indicators) == len(evidence.INDICATORS)
    for found in indicators:
        assert found.value is None, found.key
        assert found.suggested is None, found.key
        if found.available:
            assert found.display == "No data in the review window", found.key


def test_other_programs_do_not_count(world: dict, other_program: Program) -> None:
    indicators = evidence.review_evidence(review=_review(other_program))

    # Item 10 reads the other program's own outcome reports: none for the quarter, 0 of 1.
    reported = [found for found in indicators if found.key == "rate_reported_quarterly"]
    assert [found.value for found in reported] == [0.0]
    assert all(found.value is None for found in indicators if found not in reported)


def test_rows_and_chart_sample_name_no_client(world: dict, program: Program) -> None:
    review = _review(program)
    text = repr([evidence.indicator_rows(review=review, key=key) for key in evidence.INDICATORS])
    text += repr(evidence.chart_sample(review=review))

    for client in world["clients"]:
        assert names_shown(text, client) == []
    assert "1990-05-17" not in text
    assert "Client 1" in text


def test_referral_rows_number_clients_and_count_days(world: dict, program: Program) -> None:
    rows = evidence.indicator_rows(review=_review(program), key="referrals_enrolled")

    # c2 (Client 2) enrolled after 10 days; c3 (Client 3) waiting 58 days at the window's end.
    assert rows == [
        {
            "Client": "Client 2",
            "Days from referral to enrollment": 10,
            "Waiting at the window's end (days)": "",
        },
        {
            "Client": "Client 3",
            "Days from referral to enrollment": "",
            "Waiting at the window's end (days)": 58,
        },
    ]


def test_chart_sample_counts_days_from_enrollment(world: dict, program: Program) -> None:
    sample = evidence.chart_sample(review=_review(program))

    first = sample[0]
    assert first["client"] == "Client 1"
    assert (first["first_employer_contact"], first["first_job"]) == (10, 27)  # Jan 15, Feb 1
    assert [row["client"] for row in sample] == ["Client 1", "Client 2", "Client 5"]
