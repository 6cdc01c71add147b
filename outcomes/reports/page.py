"""The reports page: the reports ready to download first (closed periods before preliminary
ones), the ones being made, one form to ask for any other, and the learning-community CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ips import access
from ips.access import Capability
from ips.calendar import Period
from ips.models import Agency, Program
from outcomes.models import OutcomeReport
from outcomes.reports.context import Scope
from outcomes.selectors import has_schedule

if TYPE_CHECKING:
    from ips.access import AnyUser

# The reports page offers the current and recent periods: four quarters and three months.
RECENT_QUARTERS = 4
RECENT_MONTHS = 3


@dataclass(frozen=True)
class ReportCell:
    period: Period
    report: OutcomeReport | None


@dataclass(frozen=True)
class ReportRow:
    """One report of the page: whose (`kind` "program" or "agency", as in the URLs, and its
    `pk`), which period, whether that period is still open, and the stored report."""

    scope: Scope
    kind: str
    pk: int
    cell: ReportCell
    preliminary: bool

    @property
    def choice(self) -> str:
        return f"{self.kind}-{self.pk}"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def recent_report_periods(day: dt.date) -> list[Period]:
    """The periods the reports page offers: closed ones first (quarters, then months, newest
    first), then the open quarter and month, which are preliminary."""
    quarters = Period.containing("quarter", day).recent(RECENT_QUARTERS)[::-1]
    months = Period.containing("month", day).recent(RECENT_MONTHS)[::-1]
    every = quarters + months
    return [p for p in every if p.is_closed(day)] + [p for p in every if not p.is_closed(day)]


def _scopes(user: AnyUser) -> tuple[list[tuple[Scope, str, int]], list[Program]]:
    """Whose reports the user may read: each agency as a whole, then each program with a
    minimum-wage schedule; and the programs without one (no report until it is entered)."""
    agencies = Agency.objects.filter(
        id__in=access.agency_wide_ids_for(user, Capability.VIEW_OUTCOMES)
    ).order_by("name", "pk")
    programs = (
        Program.objects.granting(user, Capability.VIEW_OUTCOMES)
        .select_related("agency")
        .annotate(scheduled=has_schedule("pk"))
        .order_by("agency__name", "name", "pk")
    )
    scopes = [(Scope(agency=agency), "agency", agency.pk) for agency in agencies]
    left_out = []
    for program in programs:
        if program.scheduled:
            scopes.append((Scope(agency=program.agency, program=program), "program", program.pk))
        else:
            left_out.append(program)
    return scopes, left_out


def _program_pk(scope: Scope) -> int | None:
    return scope.program.pk if scope.program is not None else None


def reports_page(user: AnyUser, day: dt.date) -> dict[str, Any]:
    """The reports page: `ready` (made, with a file: closed periods first, newest first),
    `making` (queued, being made, failed or interrupted), the choices of the one form asking
    for another (`scope_choices`, `period_choices`), the programs `left_out` (no minimum-wage
    schedule), and the quarters of the learning-community CSV for those who may export it.
    Three queries whatever the rows."""
    periods = recent_report_periods(day)
    scopes, left_out = _scopes(user)
    stored = OutcomeReport.objects.visible_to(user).filter(
        period__in=[period.label for period in periods]
    )
    found = {(report.program_id, report.agency_id, report.period): report for report in stored}
    rows = [
        ReportRow(
            scope,
            kind,
            pk,
            ReportCell(period, found.get((_program_pk(scope), scope.agency.pk, period.label))),
            not period.is_closed(day),
        )
        for period in periods
        for scope, kind, pk in scopes
    ]
    ready = [row for row in rows if row.cell.report is not None and row.cell.report.file]
    making = [row for row in rows if row.cell.report is not None and not row.cell.report.file]
    return {
        "ready": ready,
        "making": making,
        "scope_choices": [
            Choice(f"{kind}-{pk}", scope.name + (" (whole agency)" if kind == "agency" else ""))
            for scope, kind, pk in scopes
        ],
        "period_choices": [
            Choice(p.label, p.label + ("" if p.is_closed(day) else " (preliminary: not ended)"))
            for p in periods
        ],
        "dashboards": scopes,
        "left_out": left_out,
        "submission_quarters": _submission_quarters(user, day),
    }


def _submission_quarters(user: AnyUser, day: dt.date) -> list[Choice]:
    """The quarters of the learning-community submission CSV (directors only): the last closed
    ones, newest first, then the open one, marked preliminary."""
    if not access.holds(user, Capability.EXPORT_OUTCOMES):
        return []
    quarters = Period.containing("quarter", day).recent(RECENT_QUARTERS)[::-1]
    closed = [Choice(q.label, q.label) for q in quarters if q.is_closed(day)]
    open_ = [Choice(q.label, f"{q.label} (preliminary)") for q in quarters if not q.is_closed(day)]
    return closed + open_
