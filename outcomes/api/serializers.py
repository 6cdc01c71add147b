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

    def get_rate(self, outcome: Outcome) -> float | None:
        return rounded_rate(outcome.rate)
