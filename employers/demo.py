"""A year of synthetic job development for `seed_demo`: each demo specialist's weekly employer
contacts, around the target of six with realistic variation (some weeks fall short).

Seeded per specialist and day; a specialist who already has employer contacts is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from auditlog.context import disable_auditlog
from django.db import transaction

from clients.models import Client
from employers.models import Employer, EmployerContact, EmployerPerson
from ips.models import Role, StaffRole

PEOPLE = [
    ("Dana Whitlock", "Store manager", True),
    ("Luis Ferreira", "Shift supervisor", True),
    ("Priya Raman", "HR coordinator", False),
    ("Tom Okonkwo", "Owner", True),
]
OUTCOMES = [
    "Learned they hire for spring in March.",
    "Manager wants to meet a candidate next week.",
    "No openings now; asked to check back monthly.",
    "Interview arranged.",
    "Talked about what makes a good fit for their team.",
]


def _people(employer: Employer, rng: random.Random) -> list[EmployerPerson]:
    existing = list(employer.people.all())
    if existing:
        return existing
    return [
        EmployerPerson.objects.create(
            employer=employer, name=name, role=role, makes_hiring_decisions=hires
        )
        for name, role, hires in rng.sample(PEOPLE, 2)
    ]


def _enrolled_by(client: Client, day: dt.date) -> bool:
    episode = client.current_episode
    return bool(episode and episode.enrolled_on and episode.enrolled_on <= day)


def _client_contact(
    rng: random.Random,
    specialist_id: int,
    employers: list[Employer],
    seekers: list[Client],
    day: dt.date,
) -> tuple[EmployerContact, list[Client]]:
    """Now and then a job seeker meets an employer on their own, and the specialist logs it."""
    contact = EmployerContact(
        employer=rng.choice(employers),
        specialist_id=specialist_id,
        contacted_on=day,
        face_to_face=True,
        by_client=True,
        minutes=30,
        purpose=EmployerContact.Purpose.PRESENT_JOB_SEEKER,
        outcome="Dropped in with a résumé; the manager asked them to come back Monday.",
    )
    return contact, [rng.choice(seekers)]


def _save(made: list[tuple[EmployerContact, list[Client]]]) -> int:
    """Write the contacts and the clients they were on behalf of, in two statements."""
    contacts = EmployerContact.objects.bulk_create([contact for contact, _ in made])
    through = EmployerContact.clients.through
    through.objects.bulk_create(
        through(employercontact_id=contact.pk, client_id=client.pk)
        for contact, (_, clients) in zip(contacts, made, strict=True)
        for client in clients
    )
    return len(contacts)


@transaction.atomic
def seed_job_development(*, today: dt.date, weeks: int = 52) -> int:
    """Give every demo specialist without employer contacts a year of them; returns how many."""
    made: list[tuple[EmployerContact, list[Client]]] = []
    roles = StaffRole.objects.filter(role=Role.SPECIALIST, user__username__startswith="demo-")
    with disable_auditlog():
        for role in roles.select_related("user", "program").order_by("user__username"):
            if EmployerContact.objects.filter(specialist_id=role.user_id).exists():
                continue
            rng = random.Random(f"jobdev:{role.user.username}:{today.isoformat()}")  # noqa: S311
            employers = list(Employer.objects.filter(program=role.program))
            if not employers:
                continue
            people = {employer.pk: _people(employer, rng) for employer in employers}
            seekers = list(
                Client.objects.filter(specialist_id=role.user_id).select_related("current_episode")
            )
            monday = today - dt.timedelta(days=today.weekday())
            for week in range(weeks):
                start = monday - dt.timedelta(weeks=week)
                for _ in range(max(0, round(rng.gauss(8, 2.2)))):
                    day = start + dt.timedelta(days=rng.randint(0, 4))
                    if day > today:
                        continue
                    employer = rng.choice(employers)
                    person = rng.choice(people[employer.pk])
                    face_to_face = rng.random() < 0.9
                    contact = EmployerContact(
                        employer=employer,
                        specialist_id=role.user_id,
                        person=person,
                        contacted_on=day,
                        face_to_face=face_to_face,
                        minutes=rng.choice([20, 30, 45, 60]) if face_to_face else 10,
                        with_hiring_manager=person.makes_hiring_decisions or rng.random() < 0.6,
                        purpose=rng.choice(EmployerContact.Purpose.values),
                        outcome=rng.choice(OUTCOMES),
                    )
                    eligible = [c for c in seekers if _enrolled_by(c, day)]
                    on_behalf = []
                    if eligible and rng.random() < 0.7:
                        on_behalf = rng.sample(eligible, min(len(eligible), rng.randint(1, 2)))
                    made.append((contact, on_behalf))
                day = start + dt.timedelta(days=rng.randint(0, 4))
                seeking = [c for c in seekers if _enrolled_by(c, day)]
                if day <= today and seeking and rng.random() < 0.3:
                    made.append(_client_contact(rng, role.user_id, employers, seeking, day))
        return _save(made)
