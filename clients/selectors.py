"""Reads about clients, shaped for pages: the caseload and the client timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject

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
from clients.timeline import TimelineItem, contributed_items
from employers.models import EmployerContact
from ips.calendar import signal_cutoff
from ips.models import staff_name

if TYPE_CHECKING:
    from ips.models import User

# A job's employer as pages print it: self-employment has none.
EMPLOYER_NAME = Coalesce(F("employer__name"), Value("Self-employed"))


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
    rows = _caseload_on(today).visible_to(user)
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
        cutoff = signal_cutoff(today)  # the supervision signal's day count, from the definitions
        rows = rows.filter(Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=cutoff))
    if search:
        for word in search.split()[:3]:
            rows = rows.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return rows.order_by("last_name", "first_name", "id")


# What a caseload row prints besides the annotations (`Client.status` reads the episode's dates,
# `str(specialist)` the names): the other columns, timestamps above all, cost parsing time.
CASELOAD_ROW_FIELDS = (
    *("first_name", "last_name", "current_episode__enrolled_on", "current_episode__closed_on"),
    *("specialist__first_name", "specialist__last_name", "specialist__username"),
)


def _caseload_on(today: dt.date) -> QuerySet[Client]:
    """Every client with the caseload's joins and subqueries for `today`, before the access
    filter and the page's filters.

    Built anew for each request, never kept between requests or threads: compiling a query
    changes its subqueries' state for a moment, so a shared one is a race. Resolving the five
    subqueries costs Django about 2 ms a page; one annotate() instead of three, or fewer chained
    filters, measured no cheaper.
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
    return (
        Client.objects.select_related("current_episode", "specialist")
        .only(*CASELOAD_ROW_FIELDS)
        .with_last_contact()
        .with_working(today)
        .annotate(
            # One subquery per record, its fields as a JSON object ({"title", "employer"} and
            # {"text", "due"}, the date as YYYY-MM-DD): PostgreSQL runs each subquery once per
            # row, and a second one for another field of the same record cost as much again.
            current_job=Subquery(
                current_job.values(json=JSONObject(title="title", employer=EMPLOYER_NAME))[:1]
            ),
            next_step=Subquery(next_step.values(json=JSONObject(text="text", due="due_on"))[:1]),
            # Rapid job search: has anyone met an employer for them since they enrolled?
            employer_contact_since_enrollment=Exists(
                EmployerContact.objects.live().filter(
                    clients=OuterRef("pk"),
                    contacted_on__gte=OuterRef("current_episode__enrolled_on"),
                )
            ),
        )
    )


# The labels get_<field>_display() would give: it rebuilds the choices dict on every call, and a
# long timeline calls it three times per contact. The timeline reads rows with values(), which
# have no get_<field>_display() anyway.
_PURPOSES = dict(Contact.Purpose.choices)
_MODES = dict(Contact.Mode.choices)
_PLACES = dict(Contact.Place.choices)
_SUPPORT_KINDS = dict(Support.Kind.choices)
_EMPLOYER_CONTACT_PURPOSES = dict(EmployerContact.Purpose.choices)

_STAFF_NAME = ("specialist__first_name", "specialist__last_name", "specialist__username")


def contact_item(contact: Contact) -> TimelineItem:
    """A contact as the timeline shows it (also used when a quick log adds one in place)."""
    return _contact_item(contact, str(contact.specialist))


def _contact_item(contact: Any, specialist: str) -> TimelineItem:
    """`contact`: a Contact, or a row with its contacted_on, purpose, mode, place, minutes and
    note."""
    purpose = _PURPOSES.get(contact.purpose, contact.purpose)
    mode = _MODES.get(contact.mode, contact.mode)
    place = _PLACES.get(contact.place, contact.place)
    return TimelineItem(
        contact.contacted_on,
        "contact",
        f"{purpose} — {mode}, {place.lower()}, {contact.minutes} min",
        f"{specialist}: {contact.note}" if contact.note else specialist,
    )


@dataclass(frozen=True)
class ClientPage:
    """What the client page shows: the timeline, and the jobs, referrals and episodes lists."""

    timeline: list[TimelineItem]
    jobs: list[Job]
    referrals: list[BenefitsReferral]
    episodes: list[Episode]


def client_page(client: Client) -> ClientPage:
    """The client page, in one query per kind of record.

    The jobs, referrals and episodes are read once and feed both the timeline and their lists.
    """
    episodes = list(Episode.objects.filter(client=client))
    jobs = list(_jobs_with_employer_and_competitive().filter(client=client))
    referrals = list(BenefitsReferral.objects.live().filter(client=client))
    # The records only the timeline shows are read as rows of just what it prints, about a
    # third cheaper than model instances with their specialists (and timestamps to parse).
    contacts = Contact.objects.live().values_list(*_CONTACT_ROW, named=True).filter(client=client)
    supports = Support.objects.live().values_list(*_SUPPORT_ROW, named=True).filter(client=client)
    courses = (
        EducationEnrollment.objects.live()
        .values_list(*_COURSE_ROW, named=True)
        .filter(client=client)
    )
    # The columns first, then the client: the joins of the printed names come before the
    # client link's in the SQL, as they always have.
    employer_contacts = (
        EmployerContact.objects.live()
        .values_list(*_EMPLOYER_CONTACT_ROW, named=True)
        .filter(clients=client)
    )
    timeline = [
        *_episode_items(episodes),
        *_employer_contact_items(employer_contacts),
        *_contact_items(contacts),
        *_job_items(jobs),
        *_support_items(supports),
        *_referral_items(referrals),
        *_education_items(courses),
        *contributed_items(client),
    ]
    timeline.sort(key=lambda item: (item.on, item.order), reverse=True)
    return ClientPage(timeline=timeline, jobs=jobs, referrals=referrals, episodes=episodes)


# What the timeline prints of the records only it shows.
_CONTACT_ROW = ("contacted_on", "purpose", "mode", "place", "minutes", "note", *_STAFF_NAME)
_SUPPORT_ROW = ("provided_on", "kind", "note")
_COURSE_ROW = ("started_on", "course", "institution")
_EMPLOYER_CONTACT_ROW = (
    *("contacted_on", "purpose", "face_to_face", "with_hiring_manager", "outcome"),
    *("employer__name", *_STAFF_NAME),
)


def _jobs_with_employer_and_competitive() -> QuerySet[Job]:
    """Live jobs with their `employer_name` and the stored `competitive` flag: only the columns
    the jobs list and the timeline print, the employer's name rather than an Employer each."""
    return (
        Job.objects.live()
        .with_competitive(minimum_wage=False)
        .annotate(employer_name=EMPLOYER_NAME)
        .only(
            *("client", "title", "job_type", "started_on", "ended_on", "end_reason"),
            *("hours_per_week", "hourly_wage", "competitive"),
        )
    )


def _episode_items(episodes: Iterable[Episode]) -> Iterator[TimelineItem]:
    for episode in episodes:
        yield TimelineItem(
            episode.referred_on, "episode", "Referred", episode.get_referral_source_display()
        )
        if episode.enrolled_on:
            yield TimelineItem(episode.enrolled_on, "episode", "Enrolled", "", 1)
        if episode.closed_on:
            yield TimelineItem(
                episode.closed_on, "episode", "Closed", episode.get_closure_reason_display(), 2
            )


def _job_items(jobs: Iterable[Job]) -> Iterator[TimelineItem]:
    """Jobs annotated `with_competitive` and `employer_name`."""
    for job in jobs:
        kind = "competitive" if job.competitive else "not competitive"
        yield TimelineItem(
            job.started_on,
            "job",
            f"Started {job.title} at {job.employer_name}",
            f"{job.hours_per_week} h/week at {job.hourly_wage}/h ({kind})",
            3,
        )
        if job.ended_on:
            yield TimelineItem(
                job.ended_on,
                "job",
                f"Ended {job.title} at {job.employer_name}",
                job.get_end_reason_display(),
                4,
            )


def _contact_items(contacts: QuerySet[Contact]) -> Iterator[TimelineItem]:
    """Rows of `_CONTACT_ROW`."""
    for row in contacts:
        yield _contact_item(row, staff_name(*row[-3:]))


def _support_items(supports: QuerySet[Support]) -> Iterator[TimelineItem]:
    """Rows of `_SUPPORT_ROW`."""
    for support in supports:
        kind = _SUPPORT_KINDS.get(support.kind, support.kind)
        yield TimelineItem(support.provided_on, "support", f"Support: {kind}", support.note)


def _referral_items(referrals: Iterable[BenefitsReferral]) -> Iterator[TimelineItem]:
    for referral in referrals:
        yield TimelineItem(
            referral.referred_on,
            "benefits",
            f"Benefits referral to {referral.counselor}",
            referral.note,
        )
        if referral.planning_completed_on:
            yield TimelineItem(
                referral.planning_completed_on, "benefits", "Benefits planning completed", "", 1
            )


def _employer_contact_items(contacts: QuerySet[EmployerContact]) -> Iterator[TimelineItem]:
    """Job development on the client's behalf: rows of `_EMPLOYER_CONTACT_ROW`."""
    for contact in contacts:
        how = "face to face" if contact.face_to_face else "not face to face"
        if contact.with_hiring_manager:
            how += ", with a hiring manager"
        purpose = _EMPLOYER_CONTACT_PURPOSES.get(contact.purpose, contact.purpose)
        specialist = staff_name(*contact[-3:])
        yield TimelineItem(
            contact.contacted_on,
            "employer",
            f"Employer contact: {purpose} at {contact.employer__name}",
            f"{specialist} ({how}){': ' + contact.outcome if contact.outcome else ''}",
        )


def _education_items(courses: QuerySet[EducationEnrollment]) -> Iterator[TimelineItem]:
    """Rows of `_COURSE_ROW`."""
    for course in courses:
        yield TimelineItem(
            course.started_on,
            "education",
            f"Started {course.course or 'studies'} at {course.institution}",
            "",
        )
