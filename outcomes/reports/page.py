"""The reports page: each program and agency the user reports on, by recent period, with the
stored report of each (if any)."""

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
    scope: Scope
    kind: str  # "program" or "agency", as in the URLs
    cells: list[ReportCell]


def recent_report_periods(day: dt.date) -> list[Period]:
    """The periods the reports page offers, newest first: quarters, then months."""
    quarters = Period.containing("quarter", day).recent(RECENT_QUARTERS)[::-1]
    months = Period.containing("month", day).recent(RECENT_MONTHS)[::-1]
    return quarters + months


def reports_page(user: AnyUser, day: dt.date) -> dict[str, Any]:
    """Rows of the reports page: each agency the user reports on as a whole, then each program,
    with the stored report (if any) of every recent period. Three queries whatever the rows."""
    periods = recent_report_periods(day)
    agencies = list(
        Agency.objects.filter(
            id__in=access.agency_wide_ids_for(user, Capability.VIEW_OUTCOMES)
        ).order_by("name", "pk")
    )
    programs = list(
        Program.objects.granting(user, Capability.VIEW_OUTCOMES)
        .select_related("agency")
        .order_by("agency__name", "name", "pk")
    )
    stored = OutcomeReport.objects.visible_to(user).filter(
        period__in=[period.label for period in periods]
    )
    found = {(report.program_id, report.agency_id, report.period): report for report in stored}
    rows = [
        ReportRow(
            Scope(agency=agency),
            "agency",
            [ReportCell(p, found.get((None, agency.pk, p.label))) for p in periods],
        )
        for agency in agencies
    ]
    rows += [
        ReportRow(
            Scope(agency=program.agency, program=program),
            "program",
            [ReportCell(p, found.get((program.pk, program.agency_id, p.label))) for p in periods],
        )
        for program in programs
    ]
    return {"rows": rows, "periods": periods}
