"""A program with a hand-made first quarter of 2025, for the outcome numbers.

Harbor Works' minimum wage is 15.00 (from 2020, again from 2024-01-01) and 16.00 from 2025-02-15
(mid-quarter).
Clients (specialist: `specialist` = S, `other_specialist` = O, none = -):

- A (S): enrolled 2024-10-01. Job 2024-12-01 → 2025-01-10 at 15.50 (quit): spans Q4 → Q1.
- B (S): enrolled 2024-11-01, closed 2025-01-01 (the quarter's first day: on the caseload).
  Working when referred.
- C (-): enrolled 2024-09-01, closed 2024-12-31 (the day before: off). Job 2024-10-01 →
  2024-12-20 at 20.00 (fired), and school from 2024-09-01 (not counted: not on the caseload).
- D (-): enrolled 2025-03-31 (the last day: on). Face-to-face employer contact 2025-04-03.
- E (S): enrolled 2025-01-05. Employer contact 2025-01-12. Jobs: 2025-02-01 at 15.50 (min 15:
  competitive, 20 h); 2025-03-01 at 15.50 (min 16 by then: not competitive), ended 2025-03-20
  (fired); 2025-03-10 at 20.00 set aside (not competitive).
- F (O): enrolled 2024-06-01, working when referred. Earlier competitive job 2024-07-01 →
  2024-08-01 (laid off). Two overlapping jobs in Q1: 2025-01-15 at 17.00 (30 h) and
  2025-03-15 at exactly 16.00 (10 h).
- G (O): enrolled 2024-12-01. Job 2025-01-20 at 14.00: below the minimum wage.
- H (O): enrolled 2024-05-01, closed 2025-01-20, re-enrolled 2025-02-10 (referred 02-01).
  Job 2025-01-25 at 18.00 (25 h), started between the episodes. Employer contact 2025-02-20.
- I (S): archived (entered in error), with a competitive job 2025-02-01.
- J (-): enrolled 2024-10-01; competitive job 2025-02-01 archived (entered in error).
- K (-): enrolled 2024-11-01; school from 2024-09-01, still going.

2025-Q1 by hand:
- caseload: A B D E F G H J K = 9 (C closed before, I archived).
- working: A (job to Jan 10), E, F, H (job held during the second episode) = 4; rate 4/9.
- job starts: E 02-01, F 01-15, F 03-15 = 3 (H's started between episodes; G's, E's 03-01 and
  03-10 are not competitive; J's is archived). First job starts: E = 1 (F had one before).
- in education: K = 1.
- current jobs on 03-31: E 15.50/20 h, F 17.00/30 h, F 16.00/10 h, H 18.00/25 h → 4 jobs,
  hours 85/4 = 21.25, wage 66.50/4 = 16.625 → 16.63.
- job endings in Q1 (competitive jobs ended while enrolled, like starts): A's (quit) = 1; E's
  03-01 job (fired) paid under the minimum, so it neither started nor ended a competitive job.
- out-of-work rate (only clients not working when referred: B and F were): caseload A D E G H J
  K = 7, working A E H = 3 → 3/7.
- new enrollments: D, E, H's second episode = 3. Closures: B (01-01), H (01-20), both moved.
- 90-day retention: jobs whose 90th day falls in Q1 started from 2024-10-03 to 2024-12-31: A's
  (12-01, ended 01-10 after 40 days) = 1 reached, 0 kept. In 2025-Q2 (started 2025-01-01 to
  04-01): E 02-01, F 01-15, F 03-15, all still held = 3 of 3 (H's started between episodes).
- days to first employer contact, never leaving anyone out: D not yet by 03-31 (0 days so far),
  E 7, H 10 → median 7, mean 17/3 = 5.7; 1 not yet contacted, 2 within 30 days. Days to first
  job: D not yet (0 so far), E 27, H not yet (02-10 → 03-31 = 49 so far; his job began before
  the episode) → median 27, mean 76/3 = 25.3; 2 without a first job yet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from clients import services
from clients.models import ClosureReason, EducationEnrollment, JobEndReason, ReferralSource
from ips.models import MinimumWage, Program, User
from tests.clients.factories import ClientFactory, EmployerFactory, JobFactory
from tests.employers.factories import EmployerContactFactory

D = dt.date
MOVED = ClosureReason.MOVED


@pytest.fixture
def program(program: Program) -> Program:
    """Harbor Works, with a minimum wage of 15.00 from 2020 (the quarter below adds its own
    entries from 2024 on)."""
    MinimumWage.objects.create(program=program, effective_on=D(2020, 1, 1), hourly=15)
    return program


@pytest.fixture
def other_program(other_program: Program) -> Program:
    """Bridge Team, with a minimum-wage schedule (15.00) like any program counted: a program
    without one is refused a rate (`test_no_schedule.py`)."""
    MinimumWage.objects.create(program=other_program, effective_on=D(2020, 1, 1), hourly=15)
    return other_program


@pytest.fixture
def outsider_program(outsider_program: Program) -> Program:
    """Summit Employment (another agency), with a schedule."""
    MinimumWage.objects.create(program=outsider_program, effective_on=D(2020, 1, 1), hourly=15)
    return outsider_program


@pytest.fixture
def quarter(
    program: Program, specialist: User, other_specialist: User, db: None
) -> SimpleNamespace:
    """The clients and records described in this module's docstring."""
    MinimumWage.objects.create(program=program, effective_on=D(2024, 1, 1), hourly=Decimal("15"))
    MinimumWage.objects.create(program=program, effective_on=D(2025, 2, 15), hourly=Decimal("16"))
    employer = EmployerFactory(program=program)
    w = SimpleNamespace(program=program, employer=employer)

    def client(name: str, enrolled: dt.date, owner: User | None = None, **kw: object) -> object:
        made = ClientFactory(
            program=program,
            specialist=owner,
            first_name=name,
            referred_on=enrolled - dt.timedelta(days=5),
            enrolled_on=enrolled,
            **kw,
        )
        setattr(w, name.lower(), made)
        return made

    def job(who: object, start: dt.date, wage: str, hours: str = "20", **kw: object) -> object:
        return JobFactory(
            client=who,
            employer=employer,
            started_on=start,
            hourly_wage=Decimal(wage),
            hours_per_week=Decimal(hours),
            **kw,
        )

    def contact(who: object, on: dt.date) -> None:
        EmployerContactFactory(employer=employer, contacted_on=on, clients=[who])

    a = client("A", D(2024, 10, 1), specialist)
    job(a, D(2024, 12, 1), "15.50", ended_on=D(2025, 1, 10), end_reason=JobEndReason.QUIT)
    client(
        "B",
        D(2024, 11, 1),
        specialist,
        closed_on=D(2025, 1, 1),
        closure_reason=MOVED,
        employed_at_referral=True,
    )
    c = client("C", D(2024, 9, 1), closed_on=D(2024, 12, 31), closure_reason=MOVED)
    job(c, D(2024, 10, 1), "20.00", ended_on=D(2024, 12, 20), end_reason=JobEndReason.FIRED)
    EducationEnrollment.objects.create(
        client=c, institution="City College", started_on=D(2024, 9, 1)
    )
    d = client("D", D(2025, 3, 31))
    contact(d, D(2025, 4, 3))
    e = client("E", D(2025, 1, 5), specialist)
    contact(e, D(2025, 1, 12))
    job(e, D(2025, 2, 1), "15.50")
    job(e, D(2025, 3, 1), "15.50", ended_on=D(2025, 3, 20), end_reason=JobEndReason.FIRED)
    job(e, D(2025, 3, 10), "20.00", set_aside=True)
    f = client("F", D(2024, 6, 1), other_specialist, employed_at_referral=True)
    job(f, D(2024, 7, 1), "15.00", ended_on=D(2024, 8, 1), end_reason=JobEndReason.LAID_OFF)
    job(f, D(2025, 1, 15), "17.00", "30")
    job(f, D(2025, 3, 15), "16.00", "10")
    g = client("G", D(2024, 12, 1), other_specialist)
    job(g, D(2025, 1, 20), "14.00")
    h = client("H", D(2024, 5, 1), other_specialist, closed_on=D(2025, 1, 20), closure_reason=MOVED)
    w.h = services.client_reenroll(
        client=h,
        version=h.version,
        referred_on=D(2025, 2, 1),
        referral_source=ReferralSource.SELF,
        enrolled_on=D(2025, 2, 10),
    )
    job(w.h, D(2025, 1, 25), "18.00", "25")
    contact(w.h, D(2025, 2, 20))
    i = client("I", D(2024, 10, 1), specialist, archive_reason="Entered twice by mistake.")
    job(i, D(2025, 2, 1), "18.00")
    j = client("J", D(2024, 10, 1))
    job(j, D(2025, 2, 1), "18.00", archived=True)
    k = client("K", D(2024, 11, 1))
    EducationEnrollment.objects.create(
        client=k, institution="City College", started_on=D(2024, 9, 1)
    )
    return w
