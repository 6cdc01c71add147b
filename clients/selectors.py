"""Reads about clients, shaped for pages: the caseload and the client timeline."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window

from clients.models import (
    BenefitsReferral,
    Client,
    ClosureReason,
    Contact,
    Episode,
    Job,
    JobEndReason,
    JobType,
    PlanStep,
    not_competitive_reasons,
)
from clients.templatetags.client_tags import days_since, pk_url
from clients.timeline import TimelineItem, timeline_page
from employers.models import EmployerContact
from ips.calendar import signal_cutoff
from ips.models import staff_name
from ips.paging import Page

if TYPE_CHECKING:
    from ips.models import User


# The caseload's page: rows that do not grow with the caseload.
CASELOAD_PAGE = 50


def caseload_page(
    *,
    user: User,
    today: dt.date,
    specialist_id: int | None = None,
    status: str = "",
    working: str = "",
    no_recent_contact: bool = False,
    search: str = "",
    number: int = 1,
    size: int = CASELOAD_PAGE,
) -> Page[CaseloadRow]:
    """Page `number` of the caseload: visible clients, filtered and sorted by name in SQL, with
    status, current job, last contact and next step, and how many clients match in all.

    Two queries whatever the caseload's size: the page of clients with the total (a window
    count), then what each row shows for just the page's clients (`_row_details`).
    """
    clients = caseload_clients(
        user=user,
        today=today,
        specialist_id=specialist_id,
        status=status,
        working=working,
        no_recent_contact=no_recent_contact,
        search=search,
    )
    found = list(
        clients.annotate(total=Window(Count("*")))
        .order_by("last_name", "first_name", "id")
        .values_list(*CASELOAD_ROW_FIELDS, "total")[(number - 1) * size : number * size]
    )
    total = found[0][-1] if found else clients.count() if number > 1 else 0
    details = _row_details([row[0] for row in found], today) if found else {}
    rows = [_caseload_row(row, details[row[0]], today) for row in found]
    return Page(rows, number=number, size=size, total=total)


def caseload_clients(
    *,
    user: User,
    today: dt.date,
    specialist_id: int | None,
    status: str,
    working: str,
    no_recent_contact: bool,
    search: str,
) -> QuerySet[Client]:
    """The visible clients the caseload's filters keep (the read of those fetched recorded)."""
    rows = Client.objects.visible_to(user)
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
    if working in ("yes", "no"):
        rows = rows.with_working(today).filter(working=working == "yes")
    if no_recent_contact:
        # No live contact since the cutoff (the supervision signal's day count): never
        # contacted, or last contacted before it.
        cutoff = signal_cutoff(today)
        recent = Contact.objects.live().filter(client=OuterRef("pk"), contacted_on__gte=cutoff)
        rows = rows.exclude(Exists(recent))
    if search:
        for word in search.split()[:3]:
            rows = rows.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return rows


# What the page's query reads of each client: the name it is sorted by. Everything else a row
# shows comes from `_row_details` for the page's 50 clients only: joined here, the episode and
# the specialist were read for every client of the caseload, since the window count runs over
# all of them (18 ms of PostgreSQL's time for a caseload of 2,000, 3 ms without).
CASELOAD_ROW_FIELDS = ("id", "first_name", "last_name")


class _Details(NamedTuple):
    enrolled_on: dt.date | None
    closed_on: dt.date | None
    specialist_first_name: str | None
    specialist_last_name: str | None
    specialist_username: str | None
    last_contact_on: dt.date | None
    working: bool
    job_title: str | None
    job_employer: str | None
    step_text: str | None
    step_due: dt.date | None
    employer_contact_since_enrollment: bool


# What each row shows besides the client's name, for the page's clients only: the current
# episode's dates and the specialist's name by primary key, then lateral lookups of one client
# through that client's index (contacts by client and date, jobs, plan goals and employer-contact
# links by client), so the cost follows the page's size, never the caseload's, the number of
# open plan steps or of jobs in the agency, whatever the planner's cost settings: there is no
# subquery over a whole table for the planner to choose to scan (as a plain EXISTS in the select
# list, "working" became one scan of every job). Hand written, as the ORM has no LATERAL; no user
# input is part of the text.
_ROW_DETAILS = """
SELECT c.id, e.enrolled_on, e.closed_on, u.first_name, u.last_name, u.username,
       (SELECT MAX(ct.contacted_on) FROM clients_contact ct
         WHERE ct.client_id = c.id AND ct.archived_at IS NULL),
       working.yes IS NOT NULL, job.title, job.employer, step.text, step.due_on,
       met.yes IS NOT NULL
  FROM unnest(%(ids)s::bigint[]) AS page(id)
  JOIN clients_client c ON c.id = page.id
  LEFT JOIN clients_episode e ON e.id = c.current_episode_id
  LEFT JOIN ips_user u ON u.id = c.specialist_id
  LEFT JOIN LATERAL (
       SELECT TRUE AS yes FROM clients_job w
        WHERE w.client_id = c.id AND w.archived_at IS NULL AND w.competitive
          AND w.started_on <= %(today)s AND (w.ended_on IS NULL OR w.ended_on >= %(today)s)
        LIMIT 1) working ON TRUE
  LEFT JOIN LATERAL (
       SELECT j.title, COALESCE(em.name, 'Self-employed') AS employer
         FROM clients_job j LEFT JOIN employers_employer em ON em.id = j.employer_id
        WHERE j.client_id = c.id AND j.archived_at IS NULL AND j.started_on <= %(today)s
          AND (j.ended_on IS NULL OR j.ended_on >= %(today)s)
        ORDER BY j.started_on DESC, j.id DESC LIMIT 1) job ON TRUE
  LEFT JOIN LATERAL (
       SELECT s.text, s.due_on
         FROM clients_plangoal g JOIN clients_planstep s ON s.goal_id = g.id
        WHERE g.client_id = c.id AND g.archived_at IS NULL AND s.done_on IS NULL
        ORDER BY s.due_on ASC NULLS LAST, s.id LIMIT 1) step ON TRUE
  LEFT JOIN LATERAL (
       SELECT TRUE AS yes FROM employers_employercontact_clients link
         JOIN employers_employercontact ec ON ec.id = link.employercontact_id
        WHERE link.client_id = c.id AND ec.archived_at IS NULL
          AND ec.contacted_on >= e.enrolled_on
        LIMIT 1) met ON TRUE
"""


def _row_details(client_ids: list[int], today: dt.date) -> dict[int, _Details]:
    """Episode dates, specialist, last contact, working today, current job, next plan step and
    whether anyone met an employer for them since enrollment (rapid job search), by client id:
    one query."""
    if connection.vendor != "postgresql":
        return _portable_row_details(client_ids, today)
    with connection.cursor() as cursor:
        cursor.execute(_ROW_DETAILS, {"ids": client_ids, "today": today})
        return {row[0]: _Details(*row[1:]) for row in cursor.fetchall()}


def _portable_row_details(client_ids: list[int], today: dt.date) -> dict[int, _Details]:
    """`_row_details` through the ORM, for a database without LATERAL and arrays (the SQLite
    fallback of `make run`)."""
    client = OuterRef("pk")
    jobs = (
        Job.objects.live()
        .held_on(today)
        .filter(client=client)
        .with_employer_name()
        .order_by("-started_on", "-id")
    )
    steps = PlanStep.objects.filter(
        goal__client=client, goal__archived_at__isnull=True, done_on__isnull=True
    ).order_by(F("due_on").asc(nulls_last=True), "id")
    met = EmployerContact.objects.live().filter(
        clients=client, contacted_on__gte=OuterRef("current_episode__enrolled_on")
    )
    fields = (
        "id", "current_episode__enrolled_on", "current_episode__closed_on",
        "specialist__first_name", "specialist__last_name", "specialist__username",
        "last_contact_on", "working", "job_title", "job_employer", "step_text", "step_due", "met",
    )  # fmt: skip
    rows = (
        Client.objects.filter(pk__in=client_ids)
        .with_last_contact()
        .with_working(today)
        .annotate(
            job_title=Subquery(jobs.values("title")[:1]),
            job_employer=Subquery(jobs.values("employer_name")[:1]),
            step_text=Subquery(steps.values("text")[:1]),
            step_due=Subquery(steps.values("due_on")[:1]),
            met=Exists(met),
        )
        .values_list(*fields)
    )
    return {row[0]: _Details(*row[1:]) for row in rows}


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One caseload row, every text worked out once, so the template only prints."""

    pk: int
    url: str
    quick_url: str
    first_name: str
    last_name: str
    status: str
    status_label: str
    badge: str
    working: bool
    job: str
    last_contact: str
    enrolled: str
    no_employer_contact: bool
    specialist: str
    next_step: str


_BADGES = {"enrolled": "primary", "referred": "info", "closed": "secondary"}


def _caseload_row(row: tuple[Any, ...], details: _Details, today: dt.date) -> CaseloadRow:
    pk, first_name, last_name, _total = row
    enrolled_on, closed_on = details.enrolled_on, details.closed_on
    status = "closed" if closed_on is not None else "enrolled" if enrolled_on else "referred"
    specialist = details[2:5]
    step = details.step_text or ""
    if step and details.step_due:
        step += f" (by {details.step_due.isoformat()})"
    return CaseloadRow(
        pk=pk,
        url=pk_url(pk, "clients:detail"),
        quick_url=pk_url(pk, "clients:contact_quick"),
        first_name=first_name,
        last_name=last_name,
        status=status,
        status_label=status.capitalize(),
        badge=_BADGES[status],
        working=details.working,
        job=f"{details.job_title} at {details.job_employer}" if details.job_title else "",
        last_contact=days_since(details.last_contact_on, today),
        enrolled=days_since(enrolled_on, today) if status == "enrolled" else "",
        no_employer_contact=not details.employer_contact_since_enrollment,
        specialist=staff_name(*specialist) if specialist[2] else "",
        next_step=step,
    )


@dataclass(frozen=True, slots=True)
class JobRow:
    """A job as the client page lists it."""

    pk: int
    title: str
    employer: str
    job_type: str
    started_on: str
    ended_on: str
    end_reason: str
    hours_per_week: str
    hourly_wage: str
    competitive: bool
    # Why it is not competitive (`clients.models.not_competitive_reasons`), "" when it is.
    why_not: str = ""


@dataclass(frozen=True, slots=True)
class ReferralRow:
    """A benefits referral as the client page lists it."""

    pk: int
    referred_on: str
    counselor: str
    benefits: str
    planning_completed_on: str


@dataclass(frozen=True, slots=True)
class EpisodeRow:
    """An episode as the client page lists it (dates as YYYY-MM-DD)."""

    referred_on: str
    enrolled_on: str
    closed_on: str
    closure_reason: str


@dataclass(frozen=True)
class ClientPage:
    """What the client page shows: a page of the timeline, and the jobs, referrals and
    episodes lists."""

    timeline: Page[TimelineItem]
    jobs: list[JobRow]
    referrals: list[ReferralRow]
    episodes: list[EpisodeRow]


def client_page(client: Client, *, number: int = 1, lists: bool = True) -> ClientPage:
    """The client page: page `number` of the timeline (one query, `clients.timeline`) and,
    with `lists`, the jobs, benefits referrals and episodes (one query)."""
    timeline = timeline_page(client.pk, number=number)
    if not lists:
        return ClientPage(timeline, [], [], [])
    return ClientPage(timeline, *_client_lists(client.pk))


# The client's jobs, benefits referrals and episodes, newest first, as three JSON arrays of
# what the lists print: one query for the three, and no model instances to build. No user input
# is part of the text.
_CLIENT_LISTS = """
SELECT
  (SELECT json_agg(json_build_array(j.id, j.title, COALESCE(em.name, 'Self-employed'),
                   j.job_type, j.started_on,
                   j.ended_on, j.end_reason, j.hours_per_week::text, j.hourly_wage::text,
                   j.competitive, j.set_aside, j.set_aside_kind, j.self_employed,
                   (j.hourly_wage + j.tips_per_hour)::text, p.counts_self_employment,
                   CASE WHEN NOT j.competitive THEN COALESCE(
                     (SELECT mw.hourly FROM ips_minimumwage mw
                       WHERE mw.program_id = c.program_id AND mw.effective_on <= j.started_on
                       ORDER BY mw.effective_on DESC LIMIT 1),
                     (SELECT mw.hourly FROM ips_minimumwage mw
                       WHERE mw.program_id = c.program_id ORDER BY mw.effective_on LIMIT 1)
                   )::text END) ORDER BY j.started_on DESC, j.id DESC)
     FROM clients_job j JOIN clients_client c ON c.id = j.client_id
          JOIN ips_program p ON p.id = c.program_id
          LEFT JOIN employers_employer em ON em.id = j.employer_id
    WHERE j.client_id = %(client)s AND j.archived_at IS NULL),
  (SELECT json_agg(json_build_array(r.id, r.referred_on, r.counselor, r.benefits,
                   r.planning_completed_on) ORDER BY r.referred_on DESC, r.id DESC)
     FROM clients_benefitsreferral r
    WHERE r.client_id = %(client)s AND r.archived_at IS NULL),
  (SELECT json_agg(json_build_array(e.referred_on, e.enrolled_on, e.closed_on,
                   e.closure_reason) ORDER BY e.referred_on DESC, e.id DESC)
     FROM clients_episode e WHERE e.client_id = %(client)s)
"""

_JOB_TYPES = dict(JobType.choices)
_END_REASONS = dict(JobEndReason.choices)
_CLOSURE_REASONS = dict(ClosureReason.choices)


def _json(value: Any) -> list[Any]:
    """A JSON array from the database (psycopg may hand it over decoded or as text)."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def _job_row(
    pk: int,
    title: str,
    employer: str,
    job_type: str,
    started_on: str,
    ended_on: str | None,
    end_reason: str,
    hours: str,
    wage: str,
    competitive: bool,
    set_aside: bool,
    set_aside_kind: str,
    self_employed: bool,
    pay: str,
    counts_self_employment: bool,
    minimum_wage: str | None,
) -> JobRow:
    """A job of the client page, with why it is not competitive when it is not."""
    why_not = (
        ""
        if competitive
        else "; ".join(
            not_competitive_reasons(
                set_aside=set_aside,
                set_aside_kind=set_aside_kind,
                self_employed=self_employed,
                counts_self_employment=counts_self_employment,
                pay=Decimal(pay),
                minimum_wage=Decimal(minimum_wage) if minimum_wage is not None else None,
            )
        )
    )
    return JobRow(
        pk,
        title,
        employer,
        _JOB_TYPES.get(job_type, job_type),
        started_on,
        ended_on or "",
        _END_REASONS.get(end_reason, end_reason),
        hours,
        wage,
        competitive,
        why_not,
    )


def _client_lists(client_id: int) -> tuple[list[JobRow], list[ReferralRow], list[EpisodeRow]]:
    if connection.vendor != "postgresql":
        jobs, referrals, episodes = _portable_client_lists(client_id)
    else:
        with connection.cursor() as cursor:
            cursor.execute(_CLIENT_LISTS, {"client": client_id})
            jobs, referrals, episodes = (_json(value) for value in cursor.fetchone())
    return (
        [_job_row(*job) for job in jobs],
        [
            ReferralRow(pk, referred_on, counselor, ", ".join(benefits or []).upper(), done or "")
            for pk, referred_on, counselor, benefits, done in referrals
        ],
        [
            EpisodeRow(referred, enrolled or "", closed or "", _CLOSURE_REASONS.get(why, why))
            for referred, enrolled, closed, why in episodes
        ],
    )


def _as_json(value: Any) -> Any:
    """A value as `_CLIENT_LISTS`'s JSON gives it: dates as YYYY-MM-DD, amounts as text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def _portable_client_lists(client_id: int) -> tuple[list[Any], list[Any], list[Any]]:
    """The three arrays of `_CLIENT_LISTS` through the ORM, for a database without json_agg
    (the SQLite fallback of `make run`)."""
    fields = (
        "id", "title", "employer_name", "job_type", "started_on", "ended_on", "end_reason",
        "hours_per_week", "hourly_wage", "competitive", "set_aside", "set_aside_kind",
        "self_employed", "wage_with_tips", "client__program__counts_self_employment",
        "minimum_wage",
    )  # fmt: skip
    jobs = (
        Job.objects.live()
        .filter(client_id=client_id)
        .with_competitive()
        .with_employer_name()
        .with_wage_with_tips()
        .order_by("-started_on", "-id")
        .values_list(*fields)
    )
    referrals = (
        BenefitsReferral.objects.live()
        .filter(client_id=client_id)
        .order_by("-referred_on", "-id")
        .values_list("id", "referred_on", "counselor", "benefits", "planning_completed_on")
    )
    episodes = (
        Episode.objects.filter(client_id=client_id)
        .order_by("-referred_on", "-id")
        .values_list("referred_on", "enrolled_on", "closed_on", "closure_reason")
    )
    return (
        [[_as_json(value) for value in row] for row in jobs],
        [[_as_json(value) for value in row] for row in referrals],
        [[_as_json(value) for value in row] for row in episodes],
    )


def duplicates_seen_by(viewer: User, duplicates: list[Client]) -> tuple[list[Client], int]:
    """The possible duplicates of a new client that `viewer` may see (named and linked, the
    read recorded), and how many others there are in programs they may not see (counted only:
    neither name nor program of those is shown)."""
    if not duplicates:
        return [], 0
    seen = list(
        Client.objects.visible_to(viewer)
        .filter(pk__in=[client.pk for client in duplicates])
        .select_related("program", "current_episode")
        .order_by("pk")
    )
    return seen, len(duplicates) - len(seen)
