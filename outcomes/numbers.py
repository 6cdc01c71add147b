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
    # Over the episodes that began in the period (`new_enrollments`), none left out: one that
    # has not reached the event counts with its days so far (to the period's end, today while
    # it is open, or its closure), and the counts beside say how many are still waiting.
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
    # The out-of-work rate (IPS Grow): the same rate over the clients who were not working
    # when referred.
    out_of_work_caseload: int = 0
    out_of_work_working: int = 0
    out_of_work_rate: float | None = None
    new_enrollments: int = 0
    closures: int = 0
    closures_by_reason: dict[str, int] = field(default_factory=dict)
    # 90-day retention: job starts whose 90th day fell in the period, and those still held then.
    jobs_reaching_90_days: int = 0
    jobs_kept_90_days: int = 0
    retention_90_rate: float | None = None
    # Of the new enrollments: not contacted by an employer yet, contacted within 30 days, and
    # without a first job yet (as of `as_of`).
    not_yet_contacted: int = 0
    contacted_within_30_days: int = 0
    no_first_job_yet: int = 0
    # The day the numbers hold for: the period's last day, or the day they were computed while
    # the period was still open (then `preliminary`: they will change until it ends).
    as_of: dt.date | None = None
    preliminary: bool = False


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
