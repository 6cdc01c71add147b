"""Reads about clients, shaped for pages: the caseload and the client timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from clients.models import (
    BenefitsReferral,
    Client,
    Contact,
    EducationEnrollment,
    Episode,
    Job,
    PlanStep,
    Support,
)

if TYPE_CHECKING:
    from ips.models import User

NO_CONTACT_DAYS = 30


def caseload_rows(
    *,
    user: User,
    today: dt.date,
    specialist_id: int | None = None,
    status: str = "",
    working: str = "",
    no_recent_contact: bool = False,
    search: str = "",
) -> QuerySet[Client]:
    """The caseload page: visible clients with status, current job, last contact and next step.

    A constant number of queries whatever the caseload size: everything is joined or a subquery.
    """
    current_job = (
        Job.objects.live()
        .held_on(today)
        .filter(client=OuterRef("pk"))
        .order_by("-started_on", "-id")
    )
    next_step = (
        PlanStep.objects.filter(goal__client=OuterRef("pk"), done_on__isnull=True)
        .filter(goal__archived_at__isnull=True)
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )
    rows = (
        Client.objects.visible_to(user)
        .select_related("current_episode", "specialist", "program")
        .with_last_contact()
        .with_working(today)
        .annotate(
            current_job_title=Subquery(current_job.values("title")[:1]),
            current_job_employer=Subquery(current_job.values("employer__name")[:1]),
            next_step=Subquery(next_step.values("text")[:1]),
            next_step_due=Subquery(next_step.values("due_on")[:1]),
        )
    )
    if specialist_id:
        rows = rows.filter(specialist_id=specialist_id)
    if status == "closed":
        rows = rows.filter(current_episode__closed_on__isnull=False)
    elif status == "enrolled":
        rows = rows.filter(
            current_episode__closed_on__isnull=True, current_episode__enrolled_on__isnull=False
        )
    elif status == "referred":
        rows = rows.filter(
            current_episode__closed_on__isnull=True, current_episode__enrolled_on__isnull=True
        )
    if working == "yes":
        rows = rows.filter(working=True)
    elif working == "no":
        rows = rows.filter(working=False)
    if no_recent_contact:
        cutoff = today - dt.timedelta(days=NO_CONTACT_DAYS)
        rows = rows.filter(Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=cutoff))
    if search:
        for word in search.split()[:3]:
            rows = rows.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return rows.order_by("last_name", "first_name", "id")


@dataclass(frozen=True)
class TimelineItem:
    """One event on a client's timeline."""

    on: dt.date
    kind: str
    title: str
    detail: str
    order: int = 0


def contact_item(contact: Contact) -> TimelineItem:
    """A contact as the timeline shows it (also used when a quick log adds one in place)."""
    return TimelineItem(
        contact.contacted_on,
        "contact",
        f"{contact.get_purpose_display()} — {contact.get_mode_display()}, "
        f"{contact.get_place_display().lower()}, {contact.minutes} min",
        f"{contact.specialist}: {contact.note}" if contact.note else str(contact.specialist),
    )


def client_timeline(client: Client) -> list[TimelineItem]:
    """Everything about the client, newest first, in one query per kind of record."""
    items: list[TimelineItem] = []
    for episode in Episode.objects.filter(client=client):
        items.append(
            TimelineItem(
                episode.referred_on, "episode", "Referred", episode.get_referral_source_display()
            )
        )
        if episode.enrolled_on:
            items.append(TimelineItem(episode.enrolled_on, "episode", "Enrolled", "", 1))
        if episode.closed_on:
            items.append(
                TimelineItem(
                    episode.closed_on, "episode", "Closed", episode.get_closure_reason_display(), 2
                )
            )
    for contact in Contact.objects.live().filter(client=client).select_related("specialist"):
        items.append(contact_item(contact))
    for job in (
        Job.objects.live().with_competitive().filter(client=client).select_related("employer")
    ):
        kind = "competitive" if job.competitive else "not competitive"
        items.append(
            TimelineItem(
                job.started_on,
                "job",
                f"Started {job.title} at {job.employer}",
                f"{job.hours_per_week} h/week at {job.hourly_wage}/h ({kind})",
                3,
            )
        )
        if job.ended_on:
            items.append(
                TimelineItem(
                    job.ended_on,
                    "job",
                    f"Ended {job.title} at {job.employer}",
                    job.get_end_reason_display(),
                    4,
                )
            )
    for support in Support.objects.live().filter(client=client):
        items.append(
            TimelineItem(
                support.provided_on,
                "support",
                f"Support: {support.get_kind_display()}",
                support.note,
            )
        )
    for referral in BenefitsReferral.objects.live().filter(client=client):
        items.append(
            TimelineItem(
                referral.referred_on,
                "benefits",
                f"Benefits referral to {referral.counselor}",
                referral.note,
            )
        )
        if referral.planning_completed_on:
            items.append(
                TimelineItem(
                    referral.planning_completed_on, "benefits", "Benefits planning completed", "", 1
                )
            )
    for course in EducationEnrollment.objects.live().filter(client=client):
        items.append(
            TimelineItem(
                course.started_on,
                "education",
                f"Started {course.course or 'studies'} at {course.institution}",
                "",
            )
        )
    return sorted(items, key=lambda item: (item.on, item.order), reverse=True)
