"""The outcome definitions: the one source for reports, roll-ups, supervision, nudges and evidence.

Each function answers one question of `../shared/ips-reference.md` section 4 as a queryset, so a
page can list the rows behind a number (the drill-down) and a report can count them in SQL
(`.values(<group>).annotate(Count(...))`) from the same condition. Callers narrow the rows first
(`clients=Client.objects.filter(program=...)`, `visible_to(user)`); nothing here knows about users.

Dates are the program's local calendar dates. Archived records (entered in error) never count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Aggregate,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest, Least

from clients.models import (
    BenefitsReferral,
    Client,
    Contact,
    EducationEnrollment,
    Episode,
    Job,
    SpecialistAssignment,
    Support,
)
from employers.models import COUNTED, EmployerContact
from ips.calendar import Period, signal_cutoff

# What the weekly employer-contact target counts: face to face with someone who hires (the
# condition the job-development log itself counts with).
COUNTED_EMPLOYER_CONTACT = COUNTED

# Benchmarks for the quarterly competitive employment rate (IPS learning collaborative).
BENCHMARKS = (("Minimum standard", 0.31), ("Average", 0.41), ("Excellent", 0.50))
# Benchmark of the out-of-work rate (IPS Grow, England).
OUT_OF_WORK_BENCHMARK = 0.40
# How long a job must last to count as retained (`jobs_reaching_90_days`).
RETENTION_DAYS = 90


class DaysBetween(Func):
    """Whole days from the date `earlier` to the date `later` (NULL if either is NULL)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        # SQLite keeps dates as text; julianday() turns them into day numbers.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class Median(Aggregate):
    """The median of a number over the group (the mean of the two middle values when even);
    NULL over no rows. PostgreSQL's percentile_cont; the SQLite fallback registers a `median`
    aggregate of its own (`outcomes.apps`)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return super().as_sql(
            compiler, connection, function="median", template="%(function)s(%(expressions)s)"
        )


def median_sql(vendor: str) -> str:
    """The median of a column as SQL (`.format(column)`), for queries written by hand."""
    if vendor == "sqlite":
        return "median({})"
    return "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {})"


def rate(working: int, caseload: int) -> float | None:
    """The competitive employment rate as a fraction; None (no rate) for an empty caseload."""
    return working / caseload if caseload else None


# --- Periods as conditions -------------------------------------------------------------------
# Each number below is a condition on rows that is true when the row falls in a period. The
# single-period querysets (the drill-down lists) and the many-period tallies (the roll-ups)
# are both built from these, so a stored number and the rows listed behind it cannot differ.


def overlapping(first: Any, last: Any, *, start: str, end: str, prefix: str = "") -> Q:
    """Rows running from `start` to `end` (no end: still running) with a day in [first, last]:
    started on or before the last day and not ended before the first (ending on the first day
    is in; starting on the last day is in)."""
    return Q(**{f"{prefix}{start}__lte": last}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": first})
    )


def dated_in(period: Period, field: str) -> Q:
    """Rows whose date `field` falls in the period (its first and last days included)."""
    return Q(**{f"{field}__range": (period.first, period.last)})


def episode_in(period: Period, prefix: str = "") -> Q:
    """Enrollment episodes that overlap the period: enrolled on or before its last day and not
    closed before its first (closed on the first day is in; enrolled on the last day is in)."""
    return Q(**{f"{prefix}enrolled_on__isnull": False}) & overlapping(
        period.first, period.last, start="enrolled_on", end="closed_on", prefix=prefix
    )


def held_while_enrolled(period: Period, enrolled_on: Any, closed_on: Any) -> Q:
    """Jobs whose [start, end] (an open job has no end) overlaps the part of the period inside
    the episode running from `enrolled_on` to `closed_on` (expressions for the episode's
    columns); the episode itself must overlap the period (`episode_in`)."""
    return Q(started_on__lte=Least(Coalesce(closed_on, period.last), period.last)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=Greatest(enrolled_on, period.first))
    )


# --- Clients on the caseload ------------------------------------------------------------------


def _live_clients(clients: QuerySet[Client] | None) -> QuerySet[Client]:
    return (Client.objects.all() if clients is None else clients).filter(archived_at__isnull=True)


def _episodes_overlapping(period: Period) -> QuerySet[Episode]:
    return Episode.objects.filter(episode_in(period))


def caseload(period: Period, clients: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """Caseload (served): distinct clients with an enrollment episode that overlaps the period."""
    episodes = _episodes_overlapping(period).filter(client=OuterRef("pk"))
    return _live_clients(clients).filter(Exists(episodes))


def out_of_work_caseload(
    period: Period, clients: QuerySet[Client] | None = None
) -> QuerySet[Client]:
    """The out-of-work rate's caseload: caseload clients with an episode overlapping the period
    in which they were not working when referred (`employed_at_referral` false)."""
    episodes = _episodes_overlapping(period).filter(
        client=OuterRef("pk"), employed_at_referral=False
    )
    return _live_clients(clients).filter(Exists(episodes))


def _competitive_jobs() -> QuerySet[Job]:
    return Job.objects.live().competitive()


def working(
    period: Period, clients: QuerySet[Client] | None = None, *, out_of_work: bool = False
) -> QuerySet[Client]:
    """Working: caseload clients who held a competitive job on at least one day of the period
    while enrolled. The job's [start, end] (an open job has no end) overlaps the part of the
    period inside an enrollment episode; two jobs count the client once. `out_of_work`: only
    jobs held during an episode in which the client was not working when referred (the
    out-of-work rate's working clients)."""
    jobs_in_episode = _competitive_jobs().filter(
        held_while_enrolled(period, OuterRef("enrolled_on"), OuterRef("closed_on")),
        client=OuterRef("client"),
    )
    # Implied by the condition above; stated with constants so the database can drop the
    # jobs outside the period before it works out their minimum wage.
    jobs_in_episode = jobs_in_episode.filter(
        overlapping(period.first, period.last, start="started_on", end="ended_on")
    )
    episodes = (
        _episodes_overlapping(period).filter(client=OuterRef("pk")).filter(Exists(jobs_in_episode))
    )
    if out_of_work:
        episodes = episodes.filter(employed_at_referral=False)
    return _live_clients(clients).filter(Exists(episodes))


def _enrolled_on(jobs: QuerySet[Job], day: str) -> QuerySet[Job]:
    """Jobs whose client was enrolled on the job's date `day` (its start or its end)."""
    enrolled = Episode.objects.filter(
        client=OuterRef("client"),
        enrolled_on__isnull=False,
        enrolled_on__lte=OuterRef(day),
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=OuterRef(day)))
    return jobs.filter(Exists(enrolled))


def _enrolled_on_the_start(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """Jobs that started while their client was enrolled."""
    return _enrolled_on(jobs, "started_on")


def _live_jobs(jobs: QuerySet[Job] | None) -> QuerySet[Job]:
    return (Job.objects.all() if jobs is None else jobs).filter(
        archived_at__isnull=True, client__archived_at__isnull=True
    )


def _job_starts(jobs: QuerySet[Job] | None) -> QuerySet[Job]:
    """Live competitive jobs that started while the client was enrolled, whenever."""
    return _enrolled_on_the_start(_live_jobs(jobs).competitive())


def job_starts(period: Period, jobs: QuerySet[Job] | None = None) -> QuerySet[Job]:
    """Job starts: competitive jobs that started in the period while the client was enrolled
    (a client with two new jobs gives two)."""
    return _job_starts(jobs).filter(dated_in(period, "started_on"))


def _with_first_competitive(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """Jobs with `first_competitive_on`: the start of their client's first live competitive
    job ever (worked out once per row, whatever the number of periods asked about)."""
    first = (
        _competitive_jobs()
        .filter(client=OuterRef("client"))
        .order_by("started_on")
        .values("started_on")[:1]
    )
    return jobs.annotate(first_competitive_on=Subquery(first))


def _first_start_in(period: Period) -> Q:
    """Job starts (`_with_first_competitive`) in the period by a client with no competitive job
    started before it."""
    return dated_in(period, "started_on") & Q(first_competitive_on__gte=period.first)


def first_job_starts(period: Period, clients: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """First job starts: clients whose first-ever competitive job started in the period."""
    starts = _with_first_competitive(_job_starts(None)).filter(
        _first_start_in(period), client=OuterRef("pk")
    )
    return _live_clients(clients).filter(Exists(starts))


def _education_in(period: Period, episodes: str = "") -> Q:
    """Courses with a day in the period, of a client with an episode overlapping it: the
    client's episodes paired with the course through `episodes` (a path such as
    "client__episodes__"), or looked up when no path is given."""
    courses = overlapping(period.first, period.last, start="started_on", end="ended_on")
    if episodes:
        return courses & episode_in(period, episodes)
    enrolled = _episodes_overlapping(period).filter(client=OuterRef("client"))
    return courses & Q(Exists(enrolled))


def in_education(period: Period, clients: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """In education: caseload clients enrolled in school or training on a day of the period."""
    courses = EducationEnrollment.objects.filter(
        _education_in(period), client=OuterRef("pk"), archived_at__isnull=True
    )
    return _live_clients(clients).filter(Exists(courses))


def _job_endings(jobs: QuerySet[Job] | None) -> QuerySet[Job]:
    """Live competitive jobs that ended while the client was enrolled, whenever."""
    return _enrolled_on(_live_jobs(jobs).competitive(), "ended_on")


def job_endings(period: Period, jobs: QuerySet[Job] | None = None) -> QuerySet[Job]:
    """Job endings: competitive jobs whose end date falls in the period while the client was
    enrolled, on the same footing as job starts (a set-aside job or one paid under the minimum
    wage neither starts nor ends a competitive job); group by `end_reason`."""
    return _job_endings(jobs).filter(dated_in(period, "ended_on"))


def retention_window(period: Period, as_of: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The start dates of the jobs whose 90th day falls in the period, up to `as_of` (the
    period's last day, or today while it is open): a job's 90th day not yet reached is not
    counted."""
    last = min(period.last, as_of or period.last)
    days = dt.timedelta(days=RETENTION_DAYS)
    return period.first - days, last - days


def kept_90_days() -> Q:
    """Jobs still held on their 90th day: open, or ended on or after it."""
    return Q(ended_on__isnull=True) | Q(
        ended_on__gte=F("started_on") + dt.timedelta(days=RETENTION_DAYS)
    )


def jobs_reaching_90_days(
    period: Period, jobs: QuerySet[Job] | None = None, as_of: dt.date | None = None
) -> QuerySet[Job]:
    """90-day retention: the job starts (`job_starts`) whose 90th day falls in the period (up to
    `as_of`); those also matching `kept_90_days` were still held 90 days later."""
    return _job_starts(jobs).filter(started_on__range=retention_window(period, as_of))


def new_enrollments(period: Period, episodes: QuerySet[Episode] | None = None) -> QuerySet[Episode]:
    """New enrollments: episodes whose enrollment date falls in the period (a client enrolled
    twice in it gives two)."""
    base = Episode.objects.all() if episodes is None else episodes
    return base.filter(client__archived_at__isnull=True).filter(dated_in(period, "enrolled_on"))


def closures(period: Period, episodes: QuerySet[Episode] | None = None) -> QuerySet[Episode]:
    """Closures: enrolled episodes whose closure date falls in the period (group by
    `closure_reason`); a referral closed before enrollment is not a closure of the caseload."""
    base = Episode.objects.all() if episodes is None else episodes
    return base.filter(client__archived_at__isnull=True, enrolled_on__isnull=False).filter(
        dated_in(period, "closed_on")
    )


def _held_on(day: dt.date) -> Q:
    return overlapping(day, day, start="started_on", end="ended_on")


def current_jobs(day: dt.date, jobs: QuerySet[Job] | None = None) -> QuerySet[Job]:
    """Competitive jobs held on `day` (average hours and wage are taken over these)."""
    return _live_jobs(jobs).competitive().filter(_held_on(day))


def with_first_events(episodes: QuerySet[Episode] | None = None) -> QuerySet[Episode]:
    """Episodes with `first_employer_contact_on` (the first face-to-face employer contact on
    the client's behalf on or after enrollment) and `first_job_on` (the first competitive job
    start on or after enrollment); None when none yet."""
    base = Episode.objects.all() if episodes is None else episodes
    first_contact = (
        EmployerContact.objects.filter(
            archived_at__isnull=True,
            face_to_face=True,
            clients=OuterRef("client"),
            contacted_on__gte=OuterRef("enrolled_on"),
        )
        .order_by("contacted_on")
        .values("contacted_on")[:1]
    )
    first_job = (
        _competitive_jobs()
        .filter(client=OuterRef("client"), started_on__gte=OuterRef("enrolled_on"))
        .order_by("started_on")
        .values("started_on")[:1]
    )
    return base.filter(client__archived_at__isnull=True).annotate(
        first_employer_contact_on=first_contact, first_job_on=first_job
    )


def enrolled_in(period: Period, episodes: QuerySet[Episode] | None = None) -> QuerySet[Episode]:
    """Episodes that began (enrollment date) in the period, `with_first_events`. Days to either
    is that date minus `enrolled_on`."""
    return with_first_events(episodes).filter(dated_in(period, "enrolled_on"))


# --- Per specialist, at the time ---------------------------------------------------------------
# A client, a job start or a contact counts for the specialist assigned to the client at that
# time (`SpecialistAssignment`), so a reassignment never changes a past period.


def _spell_overlaps(first: Any, last: Any, prefix: str = "") -> Q:
    """Assignment spells (no start: since the record began; no end: still open) with a day in
    [first, last]."""
    return (
        Q(**{f"{prefix}started_on__isnull": True}) | Q(**{f"{prefix}started_on__lte": last})
    ) & (Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": first}))


def spells_in(
    period: Period, assignments: QuerySet[SpecialistAssignment] | None = None
) -> QuerySet[SpecialistAssignment]:
    """Assignment spells of live clients with a day in the period."""
    base = SpecialistAssignment.objects.all() if assignments is None else assignments
    return base.filter(_spell_overlaps(period.first, period.last), client__archived_at__isnull=True)


def _episodes_in_spell(period: Period) -> QuerySet[Episode]:
    """Episodes of the outer spell's client overlapping the period and the spell."""
    return _episodes_overlapping(period).filter(
        Q(client=OuterRef("client"))
        & (
            Q(closed_on__isnull=True)
            | Q(closed_on__gte=Coalesce(OuterRef("started_on"), F("closed_on")))
        )
        & Q(enrolled_on__lte=Coalesce(OuterRef("ended_on"), F("enrolled_on")))
    )


def specialist_caseload(
    period: Period, assignments: QuerySet[SpecialistAssignment] | None = None
) -> QuerySet[SpecialistAssignment]:
    """Caseload per specialist: spells during which the client was enrolled on a day of the
    period (count distinct `client` by `specialist`). A client reassigned in the period counts
    for each specialist who held them while enrolled in it."""
    return spells_in(period, assignments).filter(Exists(_episodes_in_spell(period)))


def specialist_working(
    period: Period, assignments: QuerySet[SpecialistAssignment] | None = None
) -> QuerySet[SpecialistAssignment]:
    """Working per specialist: spells during which the client held a competitive job on a day
    of the period while enrolled (count distinct `client` by `specialist`)."""
    jobs = (
        _competitive_jobs()
        .filter(
            held_while_enrolled(period, OuterRef("enrolled_on"), OuterRef("closed_on")),
            client=OuterRef("client"),
        )
        .filter(overlapping(period.first, period.last, start="started_on", end="ended_on"))
        .filter(
            Q(started_on__lte=Coalesce(OuterRef(OuterRef("ended_on")), F("started_on")))
            & (
                Q(ended_on__isnull=True)
                | Q(ended_on__gte=Coalesce(OuterRef(OuterRef("started_on")), F("ended_on")))
            )
        )
    )
    episodes = _episodes_in_spell(period).filter(Exists(jobs))
    return spells_in(period, assignments).filter(Exists(episodes))


def specialist_on(day: str) -> Subquery:
    """The specialist assigned to the outer row's client on its date `day` (a job's
    `started_on`): the spell holding that day; None when unassigned then."""
    spell = SpecialistAssignment.objects.filter(client=OuterRef("client")).filter(
        Q(started_on__isnull=True) | Q(started_on__lte=OuterRef(day)),
        Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef(day)),
    )
    return Subquery(spell.values("specialist")[:1])


# --- Many periods in one query ----------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """One number for many periods in one grouped query: `rows` are the same whatever the
    period, `when(period)` puts a row in a period (a FILTER of the count), and `counted` is the
    field counted: distinct clients ("client") or rows ("pk"). `within(span)` is implied by
    `when` of every period inside `span`; it narrows the rows read. Tallies sharing one `rows`
    queryset (the same object) are counted together, in one query over those rows. A `when`
    that joins more rows (a client's episodes) repeats each row in that query, so the tallies
    sharing rows with it count distinct clients, never rows ("pk")."""

    rows: QuerySet
    when: Callable[[Period], Q]
    counted: str
    within: Callable[[Period], Q]


def _running(span: Period) -> Q:
    return overlapping(span.first, span.last, start="started_on", end="ended_on")


def _reaching_90_days(as_of: Callable[[Period], dt.date]) -> Callable[[Period], Q]:
    """Job starts whose 90th day falls in the period, up to `as_of(period)`."""
    return lambda period: Q(started_on__range=retention_window(period, as_of(period)))


def _reaching_90_days_within(span: Period) -> Q:
    days = dt.timedelta(days=RETENTION_DAYS)
    return Q(started_on__range=(span.first - days, span.last - days))


def tallies(where: Q, as_of: Callable[[Period], dt.date]) -> dict[str, Tally]:
    """The client and job counts as tallies, over the client records matching `where` (a
    condition on the `client` of an episode, job or course, e.g. its program). 90-day
    retention counts the job starts reaching their 90th day in each period up to
    `as_of(period)` (`jobs_reaching_90_days`), and those matching `kept_90_days` among them."""
    episodes = Episode.objects.filter(where, client__archived_at__isnull=True)
    jobs = Job.objects.filter(where)
    courses = EducationEnrollment.objects.filter(
        where, archived_at__isnull=True, client__archived_at__isnull=True
    )
    competitive = _live_jobs(jobs).competitive()
    starts = _with_first_competitive(_job_starts(jobs))
    # Working: a competitive job paired with an episode of the same client.
    paired = "client__episodes__"
    return {
        "caseload": Tally(episodes, episode_in, "client", episode_in),
        "out_of_work_caseload": Tally(
            episodes,
            lambda period: episode_in(period) & Q(employed_at_referral=False),
            "client",
            episode_in,
        ),
        "out_of_work_working": Tally(
            competitive,
            lambda period: (
                episode_in(period, paired)
                & Q(**{f"{paired}employed_at_referral": False})
                & held_while_enrolled(period, F(f"{paired}enrolled_on"), F(f"{paired}closed_on"))
            ),
            "client",
            _running,
        ),
        "new_enrollments": Tally(
            episodes,
            lambda period: Q(enrolled_on__isnull=False) & dated_in(period, "enrolled_on"),
            "pk",
            lambda span: dated_in(span, "enrolled_on"),
        ),
        "working": Tally(
            competitive,
            lambda period: (
                episode_in(period, paired)
                & held_while_enrolled(period, F(f"{paired}enrolled_on"), F(f"{paired}closed_on"))
            ),
            "client",
            _running,
        ),
        "job_starts": Tally(
            starts,
            lambda period: dated_in(period, "started_on"),
            "pk",
            lambda span: dated_in(span, "started_on"),
        ),
        "first_job_starts": Tally(
            starts,
            _first_start_in,
            "client",
            lambda span: dated_in(span, "started_on"),
        ),
        "in_education": Tally(
            courses, lambda period: _education_in(period, paired), "client", _running
        ),
        "jobs_reaching_90_days": Tally(
            starts, _reaching_90_days(as_of), "pk", _reaching_90_days_within
        ),
        "jobs_kept_90_days": Tally(
            starts,
            lambda period: _reaching_90_days(as_of)(period) & kept_90_days(),
            "pk",
            _reaching_90_days_within,
        ),
    }


def current_jobs_tally(where: Q) -> Tally:
    """Competitive jobs held on each period's last day (count them, average hours and wage)."""
    return Tally(
        _live_jobs(Job.objects.filter(where)).competitive(),
        lambda period: _held_on(period.last),
        "pk",
        _running,
    )


def job_endings_tally(where: Q) -> Tally:
    """Job endings per period (group by `end_reason`)."""
    return Tally(
        _job_endings(Job.objects.filter(where)),
        lambda period: dated_in(period, "ended_on"),
        "pk",
        lambda span: dated_in(span, "ended_on"),
    )


def closures_tally(where: Q) -> Tally:
    """Closures per period (group by `closure_reason`)."""
    return Tally(
        Episode.objects.filter(where, client__archived_at__isnull=True, enrolled_on__isnull=False),
        lambda period: dated_in(period, "closed_on"),
        "pk",
        lambda span: dated_in(span, "closed_on"),
    )


# --- Supervision signals, as of a day -------------------------------------------------------


def _open_enrolled(clients: QuerySet[Client] | None, today: dt.date) -> QuerySet[Client]:
    """Clients whose current episode is enrolled (on or before `today`) and open."""
    return _live_clients(clients).filter(
        current_episode__enrolled_on__isnull=False,
        current_episode__enrolled_on__lte=today,
        current_episode__closed_on__isnull=True,
    )


def no_contact_30d(today: dt.date, clients: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """Enrolled clients with no contact in the last 30 days: their latest contact is more than
    30 days before `today` (exactly 30 days ago still counts as recent), or there is none."""
    recent = Contact.objects.filter(
        client=OuterRef("pk"),
        archived_at__isnull=True,
        contacted_on__gte=signal_cutoff(today),
        contacted_on__lte=today,
    )
    return _open_enrolled(clients, today).exclude(Exists(recent))


def no_employer_contact_30d(
    today: dt.date, clients: QuerySet[Client] | None = None
) -> QuerySet[Client]:
    """The rapid-job-search signal: clients enrolled more than 30 days (enrolled exactly 30 days
    ago is not yet), not working today, with no face-to-face employer contact on their behalf
    since enrollment."""
    on_behalf = EmployerContact.objects.filter(
        archived_at__isnull=True,
        face_to_face=True,
        clients=OuterRef("pk"),
        contacted_on__gte=OuterRef("current_episode__enrolled_on"),
        contacted_on__lte=today,
    )
    return (
        _open_enrolled(clients, today)
        .filter(current_episode__enrolled_on__lt=signal_cutoff(today))
        .exclude(Exists(on_behalf))
        .exclude(pk__in=working(Period.day(today)).values("pk"))
    )


def benefits_pending_30d(
    today: dt.date, referrals: QuerySet[BenefitsReferral] | None = None
) -> QuerySet[BenefitsReferral]:
    """Benefits referrals made more than 30 days before `today` whose planning was not
    completed by `today` (completed later still counts: a past week shows what was pending then)."""
    base = BenefitsReferral.objects.all() if referrals is None else referrals
    return base.filter(
        Q(planning_completed_on__isnull=True) | Q(planning_completed_on__gt=today),
        archived_at__isnull=True,
        client__archived_at__isnull=True,
        referred_on__lt=signal_cutoff(today),
    )


def jobs_ended_30d(today: dt.date, jobs: QuerySet[Job] | None = None) -> QuerySet[Job]:
    """Jobs that ended in the last 30 days (from 30 days ago to `today`), each with
    `support_after` (a follow-along support on or after the end) and `search_after` (a
    face-to-face employer contact on the client's behalf, or another job start, on or after it)."""
    base = (Job.objects.all() if jobs is None else jobs).filter(
        archived_at__isnull=True, client__archived_at__isnull=True
    )
    support = Support.objects.filter(
        archived_at__isnull=True, client=OuterRef("client"), provided_on__gte=OuterRef("ended_on")
    )
    contact = EmployerContact.objects.filter(
        archived_at__isnull=True,
        face_to_face=True,
        clients=OuterRef("client"),
        contacted_on__gte=OuterRef("ended_on"),
    )
    next_job = Job.objects.filter(
        archived_at__isnull=True,
        client=OuterRef("client"),
        started_on__gte=OuterRef("ended_on"),
    ).exclude(pk=OuterRef("pk"))
    return base.filter(ended_on__range=(signal_cutoff(today), today)).annotate(
        support_after=Exists(support),
        search_after=Exists(contact) | Exists(next_job),
    )


def employer_contacts(
    period: Period, contacts: QuerySet[EmployerContact] | None = None
) -> QuerySet[EmployerContact]:
    """Live job-development contacts dated in the period; `.filter(COUNTED_EMPLOYER_CONTACT)`
    gives the ones the weekly target counts."""
    base = EmployerContact.objects.all() if contacts is None else contacts
    return base.filter(archived_at__isnull=True, contacted_on__range=(period.first, period.last))


__all__ = [
    "BENCHMARKS",
    "COUNTED_EMPLOYER_CONTACT",
    "OUT_OF_WORK_BENCHMARK",
    "RETENTION_DAYS",
    "DaysBetween",
    "Median",
    "Tally",
    "benefits_pending_30d",
    "caseload",
    "closures",
    "closures_tally",
    "current_jobs",
    "current_jobs_tally",
    "dated_in",
    "employer_contacts",
    "enrolled_in",
    "episode_in",
    "first_job_starts",
    "held_while_enrolled",
    "in_education",
    "job_endings",
    "job_endings_tally",
    "job_starts",
    "jobs_ended_30d",
    "jobs_reaching_90_days",
    "kept_90_days",
    "median_sql",
    "new_enrollments",
    "no_contact_30d",
    "no_employer_contact_30d",
    "out_of_work_caseload",
    "overlapping",
    "rate",
    "retention_window",
    "specialist_caseload",
    "specialist_on",
    "specialist_working",
    "spells_in",
    "tallies",
    "with_first_events",
    "working",
]
