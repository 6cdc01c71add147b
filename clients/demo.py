"""Demo caseloads for `seed_demo`: a year of synthetic clients, contacts, jobs, supports, referrals.

Every person is invented. The random generator is seeded, so the same day gives the same data;
dates are relative to the day of seeding so the demo always looks current. A specialist who
already has clients is left alone, so running the seed again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.db import transaction

from clients.models import (
    BenefitsReferral,
    CareerProfile,
    Client,
    ClosureReason,
    Contact,
    Episode,
    Job,
    JobEndReason,
    JobType,
    PlanGoal,
    PlanStep,
    ReferralSource,
    SetAsideKind,
    Support,
)
from employers.models import Employer
from ips.models import Program, Role, StaffRole

FIRST_NAMES = [
    "Avery",
    "Blake",
    "Carmen",
    "Dario",
    "Elena",
    "Farah",
    "Gideon",
    "Hana",
    "Ivo",
    "Jada",
    "Kofi",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
    "Paula",
    "Quinn",
    "Rosa",
    "Silas",
    "Tamsin",
    "Umar",
    "Vera",
    "Wes",
    "Ximena",
    "Yusuf",
    "Zora",
    "Ansel",
    "Bea",
    "Cyrus",
    "Delia",
]
LAST_NAMES = [
    "Abbott",
    "Brennan",
    "Cordova",
    "Dunmore",
    "Ellery",
    "Faulk",
    "Garrity",
    "Holloway",
    "Ingram",
    "Jessup",
    "Kinsella",
    "Lockhart",
    "Marlow",
    "Nyberg",
    "Ostrander",
    "Pruitt",
    "Quimby",
    "Ravel",
    "Stroud",
    "Thackeray",
    "Underhill",
    "Vance",
    "Winslow",
    "Yardley",
]
EMPLOYERS = [
    ("Harborview Grocers", "Retail", JobType.RETAIL),
    ("Bluebird Café", "Food service", JobType.FOOD_SERVICE),
    ("Northline Logistics", "Warehousing", JobType.WAREHOUSE),
    ("Cedar Street Laundry", "Cleaning", JobType.CLEANING),
    ("Riverbend Animal Clinic", "Veterinary", JobType.HEALTHCARE),
    ("Summit Hardware", "Retail", JobType.RETAIL),
    ("Greenway Landscaping", "Landscaping", JobType.LANDSCAPING),
    ("Maple Court Care Home", "Care", JobType.CARE),
    ("Copperline Print Shop", "Printing", JobType.MANUFACTURING),
    ("Lakeside Community College", "Education", JobType.OFFICE),
    ("Quickstep Couriers", "Delivery", JobType.DRIVING),
    ("Orchard Bakery", "Food service", JobType.FOOD_SERVICE),
]
TITLES = {
    JobType.RETAIL: ["Stock associate", "Cashier"],
    JobType.FOOD_SERVICE: ["Line cook", "Barista", "Dishwasher"],
    JobType.WAREHOUSE: ["Picker", "Loader"],
    JobType.CLEANING: ["Laundry attendant", "Custodian"],
    JobType.HEALTHCARE: ["Kennel assistant"],
    JobType.LANDSCAPING: ["Grounds crew member"],
    JobType.CARE: ["Care aide"],
    JobType.MANUFACTURING: ["Press assistant"],
    JobType.OFFICE: ["Library assistant", "Office clerk"],
    JobType.DRIVING: ["Bike courier"],
}
NOTES = [
    "Talked through job leads that match the client's preferences.",
    "Practised answers for an interview next week.",
    "Checked in after the first shifts; going well.",
    "Reviewed the career profile together.",
    "Met at the library to update the résumé.",
    "Discussed how earnings affect benefits.",
]


# Now and then a specialist logs work that is not an employment service (a crisis, a lift to an
# appointment): the log then shows what share of their time goes to employment (item 2).
OTHER_WORK = [
    Contact.Purpose.CASE_MANAGEMENT,
    Contact.Purpose.CRISIS,
    Contact.Purpose.TRANSPORT,
    Contact.Purpose.OTHER_DUTIES,
]


def _contact_purpose(rng: random.Random, working: bool) -> str:
    if rng.random() < 0.04:
        return rng.choice(OTHER_WORK)
    if working:
        return rng.choice([Contact.Purpose.JOB_SUPPORT] * 3 + [Contact.Purpose.BENEFITS])
    return rng.choice(
        [
            Contact.Purpose.JOB_SEARCH,
            Contact.Purpose.JOB_SEARCH,
            Contact.Purpose.ENGAGEMENT,
            Contact.Purpose.CAREER_PROFILE,
            Contact.Purpose.BENEFITS,
            Contact.Purpose.EDUCATION,
        ]
    )


def _employers(program: Program) -> list[Employer]:
    found = list(Employer.objects.filter(program=program))
    if found:
        return found
    employers = [
        Employer(
            program=program, name=name, industry=industry, address=f"{100 + i * 7} Main Street"
        )
        for i, (name, industry, _) in enumerate(EMPLOYERS)
    ]
    for employer in employers:
        employer.save()
    return employers


def _job_type_of(employer: Employer) -> str:
    return next((kind for name, _, kind in EMPLOYERS if name == employer.name), JobType.OTHER)


# Kinds of set-aside work the demo names (one draw picks the kind as well as whether).
_SET_ASIDE_KINDS = list(SetAsideKind.values)
TIPPED_CASH_WAGE = Decimal("2.13")


def _pay_and_kind(roll: float, employer: Employer, job_type: str, wage: Decimal) -> dict:
    """How a demo job is paid and whether it is set aside or self-employment, from one draw:
    8 % set aside (of a named kind), 4 % self-employment, and food-service jobs drawn under 20 %
    paid a $2.13 tipped cash wage with tips making up the rest."""
    fields: dict = {"employer": employer, "hourly_wage": wage}
    if roll < 0.08:
        kind = _SET_ASIDE_KINDS[int(roll * 1000) % len(_SET_ASIDE_KINDS)]
        fields.update(set_aside=True, set_aside_kind=kind)
    elif roll < 0.12:
        fields.update(employer=None, self_employed=True)
    elif roll < 0.2 and job_type == JobType.FOOD_SERVICE:
        fields.update(hourly_wage=TIPPED_CASH_WAGE, tips_per_hour=wage - TIPPED_CASH_WAGE + 1)
    return fields


class _Caseload:
    """Builds one specialist's caseload, row objects first, then a few bulk inserts."""

    def __init__(
        self,
        rng: random.Random,
        program: Program,
        specialist_id: int,
        employers: list[Employer],
        today: dt.date,
    ) -> None:
        self.rng, self.program, self.specialist_id = rng, program, specialist_id
        self.employers, self.today = employers, today
        self.contacts: list[Contact] = []
        self.supports: list[Support] = []

    def client(self, index: int) -> None:
        rng, today = self.rng, self.today
        referred = today - dt.timedelta(days=rng.randint(20, 400))
        enrolled = referred + dt.timedelta(days=rng.randint(0, 10))
        closed = None
        if rng.random() < 0.15 and (today - enrolled).days > 120:
            closed = enrolled + dt.timedelta(days=rng.randint(90, (today - enrolled).days))
        client = Client.objects.create(
            program=self.program,
            specialist_id=self.specialist_id,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            birth_date=dt.date(rng.randint(1962, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            phone=f"555-01{index:02d}",
        )
        episode = Episode.objects.create(
            client=client,
            referred_on=referred,
            enrolled_on=enrolled,
            referral_source=rng.choice(ReferralSource.values),
            employed_at_referral=rng.random() < 0.1,
            closed_on=closed,
            closure_reason=rng.choice(ClosureReason.values) if closed else "",
        )
        client.current_episode = episode
        client.save(update_fields=["current_episode"])
        CareerProfile.objects.create(
            client=client,
            work_goal=rng.choice(
                [
                    "Work with animals",
                    "Cook in a restaurant",
                    "Office work",
                    "Work outdoors",
                    "Retail",
                ]
            ),
            preferred_hours=rng.choice(["Part time, mornings", "20 hours a week", "Full time"]),
            disclosure=rng.choice(["Nothing about my health", "That I have a support worker"]),
        )
        end = closed or today
        jobs = self.jobs(client, enrolled, end)
        self.contacts_for(client, enrolled, end, jobs)
        if rng.random() < 0.6:
            referred_on = enrolled + dt.timedelta(days=rng.randint(3, 40))
            if referred_on <= end:
                done = referred_on + dt.timedelta(days=rng.randint(10, 60))
                BenefitsReferral.objects.create(
                    client=client,
                    referred_on=referred_on,
                    counselor="County benefits planner",
                    benefits=rng.sample(["ssi", "ssdi", "medicaid", "housing"], 2),
                    planning_completed_on=done if done <= today and rng.random() < 0.7 else None,
                )
        goal = PlanGoal.objects.create(client=client, text=f"Find work: {client.profile.work_goal}")
        PlanStep.objects.create(
            goal=goal,
            text="Visit two employers that fit the profile",
            who=PlanStep.Who.SPECIALIST,
            due_on=today + dt.timedelta(days=rng.randint(2, 20)),
        )

    def jobs(self, client: Client, enrolled: dt.date, end: dt.date) -> list[Job]:
        rng, jobs = self.rng, []
        start = enrolled + dt.timedelta(days=rng.randint(14, 150))
        while start <= end and rng.random() < 0.7:
            employer = rng.choice(self.employers)
            job_type = _job_type_of(employer)
            lasted = rng.randint(20, 300)
            ended = start + dt.timedelta(days=lasted)
            ended = ended if ended < self.today and rng.random() < 0.5 else None
            wage = Decimal(rng.choice(["14.00", "15.50", "16.25", "17.00", "18.50", "21.00"]))
            jobs.append(
                Job.objects.create(
                    client=client,
                    job_type=job_type,
                    title=rng.choice(TITLES.get(job_type, ["Assistant"])),
                    started_on=start,
                    ended_on=ended,
                    end_reason=rng.choice(JobEndReason.values) if ended else "",
                    hours_per_week=Decimal(rng.choice([8, 12, 16, 20, 25, 30, 40])),
                    **_pay_and_kind(rng.random(), employer, job_type, wage),
                )
            )
            if ended is None:
                break
            start = ended + dt.timedelta(days=rng.randint(10, 90))
        return jobs

    def contacts_for(
        self, client: Client, enrolled: dt.date, end: dt.date, jobs: list[Job]
    ) -> None:
        rng, day = self.rng, enrolled
        while day <= end:
            working = any(
                j.started_on <= day and (j.ended_on is None or day <= j.ended_on) for j in jobs
            )
            mode = rng.choice(
                [Contact.Mode.IN_PERSON] * 4 + [Contact.Mode.PHONE, Contact.Mode.TEXT]
            )
            place = rng.choice(
                [Contact.Place.COMMUNITY] * 3
                + [Contact.Place.HOME, Contact.Place.WORKPLACE, Contact.Place.OFFICE]
            )
            self.contacts.append(
                Contact(
                    client=client,
                    specialist_id=self.specialist_id,
                    contacted_on=day,
                    minutes=rng.choice([15, 20, 30, 45, 60, 90]),
                    mode=mode,
                    place=place if mode == Contact.Mode.IN_PERSON else Contact.Place.REMOTE,
                    with_whom=rng.choice([Contact.WithWhom.CLIENT] * 5 + [Contact.WithWhom.FAMILY]),
                    purpose=_contact_purpose(rng, working),
                    note=rng.choice(NOTES),
                )
            )
            if working and rng.random() < 0.5:
                self.supports.append(
                    Support(
                        client=client,
                        specialist_id=self.specialist_id,
                        provided_on=day,
                        kind=rng.choice(Support.Kind.values),
                        provider=rng.choice(
                            [Support.Provider.SPECIALIST] * 5
                            + [
                                Support.Provider.TREATMENT_TEAM,
                                Support.Provider.FAMILY,
                                Support.Provider.NATURAL,
                                Support.Provider.EMPLOYER,
                            ]
                        ),
                        job=next(
                            j
                            for j in jobs
                            if j.started_on <= day and (j.ended_on is None or day <= j.ended_on)
                        ),
                        note="Follow-along check-in.",
                    )
                )
            day += dt.timedelta(days=rng.randint(4, 12))

    def save(self) -> None:
        Contact.objects.bulk_create(self.contacts, batch_size=1000)
        Support.objects.bulk_create(self.supports, batch_size=1000)


@transaction.atomic
def seed_caseloads(*, today: dt.date, clients_per_specialist: int = 18) -> int:
    """Give every demo specialist without clients a caseload; returns the clients created."""
    created = 0
    roles = StaffRole.objects.filter(role=Role.SPECIALIST, user__username__startswith="demo-")
    for role in roles.select_related("program", "user").order_by("user__username"):
        if Client.objects.filter(specialist_id=role.user_id).exists():
            continue
        created += seed_caseload(
            program=role.program,
            specialist_id=role.user_id,
            clients=clients_per_specialist,
            today=today,
            seed=role.user.username,
        )
    return created


@transaction.atomic
def seed_caseload(
    *, program: Program, specialist_id: int, clients: int, today: dt.date, seed: str
) -> int:
    """A synthetic caseload of `clients` for one specialist, the same for the same `seed` and
    day (the benchmarks build caseloads of thousands with it); returns the clients created."""
    rng = random.Random(f"{seed}:{today.isoformat()}")  # noqa: S311
    with disable_auditlog():
        caseload = _Caseload(rng, program, specialist_id, _employers(program), today)
        for index in range(clients):
            caseload.client(index)
        caseload.save()
    return clients


@transaction.atomic
def seed_today(*, today: dt.date) -> int:
    """Give each demo specialist's Today something to show, on a caseload `seed_caseloads` just
    built: a plan step five days overdue, a client not seen for 40 days, a job started this
    week and a new referral from two days ago. Returns the clients it changed or added."""
    changed = 0
    roles = StaffRole.objects.filter(role=Role.SPECIALIST, user__username__startswith="demo-")
    for role in roles.select_related("program", "user").order_by("user__username"):
        open_clients = list(
            Client.objects.filter(
                specialist_id=role.user_id, current_episode__closed_on__isnull=True
            ).order_by("id")[:3]
        )
        if len(open_clients) < 3:
            continue
        late, quiet, starter = open_clients
        step = PlanStep.objects.filter(goal__client=late).first()
        if step is not None:
            step.due_on = today - dt.timedelta(days=5)
            step.save(update_fields=["due_on"])
        # Not seen for 40 days: the contacts since then never happened.
        Contact.objects.filter(
            client=quiet, contacted_on__gt=today - dt.timedelta(days=40)
        ).delete()
        _job_this_week(starter, today)
        _new_referral(role.program, role.user_id, today)
        changed += 4
    return changed


def _job_this_week(client: Client, today: dt.date) -> None:
    """A job started on the Monday of this week (today on a Monday), the jobs held before it
    ended the day before."""
    monday = today - dt.timedelta(days=today.weekday())
    start = max(monday, client.current_episode.enrolled_on or monday)
    with disable_auditlog():
        for job in Job.objects.filter(client=client, ended_on__isnull=True):
            job.ended_on = max(job.started_on, start - dt.timedelta(days=1))
            job.end_reason = JobEndReason.values[0]
            job.save()
        employer = _employers(client.program)[0]
        job_type = _job_type_of(employer)
        Job.objects.create(
            client=client,
            job_type=job_type,
            title=TITLES.get(job_type, ["Assistant"])[0],
            started_on=start,
            hours_per_week=Decimal(20),
            **_pay_and_kind(0.5, employer, job_type, Decimal("17.00")),
        )


def _new_referral(program: Program, specialist_id: int, today: dt.date) -> None:
    client = Client.objects.create(
        program=program,
        specialist_id=specialist_id,
        first_name="Robin",
        last_name="Young",
        birth_date=dt.date(1994, 3, 9),
        phone="555-0199",
        email="robin.young@example.org",
    )
    episode = Episode.objects.create(
        client=client,
        referred_on=today - dt.timedelta(days=2),
        referral_source=ReferralSource.MH_PRACTITIONER,
    )
    client.current_episode = episode
    client.save(update_fields=["current_episode"])
