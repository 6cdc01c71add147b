"""The outcome numbers as values: a program's (or agency's) `Outcome` for a period, and one row
of a program's per-specialist table. Computed by `outcomes.selectors`, stored by the roll-ups
(`outcomes.models.OutcomeRollup`), shown by the API, the dashboard and the reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ips.calendar import Period


@dataclass(frozen=True)
class Outcome:
    """The outcome numbers of one program (or one agency: `program` is None, `agency` is set)
    for one period. Counts are of distinct clients except `job_starts`, `current_jobs` and the
    job endings, which count jobs. A mean or median with nothing to average is None, and so is
    the rate of an empty caseload (no rate, not 0 %)."""

    program: int | None
    period: Period
    caseload: int
    working: int
    rate: float | None
    job_starts: int
    first_job_starts: int
    in_education: int
    # Over the episodes that began in the period, counting only those that reached the event.
    median_days_to_first_employer_contact: float | None
    mean_days_to_first_employer_contact: float | None
    median_days_to_first_job: float | None
    mean_days_to_first_job: float | None
    # Competitive jobs held on the period's last day.
    current_jobs: int
    average_hours: float | None
    average_hourly_wage: float | None
    job_endings: int
    job_endings_by_reason: dict[str, int] = field(default_factory=dict)
    agency: int | None = None
    # When the numbers were stored by a roll-up; None when computed live.
    computed_at: dt.datetime | None = None


@dataclass(frozen=True)
class SpecialistOutcome:
    """One row of a program's per-specialist table: the clients assigned to one employment
    specialist (`specialist` is None for clients with no assigned specialist)."""

    specialist: int | None
    specialist_name: str
    caseload: int
    working: int
    rate: float | None
    job_starts: int
