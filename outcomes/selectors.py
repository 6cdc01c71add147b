"""Outcome numbers per program (and per agency, per specialist) for a period.

Every number comes from `outcomes.definitions` and is counted in SQL: one grouped query per
number (the numbers counted over the same rows together) for all the programs asked for, never
a query or a loop per program or per row. The
roll-ups (`outcomes.services`), the API, the dashboard and the PDF reports all read these.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.db import connection, transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet

from clients.models import Episode, Job, SpecialistAssignment
from ips.calendar import Period, today
from ips.models import MinimumWage, Program, User
from outcomes import definitions
from outcomes.definitions import Tally, median_sql
from outcomes.models import OutcomeRollup
from outcomes.numbers import Outcome, SpecialistOutcome


class NoMinimumWage(ValueError):
    """Programs without a minimum-wage schedule were asked for a roll-up or a rate."""

    def __init__(self, programs: list[Program]) -> None:
        self.programs = programs
        super().__init__(" ".join(no_schedule_message(program) for program in programs))


def no_schedule_message(program: Program) -> str:
    """Why a program has no employment rate until its schedule is entered."""
    return (
        f"{program.name} has no minimum-wage schedule, so no job there can be judged "
        "competitive and it has no employment rate: enter the schedule on the program's page "
        "first."
    )


def has_schedule(program_path: str) -> Exists:
    """Rows whose program (`program_path`, an outer reference) has a minimum-wage schedule."""
    return Exists(MinimumWage.objects.filter(program=OuterRef(program_path)))


def without_minimum_wage(program_ids: Iterable[int]) -> list[Program]:
    """The programs among `program_ids` with no minimum-wage schedule, in name order: they have
    no competitive jobs to count, so they are refused a roll-up and a rate (never 0 %)."""
    return list(
        Program.objects.filter(pk__in=list(program_ids))
        .exclude(has_schedule("pk"))
        .order_by("name", "pk")
    )


def check_minimum_wage(program_ids: Iterable[int]) -> None:
    """Raise NoMinimumWage when any of the programs has no minimum-wage schedule."""
    refused = without_minimum_wage(program_ids)
    if refused:
        raise NoMinimumWage(refused)


# The grouping keys: a client's program, or its program's agency.
_BY_PROGRAM = "program_id"
_BY_AGENCY = "program__agency_id"


def program_outcomes(program_ids: Iterable[int], period: Period) -> dict[int, Outcome]:
    """The outcome numbers of each program for the period, computed live: one grouped query
    per number for all the programs, whatever their count. Every id asked for gets an Outcome
    (zeros and no rate when the program has no one)."""
    every = program_outcomes_by_period(program_ids, [period])
    return {program: outcome for (program, _), outcome in every.items()}


def program_outcomes_by_period(
    program_ids: Iterable[int], periods: Iterable[Period]
) -> dict[tuple[int, str], Outcome]:
    """{(program, period label): Outcome} for every program and period asked for, computed
    live: one grouped query per number for all the programs and all the periods together."""
    return _outcomes(list(periods), _BY_PROGRAM, sorted(set(program_ids)), agency=False)


def stored_or_live_outcomes(program_ids: Iterable[int], period: Period) -> dict[int, Outcome]:
    """Each program's numbers for the period from its stored roll-up (`computed_at` says
    when), or computed live (`computed_at` None) for programs not rolled up yet."""
    every = stored_or_live_outcomes_by_period(program_ids, [period])
    return {program: outcome for (program, _), outcome in every.items()}


def stored_or_live_outcomes_by_period(
    program_ids: Iterable[int], periods: Iterable[Period]
) -> dict[tuple[int, str], Outcome]:
    """`stored_or_live_outcomes` for several periods (a report and the same period a year
    before): one query for the stored roll-ups, and the missing ones computed together."""
    ids, periods = sorted(set(program_ids)), list(periods)
    rollups = OutcomeRollup.objects.filter(
        program_id__in=ids, period__in=[period.label for period in periods]
    )
    found = {(rollup.program_id, rollup.period): rollup.to_outcome() for rollup in rollups}
    missing = [p for p in periods if any((pk, p.label) not in found for pk in ids)]
    live = program_outcomes_by_period(ids, missing)
    return {
        (pk, p.label): found.get((pk, p.label)) or live[(pk, p.label)]
        for pk in ids
        for p in periods
    }


def agency_outcomes_by_period(
    agency_ids: Iterable[int], periods: Iterable[Period]
) -> dict[tuple[int, str], Outcome]:
    """`agency_outcomes` for several periods at once (one grouped query per number)."""
    return _outcomes(list(periods), _BY_AGENCY, sorted(set(agency_ids)), agency=True)


def agency_outcomes(agency_ids: Iterable[int], period: Period) -> dict[int, Outcome]:
    """The outcome numbers of each agency across its programs with a minimum-wage schedule (a
    program without one has no working clients to count, and would pull the rate down). A
    client belongs to one program, so the caseload and every client count are distinct clients
    of the agency; medians and averages are taken over the agency's rows, not averaged from
    its programs'."""
    every = _outcomes([period], _BY_AGENCY, sorted(set(agency_ids)), agency=True)
    return {agency: outcome for (agency, _), outcome in every.items()}


# Up to this many programs (or agencies), the planner is told that index lookups are cheap.
FEW_GROUPS = 5


@contextmanager
def planner_settings(groups: int) -> Iterator[None]:
    """PostgreSQL planner settings for these queries, in a transaction: without a savepoint
    of their own inside another one (releasing it would keep the settings all the same, until
    the outermost transaction ends).

    JIT compilation is off: the correlated subqueries make the cost estimates large, which
    triggers JIT compiling that costs far more (up to a second per query) than running the
    query (tens of milliseconds). For a few programs, random page reads are priced as cheap:
    otherwise the planner scans every job and episode of the state to find one program's few
    hundred by hash, where index lookups per client take a fifth of the time; for many
    programs, scanning and hashing is the faster plan and stays."""
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                if groups <= FEW_GROUPS:
                    cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield


def _outcomes(
    periods: list[Period], key: str, ids: list[int], *, agency: bool
) -> dict[tuple[int, str], Outcome]:
    periods = sorted(set(periods))
    if not ids or not periods:
        return {}
    with planner_settings(len(ids)):
        return _computed(periods, key, ids, agency=agency)


def _computed(
    periods: list[Period], key: str, ids: list[int], *, agency: bool
) -> dict[tuple[int, str], Outcome]:
    # Every row counted is an episode, job or course: narrowed and grouped by its client's
    # column directly, not through a subquery of the clients.
    group = f"client__{key}"
    where = Q(**{f"{group}__in": ids})
    if agency:
        where &= Q(has_schedule("client__program"))
    span = Period(periods[0].first, max(p.last for p in periods), "span", "")
    day = today()
    as_of = {period.label: min(period.last, day) for period in periods}
    counts = _tallies(
        definitions.tallies(where, lambda period: as_of[period.label]), periods, span, group
    )
    days = _days_to(periods, span, Episode.objects.filter(where), group, as_of)
    current = _current_jobs(periods, span, where, group, as_of)
    endings = _by_reason(definitions.job_endings_tally(where), "end_reason", periods, span, group)
    closed = _by_reason(definitions.closures_tally(where), "closure_reason", periods, span, group)
    outcomes = {}
    for period in periods:
        for pk in ids:
            at = (pk, period.label)
            n = {name: found.get(at, 0) for name, found in counts.items()}
            spans = days.get(at, {})
            held = current.get(at, {})
            by_reason = endings.get(at, {})
            closures = closed.get(at, {})
            outcomes[at] = Outcome(
                program=None if agency else pk,
                agency=pk if agency else None,
                period=period,
                rate=definitions.rate(n["working"], n["caseload"]),
                out_of_work_rate=definitions.rate(
                    n["out_of_work_working"], n["out_of_work_caseload"]
                ),
                **n,
                median_days_to_first_employer_contact=spans.get("contact_median"),
                mean_days_to_first_employer_contact=spans.get("contact_mean"),
                median_days_to_first_job=spans.get("job_median"),
                mean_days_to_first_job=spans.get("job_mean"),
                not_yet_contacted=int(spans.get("not_contacted") or 0),
                contacted_within_30_days=int(spans.get("contacted_30") or 0),
                no_first_job_yet=int(spans.get("no_job") or 0),
                current_jobs=held.get("count", 0),
                average_hours=held.get("hours"),
                average_hourly_wage=held.get("wage"),
                job_endings=sum(by_reason.values()),
                job_endings_by_reason=by_reason,
                closures=sum(closures.values()),
                closures_by_reason=closures,
                retention_90_rate=definitions.rate(
                    n["jobs_kept_90_days"], n["jobs_reaching_90_days"]
                ),
                as_of=as_of[period.label],
                preliminary=not period.is_closed(day),
            )
    return outcomes


def _tallies(
    tallies: dict[str, Tally], periods: list[Period], span: Period, group: str
) -> dict[str, dict[tuple[int, str], int]]:
    """{name: {(group, period label): count}}: the tallies sharing one `rows` queryset counted
    together in one GROUP BY query, one filtered count per tally and period, over the rows
    that any of them reads (`within`)."""
    shared: dict[int, list[str]] = {}
    for name, tally in tallies.items():
        shared.setdefault(id(tally.rows), []).append(name)
    found: dict[str, dict[tuple[int, str], int]] = {name: {} for name in tallies}
    for names in shared.values():
        columns = {}
        for j, name in enumerate(names):
            tally = tallies[name]
            distinct = tally.counted != "pk"
            for i, period in enumerate(periods):
                columns[f"n{j}_{i}"] = Count(
                    tally.counted, distinct=distinct, filter=tally.when(period)
                )
        within = reduce(operator.or_, dict.fromkeys(tallies[name].within(span) for name in names))
        rows = tallies[names[0]].rows.filter(within).order_by().values(group).annotate(**columns)
        for row in rows:
            for j, name in enumerate(names):
                for i, period in enumerate(periods):
                    if row[f"n{j}_{i}"]:
                        found[name][(row[group], period.label)] = row[f"n{j}_{i}"]
    return found


def _count(rows: QuerySet, key: str) -> dict[int, int]:
    """{group: number of rows} in one GROUP BY query (each row is one client or one job)."""
    grouped = rows.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n")
    return dict(grouped)


def _rounded(value: float | Decimal | None, places: int) -> float | None:
    """Rounded half up, as people round (16.625 → 16.63), whatever the database returned."""
    if value is None:
        return None
    step = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP))


def _days_to(
    periods: list[Period],
    span: Period,
    episodes: QuerySet[Episode],
    key: str,
    as_of: dict[str, dt.date],
) -> dict[tuple[int, str], dict[str, float | None]]:
    """Median and mean days from enrollment to the first employer contact and to the first job,
    over every episode that began in each period, and how many are still waiting.

    An episode that has not reached the event by the period's `as_of` day (its last day, or
    today while it is open), or by its closure if earlier, counts with its days so far and is
    never left out: leaving out the ones still waiting would flatter the program. An event
    after that day is "not yet" for this period, so a closed period's numbers do not move.

    The first events are computed once per episode in an inner query, and joined to the
    periods its enrollment date falls in (`new_enrollments`'s condition): aggregating the
    annotations directly would repeat each first-contact and first-job subquery for every
    aggregate and period using it."""
    inner = (
        definitions.with_first_events(episodes)
        .filter(definitions.dated_in(span, "enrolled_on"))
        .order_by()
        .values_list(key, "enrolled_on", "closed_on", "first_employer_contact_on", "first_job_on")
    )
    sql, params = inner.query.sql_with_params()
    vendor = connection.vendor
    median = median_sql(vendor)
    # MATERIALIZED keeps PostgreSQL from folding the inner query back into the aggregate.
    fence = "MATERIALIZED" if vendor == "postgresql" else ""
    values = ", ".join(["(%s, %s, %s, %s)"] * len(periods))
    bounds = [
        value
        for period in periods
        for value in (period.label, period.first, period.last, as_of[period.label])
    ]
    stop = _sql_least(vendor, "p.as_of", "COALESCE(d.closed_on, p.as_of)")
    contact = _sql_days_to(vendor, "s.contact_on", "s.stop", "s.enrolled_on")
    job = _sql_days_to(vendor, "s.job_on", "s.stop", "s.enrolled_on")
    within = _sql_days(vendor, "s.contact_on", "s.enrolled_on")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH days (grp, enrolled_on, closed_on, contact_on, job_on) AS {fence} ({sql}), "  # noqa: S608
            f"periods (label, first_day, last_day, as_of) AS (VALUES {values}), "
            f"spans AS (SELECT d.grp, p.label, d.enrolled_on, {stop} AS stop, "
            "d.contact_on, d.job_on FROM days d JOIN periods p "
            "ON d.enrolled_on >= p.first_day AND d.enrolled_on <= p.last_day) "
            f"SELECT s.grp, s.label, {median.format(contact)}, AVG({contact}), "
            f"{median.format(job)}, AVG({job}), "
            "SUM(CASE WHEN s.contact_on IS NULL OR s.contact_on > s.stop THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN s.contact_on <= s.stop AND {within} <= 30 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN s.job_on IS NULL OR s.job_on > s.stop THEN 1 ELSE 0 END) "
            "FROM spans s GROUP BY 1, 2",
            [*params, *_typed_bounds(vendor, bounds)],
        )
        rows = cursor.fetchall()
    names = ("contact_median", "contact_mean", "job_median", "job_mean")
    counts = ("not_contacted", "contacted_30", "no_job")
    return {
        (group, label): {
            **{name: _rounded(value, 1) for name, value in zip(names, values[:4], strict=True)},
            **dict(zip(counts, values[4:], strict=True)),
        }
        for group, label, *values in rows
    }


def _typed_bounds(vendor: str, bounds: list[object]) -> list[object]:
    """Dates as ISO text for SQLite (it keeps dates as text), as they are for PostgreSQL."""
    if vendor != "sqlite":
        return bounds
    return [value.isoformat() if isinstance(value, dt.date) else value for value in bounds]


def _sql_days(vendor: str, later: str, earlier: str) -> str:
    """Whole days from the date `earlier` to the date `later`, as SQL."""
    if vendor == "sqlite":
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"({later} - {earlier})"


def _sql_least(vendor: str, first: str, second: str) -> str:
    function = "MIN" if vendor == "sqlite" else "LEAST"
    return f"{function}({first}, {second})"


def _sql_days_to(vendor: str, event: str, stop: str, enrolled: str) -> str:
    """Days from enrollment to the event when it came by `stop`, else the days to `stop`."""
    reached = _sql_days(vendor, event, enrolled)
    so_far = _sql_days(vendor, stop, enrolled)
    return f"(CASE WHEN {event} <= {stop} THEN {reached} ELSE {so_far} END)"


def _current_jobs(
    periods: list[Period], span: Period, where: Q, key: str, as_of: dict[str, dt.date]
) -> dict[tuple[int, str], dict[str, float | int | None]]:
    """Count, average weekly hours and average hourly wage of the competitive jobs held on
    each period's `as_of` day (its last day, or today while it is open)."""
    tally = definitions.current_jobs_tally(where)
    columns = {}
    for i, period in enumerate(periods):
        held = tally.when(Period.day(as_of[period.label]))
        columns[f"count{i}"] = Count("pk", filter=held)
        columns[f"hours{i}"] = Avg("hours_per_week", filter=held)
        columns[f"wage{i}"] = Avg("hourly_wage", filter=held)
    rows = tally.rows.filter(tally.within(span)).order_by().values(key).annotate(**columns)
    return {
        (row[key], period.label): {
            "count": row[f"count{i}"],
            "hours": _rounded(row[f"hours{i}"], 2),
            "wage": _rounded(row[f"wage{i}"], 2),
        }
        for row in rows
        for i, period in enumerate(periods)
        if row[f"count{i}"]
    }


def _by_reason(
    tally: Tally, reason: str, periods: list[Period], span: Period, key: str
) -> dict[tuple[int, str], dict[str, int]]:
    """A tally's rows per reason (`reason` field) and period, in one grouped query."""
    columns = {f"n{i}": Count("pk", filter=tally.when(period)) for i, period in enumerate(periods)}
    rows = tally.rows.filter(tally.within(span)).order_by().values(key, reason).annotate(**columns)
    found: dict[tuple[int, str], dict[str, int]] = {}
    for row in rows:
        for i, period in enumerate(periods):
            if row[f"n{i}"]:
                found.setdefault((row[key], period.label), {})[row[reason]] = row[f"n{i}"]
    return found


def _distinct_clients(spells: QuerySet[SpecialistAssignment]) -> dict[int | None, int]:
    """{specialist: distinct clients} of assignment spells, in one GROUP BY query."""
    grouped = (
        spells.order_by()
        .values("specialist_id")
        .annotate(n=Count("client", distinct=True))
        .values_list("specialist_id", "n")
    )
    return dict(grouped)


def specialist_outcomes(program_id: int, period: Period) -> list[SpecialistOutcome]:
    """The program's per-specialist table for the period: caseload, working, rate and job starts
    credited to the specialist assigned to each client at the time (its assignment history), so
    a reassignment never changes a past period. A client reassigned during the period counts
    for each specialist who held them while enrolled in it; a job start counts for the
    specialist assigned on its start date. In name order, with the unassigned last. Three
    grouped queries and one for names."""
    spells = SpecialistAssignment.objects.filter(client__program_id=program_id)
    jobs = Job.objects.filter(client__program_id=program_id)
    with planner_settings(1):
        caseload = _distinct_clients(definitions.specialist_caseload(period, spells))
        working = _distinct_clients(definitions.specialist_working(period, spells))
        starts = _count(
            definitions.job_starts(period, jobs).annotate(
                assigned=definitions.specialist_on("started_on")
            ),
            "assigned",
        )
    ids = set(caseload) | set(starts)
    names = {
        user.pk: user.get_full_name() or user.username
        for user in User.objects.filter(pk__in=[i for i in ids if i is not None])
    }
    rows = [
        SpecialistOutcome(
            specialist=specialist,
            specialist_name=names.get(specialist, "Unassigned") if specialist else "Unassigned",
            caseload=caseload.get(specialist, 0),
            working=working.get(specialist, 0),
            rate=definitions.rate(working.get(specialist, 0), caseload.get(specialist, 0)),
            job_starts=starts.get(specialist, 0),
        )
        for specialist in ids
    ]
    return sorted(
        rows, key=lambda row: (row.specialist is None, row.specialist_name, row.specialist or 0)
    )
