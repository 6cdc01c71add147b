"""A report's tables as CSV: the rows the report prints, for `ips.exports.csv_response`."""

from __future__ import annotations

from typing import Any

from ips.calendar import Period, today
from ips.exports import rate_cell
from outcomes.reports.context import Scope, job_start_rows, specialist_tables

CSV_TABLES = ("specialists", "job-starts")
SPECIALIST_COLUMNS = (
    "period",
    "program",
    "specialist",
    "caseload",
    "working",
    "rate",
    "job_starts",
    "preliminary",
)
JOB_START_COLUMNS = (
    "period",
    "started_on",
    "program",
    "specialist",
    "employer",
    "job_type",
    "hours",
    "wage",
    "preliminary",
)


def table_rows(scope: Scope, period: Period, table: str) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The columns and rows of one of the report's tables as CSV (the rows the report prints),
    each marked preliminary while the period has not ended; ValueError for a table the report
    does not have."""
    preliminary = "no" if period.is_closed(today()) else "yes"
    if table == "specialists":
        return SPECIALIST_COLUMNS, [
            [
                period.label,
                program_table.program,
                row.specialist_name,
                row.caseload,
                row.working,
                rate_cell(row.rate),
                row.job_starts,
                preliminary,
            ]
            for program_table in specialist_tables(scope, period)
            for row in program_table.rows
        ]
    if table == "job-starts":
        return JOB_START_COLUMNS, [
            [
                period.label,
                job.started_on.isoformat(),
                job.program,
                job.specialist,
                job.employer,
                job.job_type,
                job.hours_per_week,
                job.hourly_wage,
                preliminary,
            ]
            for job in job_start_rows(scope, period)
        ]
    raise ValueError(f"No such report table: {table}")
