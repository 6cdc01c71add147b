"""What an outcome report shows, for the PDF and the dashboard alike.

`report_context` gathers every number of one program's (or one agency's) report for a period
from `outcomes.selectors`, the trend chart from `outcomes.reports.charts`, and the words of the
definitions from `outcomes.definitions` itself, so the page, the PDF and the CSV tables cannot
disagree. Reports name no client: job starts are listed by employer and job type only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from clients.models import SELF_EMPLOYED, Client, Job, JobEndReason, JobType
from ips.calendar import Period
from ips.models import Agency, Program, User
from outcomes import definitions, selectors
from outcomes.definitions import BENCHMARKS
from outcomes.models import OutcomeRollup
from outcomes.numbers import Outcome, SpecialistOutcome
from outcomes.reports.charts import TrendPoint, format_rate, rate_trend_svg
from outcomes.reports.headline import headline_rows
from outcomes.reports.wording import Definition, definitions_in_words

# How far back the trend chart looks: two years of quarters, or a year of months.
TREND_LENGTH = {"quarter": 8, "month": 12}
REPORT_KINDS = ("month", "quarter")


@dataclass(frozen=True)
class Scope:
    """Whose report: one program, or a whole agency (`program` is None)."""

    agency: Agency
    program: Program | None = None

    @property
    def name(self) -> str:
        return self.program.name if self.program else self.agency.name

    @property
    def is_agency(self) -> bool:
        return self.program is None

    def program_ids(self) -> list[int]:
        if self.program is not None:
            return [self.program.pk]
        return sorted(self.agency.programs.values_list("pk", flat=True))

    def outcomes(self, period: Period) -> Outcome:
        """The scope's outcome numbers for the period: a program's as the API gives them (its
        stored roll-up, else computed now), an agency's computed now."""
        return self.outcomes_of([period])[0]

    def outcomes_of(self, periods: list[Period]) -> list[Outcome]:
        """`outcomes` of each period, computed together."""
        if self.program is not None:
            pk = self.program.pk
            every = selectors.stored_or_live_outcomes_by_period([pk], periods)
        else:
            pk = self.agency.pk
            every = selectors.agency_outcomes_by_period([pk], periods)
        return [every[(pk, period.label)] for period in periods]


def report_period(label: str) -> Period:
    """The month or quarter a report covers; ValueError for anything else (weeks, junk)."""
    period = Period.parse(label)
    if period.kind not in REPORT_KINDS:
        raise ValueError("Reports cover a month (2026-03) or a quarter (2026-Q1).")
    return period


# --- The definitions, in words ------------------------------------------------------------------


def definitions_used() -> list[Definition]:
    """The definitions behind the report's numbers, in plain words (`wording`)."""
    return definitions_in_words()


# --- Tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobStartRow:
    """One job start as reports list it: no client, only the job and where it is."""

    started_on: dt.date
    program: str
    specialist: str
    employer: str
    job_type: str
    hours_per_week: Decimal
    hourly_wage: Decimal


def job_start_rows(scope: Scope, period: Period) -> list[JobStartRow]:
    """The period's job starts (the `job_starts` definition), oldest first, each with the
    specialist assigned on its start date: two queries (the starts, the names)."""
    jobs: QuerySet[Job] = Job.objects.filter(client__program_id__in=scope.program_ids())
    rows = list(
        definitions.job_starts(period, jobs)
        .annotate(assigned=definitions.specialist_on("started_on"))
        .order_by("started_on", "pk")
        .values_list(
            "started_on",
            "client__program__name",
            "assigned",
            "employer__name",
            "job_type",
            "hours_per_week",
            "hourly_wage",
        )
    )
    types = dict(JobType.choices)
    names = staff_names({row[2] for row in rows if row[2] is not None})
    return [
        JobStartRow(
            started_on=started,
            program=program,
            specialist=names.get(assigned, "Unassigned"),
            employer=employer or SELF_EMPLOYED,
            job_type=types.get(job_type, job_type),
            hours_per_week=hours,
            hourly_wage=wage,
        )
        for started, program, assigned, employer, job_type, hours, wage in rows
    ]


def staff_names(ids: set[int]) -> dict[int, str]:
    """{user id: full name (or username)} in one query; none when no ids."""
    if not ids:
        return {}
    return {
        user.pk: user.get_full_name() or user.username for user in User.objects.filter(pk__in=ids)
    }


@dataclass(frozen=True)
class ProgramTable:
    """A program's per-specialist table, headed by the program's name."""

    program: str
    rows: list[SpecialistOutcome]


def specialist_tables(
    scope: Scope, period: Period, left_out: list[Program] | None = None
) -> list[ProgramTable]:
    """One per-specialist table for each program of the scope (a handful per agency) but those
    `left_out` (without a minimum-wage schedule; looked up when not given)."""
    if left_out is None:
        left_out = selectors.without_minimum_wage(scope.program_ids())
    left_out_ids = {program.pk for program in left_out}
    programs = (
        [scope.program]
        if scope.program is not None
        else [p for p in scope.agency.programs.order_by("name", "pk") if p.pk not in left_out_ids]
    )
    return [
        ProgramTable(program.name, selectors.specialist_outcomes(program.pk, period))
        for program in programs
    ]


@dataclass(frozen=True)
class Ending:
    reason: str
    count: int


def endings_by_reason(outcome: Outcome) -> list[Ending]:
    labels = dict(JobEndReason.choices)
    return [
        Ending(labels.get(reason, reason or "Not given"), count)
        for reason, count in sorted(outcome.job_endings_by_reason.items())
    ]


# --- The whole report --------------------------------------------------------------------------


def trend(scope: Scope, period: Period, outcome: Outcome) -> list[TrendPoint]:
    """The rate of each of the last 8 quarters (or 12 months) up to `period`, oldest first;
    `outcome` is the period's own numbers (the last point).

    The chart needs the rate only, so earlier periods read a program's stored roll-up (as
    `Scope.outcomes` does) and otherwise count the two numbers of the rate, caseload and
    working, from the definitions: two queries a period instead of the eight of every number.
    """
    earlier = period.recent(TREND_LENGTH[period.kind])[:-1]
    stored: dict[str, float | None] = {}
    if scope.program is not None:
        rollups = OutcomeRollup.objects.filter(
            program=scope.program, period__in=[past.label for past in earlier]
        )
        stored = dict(rollups.values_list("period", "rate"))
    clients = (
        Client.objects.filter(program=scope.program)
        if scope.program is not None
        else Client.objects.filter(program__agency=scope.agency).filter(
            selectors.has_schedule("program")
        )
    )
    # The selectors' planner settings for one program or agency (JIT off, index lookups).
    with selectors.planner_settings(1):
        points = [
            TrendPoint(
                past.label,
                stored[past.label]
                if past.label in stored
                else definitions.rate(
                    definitions.working(past, clients).count(),
                    definitions.caseload(past, clients).count(),
                ),
            )
            for past in earlier
        ]
    return [*points, TrendPoint(period.label, outcome.rate)]


def trend_chart(scope: Scope, period: Period, points: list[TrendPoint]) -> SafeString:
    """The trend chart; the quarterly benchmarks are drawn on a quarterly chart only."""
    span = "8 quarters" if period.kind == "quarter" else "12 months"
    return rate_trend_svg(
        points,
        chart_id=f"trend-{period.label}",
        title=f"Competitive employment rate of {scope.name}, last {span} to {period.label}",
        benchmarks=period.kind == "quarter",
    )


def a_year_before(period: Period) -> Period:
    """The same month or quarter a year earlier."""
    return Period.containing(period.kind, period.first.replace(year=period.first.year - 1))


def report_context(scope: Scope, period: Period, *, generated_at: dt.datetime) -> dict[str, Any]:
    """Everything the report template shows, for the dashboard page and the PDF.

    A program without a minimum-wage schedule gets its reason (`refused`) instead of numbers;
    an agency's numbers leave out such programs, named in `left_out`."""
    left_out = selectors.without_minimum_wage(scope.program_ids())
    if scope.program is not None and left_out:
        return {
            **_frame(scope, period, generated_at),
            "refused": selectors.no_schedule_message(scope.program),
            "left_out": left_out,
        }
    outcome, year_before = scope.outcomes_of([period, a_year_before(period)])
    points = trend(scope, period, outcome)
    return {
        **_frame(scope, period, generated_at),
        "preliminary": outcome.preliminary,
        "as_of": outcome.as_of,
        "outcome": outcome,
        "year_before": year_before,
        "headline": headline_rows(outcome, year_before),
        "trend": points,
        "trend_rows": [(point.label, format_rate(point.rate)) for point in points],
        "chart": trend_chart(scope, period, points),
        "benchmarks": [(name, f"{threshold * 100:.0f} %") for name, threshold in BENCHMARKS],
        "specialist_tables": specialist_tables(scope, period, left_out),
        "job_starts": job_start_rows(scope, period),
        "endings": endings_by_reason(outcome),
        "left_out": left_out,
    }


def _frame(scope: Scope, period: Period, generated_at: dt.datetime) -> dict[str, Any]:
    """What every report shows, numbers or not: whose, which period, its definitions, the
    agency's paper size, and whether the period is still open (preliminary)."""
    day = timezone.localdate(generated_at)
    return {
        "scope": scope,
        "period": period,
        "kind_label": "Quarterly" if period.kind == "quarter" else "Monthly",
        "preliminary": not period.is_closed(day),
        "as_of": min(day, period.last),
        "definitions": definitions_used(),
        "generated_at": generated_at,
        "page_size": scope.agency.page_size,
    }
