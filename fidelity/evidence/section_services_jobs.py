"""The scale's Services section, second part: the jobs (19-21) and follow-along supports
(22-23)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower, Trim

from clients.models import Job, Support
from fidelity.evidence.registry import (
    Indicator,
    Pseudonyms,
    Window,
    days_between,
    indicator,
    indicator_result,
    not_available,
    percent_label,
    rows_of,
    score_from,
    share_of,
)

# Items 19 and 20 need this many jobs before a share means anything (one job is 100 %).
MIN_JOBS = 5
# Item 23: "seen for four months or more" after the job start.
FOLLOW_ALONG_DAYS = 120
FIRST_MONTH_DAYS = 30


def _jobs_held(window: Window) -> Any:
    """Jobs held on at least one day of the window."""
    return Job.objects.live().filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=window.period.first),
        client__in=window.clients(),
        started_on__lte=window.period.last,
    )


# --- Items 19, 20, 21: the jobs ---------------------------------------------------------------

# Two jobs are of the same type when their titles are (ignoring case and spaces at the ends):
# "Dishwasher" twice is one type, "Dishwasher" and "Line cook" two, whatever the broad group.
JOB_TITLE = Lower(Trim("title"))


def _diversity(window: Window, key: str, kind: Any, what: str) -> Indicator:
    row = _jobs_held(window).aggregate(jobs=Count("id"), kinds=Count(kind, distinct=True))
    if not row["jobs"]:
        return indicator_result(window, key, None, "")
    if row["jobs"] < MIN_JOBS:
        return not_available(window, key, f"{row['jobs']} jobs held, fewer than {MIN_JOBS}")
    share = row["kinds"] / row["jobs"]
    return indicator_result(
        window,
        key,
        share,
        percent_label(share),
        suggested=score_from(share, (0.50, 0.60, 0.70, 0.85)),
        detail=f"{row['kinds']} different {what} among {row['jobs']} jobs held",
    )


@indicator("job_type_diversity", item=19, label="Different kinds of job among jobs held")
def job_type_diversity(window: Window) -> Indicator:
    """Distinct job titles ÷ jobs held in the window (five or more). Titles, not the handful of
    broad job types: forty starts can never be 50 % diverse across fourteen types."""
    return _diversity(window, "job_type_diversity", JOB_TITLE, "job titles")


@indicator("employer_diversity", item=20, label="Different employers among jobs held")
def employer_diversity(window: Window) -> Indicator:
    """Distinct employers ÷ jobs held in the window (five or more)."""
    return _diversity(window, "employer_diversity", "employer_id", "employers")


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


def _job_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    jobs = _jobs_held(window)
    competitive = set(jobs.competitive().values_list("id", flat=True))
    rows = jobs.select_related("employer").order_by("started_on", "id")
    return [
        {
            "Client": names.name(job.client_id),
            "Job title": job.title,
            "Job type": job.get_job_type_display(),
            "Employer": job.employer_label,
            "Competitive": "yes" if job.pk in competitive else "no",
        }
        for job in rows
    ]


rows_of("job_type_diversity")(_job_rows)
rows_of("employer_diversity")(_job_rows)
rows_of("competitive_share")(_job_rows)


# --- Items 22 and 23: follow-along supports ---------------------------------------------------


def supports_of_job(window: Window) -> Any:
    """Live supports for the job (`OuterRef`) given from its start to the window's end: those
    recorded for it, and those recorded for no job while it was held by its client."""
    unlinked = Q(
        job__isnull=True,
        client=OuterRef("client"),
        provided_on__lte=Coalesce(OuterRef("ended_on"), Value(window.period.last)),
    )
    return Support.objects.live().filter(
        Q(job=OuterRef("pk")) | unlinked,
        provided_on__gte=OuterRef("started_on"),
        provided_on__lte=window.period.last,
    )


def _supported_jobs(window: Window) -> Any:
    """Jobs held in the window, each with its latest support and whether one came after the
    first month."""
    supports = supports_of_job(window)
    after_first_month = supports.filter(
        provided_on__gt=OuterRef("started_on") + dt.timedelta(days=FIRST_MONTH_DAYS)
    )
    return _jobs_held(window).annotate(
        supported=Exists(supports),
        supported_later=Exists(after_first_month),
        last_support_on=Subquery(supports.order_by("-provided_on").values("provided_on")[:1]),
    )


def _support_mix(window: Window) -> dict[str, int]:
    """The supports given in the window to the program's clients: how many, how many the
    specialist gave, from how many kinds of provider, and how many for career development."""
    return (
        Support.objects.live()
        .filter(
            client__in=window.clients(),
            provided_on__range=(window.period.first, window.period.last),
        )
        .aggregate(
            total=Count("id"),
            by_specialist=Count("id", filter=Q(provider=Support.Provider.SPECIALIST)),
            providers=Count("provider", distinct=True),
            career=Count("id", filter=Q(kind=Support.Kind.CAREER)),
        )
    )


def _reach_score(share: float, mix: dict[str, int]) -> int:
    """Under 40 % supported: most get none (1); under 60 %: about half (2); most supported but
    three quarters of the supports from the specialist or fewer than three kinds of provider: a
    narrow range (3); from many people: 4, and 5 with career-development help."""
    if share < 0.40:
        return 1
    if share < 0.60:
        return 2
    narrow = mix["providers"] < 3 or (mix["by_specialist"] / mix["total"] >= 0.75)
    if not mix["total"] or narrow:
        return 3
    return 5 if mix["career"] else 4


@indicator("follow_along_reach", item=22, label="Working clients given follow-along supports")
def follow_along_reach(window: Window) -> Indicator:
    """Jobs held in the window with a support (for that job) since the start, and who gave the
    supports given in the window (`_reach_score`)."""
    counts = _jobs_held(window).aggregate(
        jobs=Count("id"), supported=Count("id", filter=Q(Exists(supports_of_job(window))))
    )
    if not counts["jobs"]:
        return indicator_result(window, "follow_along_reach", None, "")
    share = counts["supported"] / counts["jobs"]
    mix = _support_mix(window)
    by_specialist = share_of(mix["by_specialist"], mix["total"])
    given_by = (
        f"{percent_label(by_specialist)} given by the specialist, {mix['providers']} kinds of "
        f"provider, {mix['career']} for career development"
        if by_specialist is not None
        else "no support given in the window"
    )
    return indicator_result(
        window,
        "follow_along_reach",
        share,
        f"{percent_label(share)} of jobs supported; {given_by}",
        suggested=_reach_score(share, mix),
        detail=f"{counts['supported']} of {counts['jobs']} jobs held. Whether the supports fit "
        "each person, and employer support on request, are for the reviewer",
    )


def _four_months(window: Window) -> Any:
    """Jobs held in the window that were held four months or more by its end: started 120 days
    or more before it and not ended within 120 days of the start."""
    cutoff = window.period.last - dt.timedelta(days=FOLLOW_ALONG_DAYS)
    return (
        _supported_jobs(window)
        .filter(started_on__lte=cutoff)
        .filter(
            Q(ended_on__isnull=True)
            | Q(ended_on__gte=F("started_on") + dt.timedelta(days=FOLLOW_ALONG_DAYS))
        )
    )


@indicator("follow_along_duration", item=23, label="Follow-along lasting four months or more")
def follow_along_duration(window: Window) -> Indicator:
    """Of the jobs held four months or more by the window's end (`_four_months`), the share
    with a support for that job 120 days or more after the start. None seen after the first
    month suggests a 1, under half a 2, half or more a 3; the finer timings of a 4 or 5 are for
    the reviewer to judge from the rows."""
    jobs = list(_four_months(window).values("started_on", "last_support_on", "supported_later"))
    if not jobs:
        return indicator_result(window, "follow_along_duration", None, "")
    lasting = sum(
        1
        for job in jobs
        if job["last_support_on"]
        and (job["last_support_on"] - job["started_on"]).days >= FOLLOW_ALONG_DAYS
    )
    share = lasting / len(jobs)
    later = any(job["supported_later"] for job in jobs)
    suggested = 1 if not later else (3 if share >= 0.5 else 2)
    return indicator_result(
        window,
        "follow_along_duration",
        share,
        percent_label(share),
        suggested=suggested,
        detail=f"{lasting} of {len(jobs)} jobs held four months or more were supported four "
        "months or more after the start",
    )


def _support_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = _supported_jobs(window).order_by("started_on", "id")
    return [
        {
            "Client": names.name(job.client_id),
            "Supported since the start": "yes" if job.supported else "no",
            "Days from start to latest support": days_between(job.last_support_on, job.started_on)
            if job.last_support_on
            else "",
        }
        for job in rows
    ]


rows_of("follow_along_reach")(_support_rows)
rows_of("follow_along_duration")(_support_rows)
