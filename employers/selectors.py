"""Reads of job development shaped for pages: a specialist's week, an employer's relationship.

Weeks are ISO weeks, Monday to Sunday, as program-local calendar dates. The weekly target counts
face-to-face contacts with someone who makes hiring decisions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncWeek

from clients.models import Client, Job
from employers.models import COUNTED, Employer, EmployerContact
from ips.calendar import Period
from ips.models import Program, Role

if TYPE_CHECKING:
    from ips.models import User

HISTORY_WEEKS = 12


def weekly_target(specialist: User) -> int:
    """The specialist's weekly target: the highest of their programs' (6 unless configured)."""
    targets = Program.objects.filter(
        staff_roles__user=specialist, staff_roles__role=Role.SPECIALIST
    ).aggregate(target=Max("weekly_employer_contact_target"))
    return targets["target"] if targets["target"] is not None else 6


@dataclass
class Week:
    """One specialist's job development in one week."""

    monday: dt.date
    target: int
    contacts: list[EmployerContact] = field(default_factory=list)
    by_purpose: list[tuple[str, int]] = field(default_factory=list)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def counted(self) -> int:
        """Face to face with a hiring manager: what the target counts."""
        return sum(1 for c in self.contacts if c.face_to_face and c.with_hiring_manager)

    @property
    def label(self) -> str:
        return Period.week(self.monday).label


def clients_seen_by(viewer: User) -> Prefetch:
    """The clients a contact was on behalf of, those `viewer` may see (their read recorded)."""
    return Prefetch("clients", queryset=Client.objects.visible_to(viewer))


def specialist_week(*, specialist: User, monday: dt.date, viewer: User) -> Week:
    """The week's contacts (with employer, person and the clients `viewer` may see) and their
    split by purpose."""
    contacts = list(
        EmployerContact.objects.live()
        .filter(specialist=specialist, contacted_on__range=(monday, monday + dt.timedelta(days=6)))
        .select_related("employer", "person")
        .prefetch_related(clients_seen_by(viewer))
        .order_by("contacted_on", "id")
    )
    labels = dict(EmployerContact.Purpose.choices)
    counts: dict[str, int] = {}
    for contact in contacts:
        counts[contact.purpose] = counts.get(contact.purpose, 0) + 1
    by_purpose = [(labels[key], counts[key]) for key in labels if key in counts]
    return Week(monday, weekly_target(specialist), contacts, by_purpose)


@dataclass(frozen=True)
class WeekCount:
    monday: dt.date
    counted: int
    total: int

    @property
    def label(self) -> str:
        return Period.week(self.monday).label


def weekly_counts(
    *, specialist: User, last_monday: dt.date, weeks: int = HISTORY_WEEKS
) -> list[WeekCount]:
    """Counted and total contacts for each of `weeks` weeks up to `last_monday`, in one query."""
    first = last_monday - dt.timedelta(weeks=weeks - 1)
    rows = (
        EmployerContact.objects.live()
        .filter(
            specialist=specialist,
            contacted_on__range=(first, last_monday + dt.timedelta(days=6)),
        )
        .annotate(week=TruncWeek("contacted_on"))
        .values("week")
        .annotate(
            total=Count("id"),
            counted=Count("id", filter=COUNTED),
        )
    )
    found = {_as_date(row["week"]): row for row in rows}
    result = []
    for n in range(weeks):
        monday = first + dt.timedelta(weeks=n)
        row = found.get(monday)
        result.append(WeekCount(monday, row["counted"] if row else 0, row["total"] if row else 0))
    return list(reversed(result))


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def job_seekers_without_employer_contact(
    *, specialist: User, today: dt.date, viewer: User
) -> QuerySet[Client]:
    """The specialist's enrolled clients, not working today, with no employer contact on their
    behalf since enrollment, as `viewer` may see them."""
    on_behalf = EmployerContact.objects.live().filter(
        clients=OuterRef("pk"), contacted_on__gte=OuterRef("current_episode__enrolled_on")
    )
    return (
        Client.objects.visible_to(viewer)
        .filter(
            specialist=specialist,
            current_episode__enrolled_on__isnull=False,
            current_episode__closed_on__isnull=True,
        )
        .with_working(today)
        .filter(working=False)
        .exclude(Exists(on_behalf))
        .select_related("current_episode")
        .order_by("current_episode__enrolled_on", "last_name")
    )


def hires(*, employer: Employer, viewer: User, with_clients: bool) -> QuerySet[Job]:
    """Live jobs at the employer of live clients. `with_clients`: the jobs of clients `viewer`
    may see, with the client (their read recorded); else (an employer shared by another program
    of the agency) every hire, and no client is loaded."""
    if with_clients:
        return Job.objects.visible_to(viewer).filter(employer=employer).select_related("client")
    return employer.jobs.live().filter(client__archived_at__isnull=True)


def employer_rows(*, employers: QuerySet[Employer], order: str) -> QuerySet[Employer]:
    """The program-wide employer list: hires and last contact per employer, sortable by both."""
    rows = employers.select_related("program").annotate(
        hires=Count("jobs", filter=Q(jobs__archived_at__isnull=True), distinct=True),
        last_contact_on=Max("contacts__contacted_on", filter=Q(contacts__archived_at__isnull=True)),
    )
    orders = {
        "last_contact": [F("last_contact_on").desc(nulls_last=True), "name"],
        "hires": ["-hires", "name"],
        "name": ["name"],
    }
    return rows.order_by(*orders.get(order, orders["name"]))


@dataclass(frozen=True)
class Relationship:
    """What the program knows of one employer."""

    contacts: list[EmployerContact]
    last_contact_on: dt.date | None
    knows_best: list[tuple[str, int]]


def employer_relationship(employer: Employer, *, viewer: User) -> Relationship:
    """Every live contact with the employer across the program (with the clients `viewer` may
    see), the last one, and who has met them most (two queries)."""
    contacts = list(
        EmployerContact.objects.live()
        .filter(employer=employer)
        .select_related("specialist", "person")
        .prefetch_related(clients_seen_by(viewer))
    )
    counts: dict[str, int] = {}
    for contact in contacts:
        name = str(contact.specialist)
        counts[name] = counts.get(name, 0) + 1
    knows_best = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:3]
    last = contacts[0].contacted_on if contacts else None
    return Relationship(contacts, last, knows_best)
