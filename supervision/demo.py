"""A year of synthetic supervision for `seed_demo`: each demo program's treatment teams, their
weekly meetings (attendance, clients discussed, follow-ups), and weekly group-supervision sessions
with action items, most of them done within two weeks.

Seeded per program and day. A team that already has meetings, or a program that already has
sessions, is left alone, so running the seed again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from auditlog.context import disable_auditlog
from django.db import transaction

from clients.models import Client
from ips.models import Program, Role, StaffRole, User
from supervision.models import (
    ActionItem,
    SupervisionSession,
    TeamMeeting,
    TeamMeetingClient,
    TreatmentTeam,
)

TEAMS = (("ACT Team", 1), ("Community Mental Health Team", 3))  # name, weekday (Tue, Thu)
NOTES = [
    "Wants to start looking for work again; agreed to a career profile update.",
    "Doing well at work; prescriber to keep appointments after shifts.",
    "Missed two appointments; case manager will do outreach with the specialist.",
    "Interested in retail; therapist to support with interview nerves.",
    "Worried about losing benefits; benefits planning referral agreed.",
    "Started a new job last week; team to celebrate at next visit.",
    "Considering a course at the community college.",
]
FOLLOW_UPS = [
    "Specialist and case manager to visit together next week.",
    "Nurse to check medication timing against the new shift pattern.",
    "Team lead to share the job leads list with the specialists.",
    "",
]
ITEMS = [
    "Six face-to-face employer contacts this week",
    "Update the career profiles of the two newest clients",
    "Reach out to clients with no contact in 30 days",
    "Follow up the pending benefits referrals",
    "Present a job seeker to two new employers",
    "Visit the warehouse employer with the client who starts Monday",
]


def _specialists(program: Program) -> list[User]:
    roles = StaffRole.objects.filter(role=Role.SPECIALIST, program=program)
    return [role.user for role in roles.select_related("user").order_by("user__username")]


def _teams(program: Program, specialists: list[User]) -> list[tuple[TreatmentTeam, int]]:
    """The program's two teams: everyone on the first; the first half also on the second."""
    teams = []
    for index, (name, weekday) in enumerate(TEAMS):
        team, created = TreatmentTeam.objects.get_or_create(
            program=program, name=f"{program.site or program.name} {name}"
        )
        if created:
            team.specialists.set(
                specialists if index == 0 else specialists[: len(specialists) // 2 + 1]
            )
        teams.append((team, weekday))
    _team_clients(program, [team for team, _ in teams])
    return teams


def _team_clients(program: Program, teams: list[TreatmentTeam]) -> None:
    """Each client to the team that treats them: the second team for every third client of a
    specialist on it, the first for the rest; one client in twenty-five has no team recorded
    yet. A program whose teams already treat clients is left alone."""
    if TreatmentTeam.clients.through.objects.filter(treatmentteam__in=teams).exists():
        return
    on_second = set(teams[1].specialists.values_list("id", flat=True)) if len(teams) > 1 else set()
    clients = Client.objects.filter(program=program).order_by("id")
    for number, client in enumerate(clients):
        if number % 25 == 24:
            continue
        second = client.specialist_id in on_second and number % 3 == 0
        (teams[1] if second else teams[0]).clients.add(client)


def _meetings(
    team: TreatmentTeam, weekday: int, rng: random.Random, today: dt.date, weeks: int
) -> int:
    if team.meetings.exists():
        return 0
    assigned = list(team.specialists.all())
    clients = list(
        Client.objects.filter(specialist__in=assigned, current_episode__enrolled_on__isnull=False)
        .select_related("current_episode")
        .order_by("id")
    )
    created = 0
    monday = today - dt.timedelta(days=today.weekday())
    for week in range(weeks):
        day = monday - dt.timedelta(weeks=week) + dt.timedelta(days=weekday)
        if day > today:
            continue
        meeting = TeamMeeting.objects.create(
            team=team,
            held_on=day,
            follow_ups=rng.choice(FOLLOW_UPS),
            recorded_by=rng.choice(assigned),
        )
        meeting.attendees.set([u for u in assigned if rng.random() < 0.85])
        eligible = [c for c in clients if c.current_episode.enrolled_on <= day]
        TeamMeetingClient.objects.bulk_create(
            TeamMeetingClient(meeting=meeting, client=client, note=rng.choice(NOTES))
            for client in rng.sample(eligible, min(len(eligible), rng.randint(1, 3)))
        )
        created += 1
    return created


def _sessions(
    program: Program, supervisor: User, rng: random.Random, today: dt.date, weeks: int
) -> int:
    if SupervisionSession.objects.filter(program=program).exists():
        return 0
    specialists = _specialists(program)
    created = 0
    monday = today - dt.timedelta(days=today.weekday())
    for week in range(weeks):
        day = monday - dt.timedelta(weeks=week) + dt.timedelta(days=2)  # Wednesdays
        if day > today:
            continue
        session = SupervisionSession.objects.create(
            program=program,
            held_on=day,
            supervisor=supervisor,
            notes="Reviewed job starts, employer contacts and who has stalled.",
        )
        session.specialists_present.set([u for u in specialists if rng.random() < 0.9])
        items = []
        for specialist in specialists:
            if rng.random() < 0.5:
                done_on = day + dt.timedelta(days=rng.randint(2, 14))
                # Items of the last month may still be open; older ones were all done.
                if done_on > today or (week < 4 and rng.random() < 0.4):
                    done_on = None
                items.append(
                    ActionItem(
                        session=session,
                        specialist=specialist,
                        text=rng.choice(ITEMS),
                        due_on=day + dt.timedelta(days=7),
                        done_on=done_on,
                    )
                )
        ActionItem.objects.bulk_create(items)
        created += 1
    return created


@transaction.atomic
def seed_supervision(*, today: dt.date, weeks: int = 52) -> int:
    """Teams, a year of weekly team meetings and supervision sessions for every demo program
    that has none; returns the meetings and sessions created."""
    created = 0
    supervisors = {
        role.program_id: role.user
        for role in StaffRole.objects.filter(
            role=Role.SUPERVISOR, user__username__startswith="demo-"
        ).select_related("user")
    }
    with disable_auditlog():
        for program in Program.objects.filter(id__in=supervisors).order_by("name"):
            rng = random.Random(f"supervision:{program.name}:{today.isoformat()}")  # noqa: S311
            specialists = _specialists(program)
            if not specialists:
                continue
            for team, weekday in _teams(program, specialists):
                created += _meetings(team, weekday, rng, today, weeks)
            created += _sessions(program, supervisors[program.pk], rng, today, weeks)
    return created
