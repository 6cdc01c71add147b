from __future__ import annotations

from rest_framework import serializers

from ips.numbers import rounded_rate
from outcomes.numbers import Outcome


class OutcomeQuerySerializer(serializers.Serializer):
    program = serializers.IntegerField(min_value=1, help_text="The program's id.")
    period = serializers.CharField(help_text="A month (2026-03) or a quarter (2026-Q1).")


class OutcomeSerializer(serializers.Serializer):
    """A program's outcome numbers for a month or a quarter (`outcomes.numbers.Outcome`)."""

    program = serializers.IntegerField()
    period = serializers.CharField(source="period.label")
    period_start = serializers.DateField(source="period.first")
    period_end = serializers.DateField(source="period.last")
    caseload = serializers.IntegerField()
    working = serializers.IntegerField()
    rate = serializers.SerializerMethodField(
        help_text="The competitive employment rate, a fraction 0..1 rounded to 4 places; null "
        "when no one was on the caseload."
    )
    job_starts = serializers.IntegerField()
    first_job_starts = serializers.IntegerField()
    in_education = serializers.IntegerField()
    median_days_to_first_employer_contact = serializers.FloatField(allow_null=True)
    mean_days_to_first_employer_contact = serializers.FloatField(allow_null=True)
    median_days_to_first_job = serializers.FloatField(allow_null=True)
    mean_days_to_first_job = serializers.FloatField(allow_null=True)
    current_jobs = serializers.IntegerField()
    average_hours = serializers.FloatField(allow_null=True)
    average_hourly_wage = serializers.FloatField(allow_null=True)
    job_endings = serializers.IntegerField()
    job_endings_by_reason = serializers.DictField(child=serializers.IntegerField())
    computed_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the stored roll-up was computed; null when computed live for this request.",
    )
    out_of_work_caseload = serializers.IntegerField(
        help_text="Caseload clients who were not working when referred."
    )
    out_of_work_working = serializers.IntegerField(
        help_text="Of those, the clients working in a competitive job in the period."
    )
    out_of_work_rate = serializers.SerializerMethodField(
        help_text="The out-of-work rate (IPS Grow; benchmark 0.40): out_of_work_working ÷ "
        "out_of_work_caseload, a fraction rounded to 4 places; null when that caseload is empty."
    )
    new_enrollments = serializers.IntegerField(help_text="Episodes enrolled in the period.")
    closures = serializers.IntegerField(help_text="Enrolled episodes closed in the period.")
    closures_by_reason = serializers.DictField(child=serializers.IntegerField())
    jobs_reaching_90_days = serializers.IntegerField(
        help_text="Job starts whose 90th day fell in the period (up to as_of)."
    )
    jobs_kept_90_days = serializers.IntegerField(
        help_text="Of those, the jobs still held on their 90th day."
    )
    retention_90_rate = serializers.SerializerMethodField(
        help_text="jobs_kept_90_days ÷ jobs_reaching_90_days, rounded to 4 places; null when none."
    )
    not_yet_contacted = serializers.IntegerField(
        help_text="New enrollments with no face-to-face employer contact yet (as of as_of); "
        "the days-to medians and means count them with their days so far."
    )
    contacted_within_30_days = serializers.IntegerField(
        help_text="New enrollments with a first employer contact within 30 days of enrollment."
    )
    no_first_job_yet = serializers.IntegerField(
        help_text="New enrollments with no competitive job started yet (as of as_of)."
    )
    as_of = serializers.DateField(
        help_text="The day the numbers hold for: the period's last day, or the day they were "
        "computed while the period was open."
    )
    preliminary = serializers.BooleanField(
        help_text="True when the numbers were computed before the period ended: they will "
        "change until it has."
    )

    def get_rate(self, outcome: Outcome) -> float | None:
        return rounded_rate(outcome.rate)

    def get_out_of_work_rate(self, outcome: Outcome) -> float | None:
        return rounded_rate(outcome.out_of_work_rate)

    def get_retention_90_rate(self, outcome: Outcome) -> float | None:
        return rounded_rate(outcome.retention_90_rate)
