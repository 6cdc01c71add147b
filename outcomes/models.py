"""Stored outcome roll-ups: a program's numbers for a month or a quarter, as last computed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models

from outcomes.definitions import Period

if TYPE_CHECKING:
    from outcomes.selectors import Outcome

# The numbers a roll-up stores: every field of `Outcome` but the keys and `computed_at`.
ROLLUP_NUMBERS = (
    "caseload",
    "working",
    "rate",
    "job_starts",
    "first_job_starts",
    "in_education",
    "median_days_to_first_employer_contact",
    "mean_days_to_first_employer_contact",
    "median_days_to_first_job",
    "mean_days_to_first_job",
    "current_jobs",
    "average_hours",
    "average_hourly_wage",
    "job_endings",
    "job_endings_by_reason",
)


class OutcomeRollup(models.Model):
    """One program's outcome numbers for one month or quarter (`outcomes.selectors.Outcome`),
    stored by the roll-up tasks. Re-running a period replaces its row (one per program and
    period), so a re-run after late data entry, or after being stopped, leaves the same rows as
    a clean run."""

    class Kind(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"

    program = models.ForeignKey("ips.Program", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7, help_text="2026-03 or 2026-Q1")
    kind = models.CharField(max_length=7, choices=Kind.choices)
    first_day = models.DateField()
    last_day = models.DateField()
    caseload = models.PositiveIntegerField()
    working = models.PositiveIntegerField()
    rate = models.FloatField(null=True, blank=True)
    job_starts = models.PositiveIntegerField()
    first_job_starts = models.PositiveIntegerField()
    in_education = models.PositiveIntegerField()
    median_days_to_first_employer_contact = models.FloatField(null=True, blank=True)
    mean_days_to_first_employer_contact = models.FloatField(null=True, blank=True)
    median_days_to_first_job = models.FloatField(null=True, blank=True)
    mean_days_to_first_job = models.FloatField(null=True, blank=True)
    current_jobs = models.PositiveIntegerField()
    average_hours = models.FloatField(null=True, blank=True)
    average_hourly_wage = models.FloatField(null=True, blank=True)
    job_endings = models.PositiveIntegerField()
    job_endings_by_reason = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["program", "first_day", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "period"], name="outcome_rollup_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"Outcomes of program {self.program_id} for {self.period}"

    @classmethod
    def from_outcome(cls, outcome: Outcome, computed_at: dt.datetime) -> OutcomeRollup:
        numbers = {name: getattr(outcome, name) for name in ROLLUP_NUMBERS}
        period = outcome.period
        return cls(
            program_id=outcome.program,
            period=period.label,
            kind=period.kind,
            first_day=period.first,
            last_day=period.last,
            computed_at=computed_at,
            **numbers,
        )

    def to_outcome(self) -> Outcome:
        from outcomes.selectors import Outcome

        return Outcome(
            program=self.program_id,
            period=Period.parse(self.period),
            computed_at=self.computed_at,
            **{name: getattr(self, name) for name in ROLLUP_NUMBERS},
        )
