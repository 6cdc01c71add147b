"""Stored outcome roll-ups: a program's numbers for a month or a quarter, as last computed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from ips import access
from ips.calendar import Period
from ips.models import Agency, Program, User
from ips.pdf import StoredPdf
from outcomes.numbers import Outcome

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

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
    "out_of_work_caseload",
    "out_of_work_working",
    "out_of_work_rate",
    "new_enrollments",
    "closures",
    "closures_by_reason",
    "jobs_reaching_90_days",
    "jobs_kept_90_days",
    "retention_90_rate",
    "not_yet_contacted",
    "contacted_within_30_days",
    "no_first_job_yet",
)


class OutcomeRollup(models.Model):
    """One program's outcome numbers for one month or quarter (`outcomes.numbers.Outcome`),
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
    # Added later: a row stored before them reads zeros and no rate until rolled up again.
    out_of_work_caseload = models.PositiveIntegerField(default=0)
    out_of_work_working = models.PositiveIntegerField(default=0)
    out_of_work_rate = models.FloatField(null=True, blank=True)
    new_enrollments = models.PositiveIntegerField(default=0)
    closures = models.PositiveIntegerField(default=0)
    closures_by_reason = models.JSONField(default=dict, blank=True)
    jobs_reaching_90_days = models.PositiveIntegerField(default=0)
    jobs_kept_90_days = models.PositiveIntegerField(default=0)
    retention_90_rate = models.FloatField(null=True, blank=True)
    not_yet_contacted = models.PositiveIntegerField(default=0)
    contacted_within_30_days = models.PositiveIntegerField(default=0)
    no_first_job_yet = models.PositiveIntegerField(default=0)
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
        """The stored numbers. They hold for the day they were computed while the period was
        still open (preliminary), else for its last day."""
        period = Period.parse(self.period)
        computed_on = timezone.localdate(self.computed_at)
        return Outcome(
            program=self.program_id,
            period=period,
            computed_at=self.computed_at,
            as_of=min(computed_on, period.last),
            preliminary=not period.is_closed(computed_on),
            **{name: getattr(self, name) for name in ROLLUP_NUMBERS},
        )


class OutcomeReportQuerySet(models.QuerySet["OutcomeReport"]):
    def visible_to(self, user: User | AnonymousUser) -> OutcomeReportQuerySet:
        """Reports the user may read: a program's reports where they may view its outcomes, an
        agency's reports where they may view the outcomes of the whole agency (directors)."""

        capability = access.Capability.VIEW_OUTCOMES
        return self.filter(
            Q(program_id__in=access.program_ids_for(user, capability))
            | Q(program__isnull=True, agency_id__in=access.agency_wide_ids_for(user, capability))
        )


class OutcomeReport(StoredPdf):
    """A stored PDF outcome report of one program (or of a whole agency: `program` is empty)
    for one month or quarter, made through the stored-PDF pipeline (`ips.pdf`). One row per
    scope and period: regenerating renders a new file and swaps it in, so a download always
    gets a complete report."""

    class Kind(models.TextChoices):
        MONTH = "month", "Monthly"
        QUARTER = "quarter", "Quarterly"

    render_task = "outcomes.tasks.report_generate_task"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="outcome_reports")
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcome_reports",
    )
    period = models.CharField(max_length=7)  # `2026-03` or `2026-Q1`
    kind = models.CharField(max_length=7, choices=Kind.choices)
    file = models.FileField(upload_to="reports/", blank=True)

    objects = OutcomeReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "program_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "period"],
                condition=Q(program__isnull=False),
                name="outcome_report_one_per_program_period",
            ),
            models.UniqueConstraint(
                fields=["agency", "period"],
                condition=Q(program__isnull=True),
                name="outcome_report_one_per_agency_period",
            ),
            models.CheckConstraint(
                condition=Q(kind="month", period__regex=r"^\d{4}-\d{2}$")
                | Q(kind="quarter", period__regex=r"^\d{4}-Q[1-4]$"),
                name="outcome_report_period_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"Outcome report {self.period} ({self.get_status_display()})"

    @property
    def scope_name(self) -> str:
        """The program's name, or the agency's for an agency-wide report."""
        return self.program.name if self.program_id else self.agency.name

    def file_stem(self) -> str:
        """`program-7-2026-Q1`, or `agency-2-2026-Q1` for an agency-wide report."""
        scope = f"program-{self.program_id}" if self.program_id else f"agency-{self.agency_id}"
        return f"{scope}-{self.period}"

    def download_name(self) -> str:
        """`harbor-works-2026-Q1.pdf`: the program's (or agency's) name and the period."""
        return f"{slugify(self.scope_name)}-{self.period}.pdf"

    def export_subject(self) -> tuple[models.Model, int]:
        """Downloads are recorded against the report itself."""
        return self, self.agency_id
