"""The scale's Services section (items 12-25): benefits planning, rapid job search, employer
contact, the jobs and follow-along supports. (The section of the fidelity scale, not a layer of
writes.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
)

from clients.models import BenefitsReferral, Episode, Job
from employers.models import EmployerContact
from fidelity.evidence.registry import (
    Indicator,
    Pseudonyms,
    Window,
    days_between,
    indicator,
    indicator_result,
    percent_label,
    rows_of,
    score_from,
    share_of,
)
from ips.models import Role, StaffRole
from outcomes import definitions
from outcomes.definitions import COUNTED_EMPLOYER_CONTACT

# Item 23: "seen for four months or more" after the job start.
FOLLOW_ALONG_DAYS = 120


# --- Item 12: benefits planning ---------------------------------------------------------------


def _offered(window: Window) -> Exists:
    """The client has a referral to benefits planning made by the window's end."""
    return Exists(
        BenefitsReferral.objects.live().filter(
            client=OuterRef("pk"), referred_on__lte=window.period.last
        )
    )


def _served(window: Window) -> Any:
    return definitions.caseload(window.period, window.clients())


@indicator("benefits_planning_offered", item=12, label="Clients offered benefits planning")
def benefits_planning_offered(window: Window) -> Indicator:
    """Clients served in the window (all of them are working or looking for work: that is what
    enrollment means) with a referral to benefits planning made by the window's end."""
    counts = _served(window).aggregate(
        served=Count("id"), offered=Count("id", filter=_offered(window))
    )
    share = share_of(counts["offered"], counts["served"])
    return indicator_result(
        window,
        "benefits_planning_offered",
        share,
        percent_label(share) if share is not None else "",
        detail=f"{counts['offered']} of {counts['served']} clients",
    )


@rows_of("benefits_planning_offered")
def _benefits_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    return [
        {
            "Client": names.name(row["id"]),
            "Offered benefits planning": "yes" if row["offered"] else "no",
        }
        for row in _served(window)
        .annotate(offered=_offered(window))
        .order_by("id")
        .values("id", "offered")
    ]


# --- Item 15: rapid job search ----------------------------------------------------------------


def _enrolled(window: Window) -> Any:
    episodes = Episode.objects.filter(client__in=window.clients())
    return definitions.enrolled_in(window.period, episodes)


@indicator("days_to_employer_contact", item=15, label="Mean days to first employer contact")
def days_to_employer_contact(window: Window) -> Indicator:
    """Mean days from enrollment to the first face-to-face employer contact on the client's
    behalf, over clients enrolled in the window who have had one (`enrolled_in`)."""
    gap = ExpressionWrapper(
        F("first_employer_contact_on") - F("enrolled_on"), output_field=DurationField()
    )
    row = _enrolled(window).aggregate(
        enrolled=Count("id"),
        contacted=Count("id", filter=Q(first_employer_contact_on__isnull=False)),
        mean=Avg(gap),
    )
    mean = row["mean"].total_seconds() / 86400 if row["mean"] is not None else None
    # ≤30 days → 5, 31-60 → 4, 61-150 → 3, 151-270 → 2, ≥271 → 1.
    suggested = None if mean is None else 5 - sum(mean > edge for edge in (30, 60, 150, 270))
    return indicator_result(
        window,
        "days_to_employer_contact",
        mean,
        f"{mean:.1f} days" if mean is not None else "",
        suggested=suggested,
        detail=f"{row['contacted']} of {row['enrolled']} clients enrolled in the window have "
        "met an employer",
    )


@rows_of("days_to_employer_contact")
def _enrolled_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = _enrolled(window).order_by("enrolled_on", "id")
    return [
        {
            "Client": names.name(row.client_id),
            "Days to first employer contact": days_between(
                row.first_employer_contact_on, row.enrolled_on
            )
            if row.first_employer_contact_on
            else "none yet",
        }
        for row in rows
    ]


# --- Item 17: frequent employer contact -------------------------------------------------------


def _employer_contacts(window: Window) -> Any:
    contacts = EmployerContact.objects.filter(employer__program_id=window.program_id)
    return definitions.employer_contacts(window.period, contacts).filter(face_to_face=True)


def _specialist_count(window: Window) -> int:
    return (
        StaffRole.objects.filter(role=Role.SPECIALIST, program_id=window.program_id)
        .values("user_id")
        .distinct()
        .count()
    )


@indicator("employer_contacts_per_week", item=17, label="Face-to-face employer contacts per week")
def employer_contacts_per_week(window: Window) -> Indicator:
    """Face-to-face employer contacts in the window per specialist of the program per week, and
    the share with someone who hires (`COUNTED_EMPLOYER_CONTACT`)."""
    counts = _employer_contacts(window).aggregate(
        total=Count("id"), hiring=Count("id", filter=COUNTED_EMPLOYER_CONTACT)
    )
    specialists = _specialist_count(window)
    if not counts["total"] or not specialists:
        return indicator_result(window, "employer_contacts_per_week", None, "")
    rate = counts["total"] / specialists / window.weeks()
    hiring = counts["hiring"] / counts["total"]
    return indicator_result(
        window,
        "employer_contacts_per_week",
        rate,
        f"{rate:.1f} per specialist per week; {percent_label(hiring)} with a hiring manager",
        suggested=score_from(rate, (2, 4, 5, 6)),
        detail=f"{counts['total']} contacts, {specialists} specialists, {window.weeks():.1f} weeks",
    )


@rows_of("employer_contacts_per_week")
def _employer_contact_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = (
        _employer_contacts(window)
        .values("specialist__first_name", "specialist__last_name")
        .annotate(total=Count("id"), hiring=Count("id", filter=COUNTED_EMPLOYER_CONTACT))
        .order_by("specialist__last_name")
    )
    return [
        {
            "Specialist": f"{row['specialist__first_name']} {row['specialist__last_name']}",
            "Face-to-face contacts": row["total"],
            "With a hiring manager": row["hiring"],
            "Per week": round(row["total"] / window.weeks(), 1),
        }
        for row in rows
    ]


# --- Items 19, 20, 21: the jobs ---------------------------------------------------------------


def _jobs_started(window: Window) -> Any:
    return Job.objects.live().filter(
        client__in=window.clients(),
        started_on__range=(window.period.first, window.period.last),
    )


def _jobs_held(window: Window) -> Any:
    """Jobs held on at least one day of the window."""
    return Job.objects.live().filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=window.period.first),
        client__in=window.clients(),
        started_on__lte=window.period.last,
    )


def _diversity(window: Window, key: str, field_name: str) -> Indicator:
    row = _jobs_started(window).aggregate(jobs=Count("id"), kinds=Count(field_name, distinct=True))
    share = share_of(row["kinds"], row["jobs"])
    return indicator_result(
        window,
        key,
        share,
        percent_label(share) if share is not None else "",
        suggested=score_from(share, (0.50, 0.60, 0.70, 0.85)),
        detail=f"{row['kinds']} different among {row['jobs']} jobs started",
    )


@indicator("job_type_diversity", item=19, label="Different job types among jobs started")
def job_type_diversity(window: Window) -> Indicator:
    """Distinct job types ÷ jobs started in the window."""
    return _diversity(window, "job_type_diversity", "job_type")


@indicator("employer_diversity", item=20, label="Different employers among jobs started")
def employer_diversity(window: Window) -> Indicator:
    """Distinct employers ÷ jobs started in the window."""
    return _diversity(window, "employer_diversity", "employer_id")


@indicator("competitive_share", item=21, label="Share of jobs held that are competitive")
def competitive_share(window: Window) -> Indicator:
    """Competitive jobs (the one definition) among all jobs held in the window. Fewer than ten
    jobs suggest a 1, as the anchor says."""
    held = _jobs_held(window)
    total = held.count()
    competitive = held.competitive().count()
    share = share_of(competitive, total)
    suggested = score_from(share, (0.64, 0.75, 0.85, 0.95))
    if share is not None and total < 10:
        suggested = 1
    return indicator_result(
        window,
        "competitive_share",
        share,
        percent_label(share) if share is not None else "",
        suggested=suggested,
        detail=f"{competitive} of {total} jobs held",
    )


def _job_rows(window: Window, names: Pseudonyms, jobs: Any) -> list[dict[str, Any]]:
    competitive = set(jobs.competitive().values_list("id", flat=True))
    rows = jobs.select_related("employer").order_by("started_on", "id")
    return [
        {
            "Client": names.name(job.client_id),
            "Job type": job.get_job_type_display(),
            "Employer": job.employer_label,
            "Competitive": "yes" if job.pk in competitive else "no",
        }
        for job in rows
    ]


rows_of("job_type_diversity")(lambda window, names: _job_rows(window, names, _jobs_started(window)))
rows_of("employer_diversity")(lambda window, names: _job_rows(window, names, _jobs_started(window)))
rows_of("competitive_share")(lambda window, names: _job_rows(window, names, _jobs_held(window)))


# --- Items 22 and 23: follow-along supports ---------------------------------------------------


def _supported_jobs(window: Window) -> Any:
    """Jobs held in the window, each with the supports its client had from the job's start to
    the window's end: how many, of how many kinds, and the latest."""
    on_or_after_start = Q(
        client__supports__archived_at__isnull=True,
        client__supports__provided_on__gte=F("started_on"),
        client__supports__provided_on__lte=window.period.last,
    )
    return _jobs_held(window).annotate(
        support_count=Count("client__supports", filter=on_or_after_start),
        support_kinds=Count("client__supports__kind", filter=on_or_after_start, distinct=True),
        last_support_on=Max("client__supports__provided_on", filter=on_or_after_start),
    )


@indicator("follow_along_reach", item=22, label="Working clients given follow-along supports")
def follow_along_reach(window: Window) -> Indicator:
    """Jobs held in the window whose client had at least one support since the start, and how
    varied the supports were."""
    jobs = list(_supported_jobs(window).values("support_count", "support_kinds"))
    if not jobs:
        return indicator_result(window, "follow_along_reach", None, "")
    supported = [job for job in jobs if job["support_count"]]
    share = len(supported) / len(jobs)
    kinds = sum(job["support_kinds"] for job in supported) / len(supported) if supported else 0
    return indicator_result(
        window,
        "follow_along_reach",
        share,
        f"{percent_label(share)} of jobs supported; {kinds:.1f} kinds of support on average",
        detail=f"{len(supported)} of {len(jobs)} jobs held",
    )


@indicator("follow_along_duration", item=23, label="Follow-along lasting four months or more")
def follow_along_duration(window: Window) -> Indicator:
    """Of the jobs started at least 120 days before the window's end, the share whose client
    still had a support 120 days or more after the start. Suggests at most a 3: the finer
    timings of a 4 or 5 are for the reviewer to judge from the rows."""
    cutoff = window.period.last - dt.timedelta(days=FOLLOW_ALONG_DAYS)
    jobs = list(
        _supported_jobs(window)
        .filter(started_on__lte=cutoff)
        .values("started_on", "last_support_on")
    )
    if not jobs:
        return indicator_result(window, "follow_along_duration", None, "")
    lasting = sum(
        1
        for job in jobs
        if job["last_support_on"]
        and (job["last_support_on"] - job["started_on"]).days >= FOLLOW_ALONG_DAYS
    )
    after_first_month = sum(
        1
        for job in jobs
        if job["last_support_on"] and (job["last_support_on"] - job["started_on"]).days > 30
    )
    share = lasting / len(jobs)
    suggested = 1 if not after_first_month else (3 if share >= 0.5 else 2)
    return indicator_result(
        window,
        "follow_along_duration",
        share,
        percent_label(share),
        suggested=suggested,
        detail=f"{lasting} of {len(jobs)} jobs started 4+ months before the window's end",
    )


def _support_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = _supported_jobs(window).order_by("started_on", "id")
    return [
        {
            "Client": names.name(job.client_id),
            "Supports since the start": job.support_count,
            "Kinds of support": job.support_kinds,
            "Days from start to latest support": days_between(job.last_support_on, job.started_on)
            if job.last_support_on
            else "",
        }
        for job in rows
    ]


rows_of("follow_along_reach")(_support_rows)
rows_of("follow_along_duration")(_support_rows)
