"""The SQL helpers of the definitions: Median and DaysBetween."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db.models import F

from clients.models import Job
from outcomes.definitions import DaysBetween, Median

pytestmark = pytest.mark.django_db


def test_median_of_an_even_and_an_odd_number_of_rows(quarter: SimpleNamespace) -> None:
    """F's jobs work 20 (2024), 30 and 10 hours: the median of the three is 20; of the two
    2025 ones, (30 + 10) / 2 = 20.0; of none, NULL."""
    f_jobs = Job.objects.filter(client=quarter.f)
    q1 = f_jobs.filter(started_on__gte=dt.date(2025, 1, 1))

    assert f_jobs.aggregate(m=Median("hours_per_week"))["m"] == 20.0
    assert q1.aggregate(m=Median("hours_per_week"))["m"] == 20.0
    assert Job.objects.none().aggregate(m=Median("hours_per_week"))["m"] is None


def test_days_between_dates(quarter: SimpleNamespace) -> None:
    """A's job: 2024-12-01 to 2025-01-10 is 40 days."""
    job = Job.objects.filter(client=quarter.a).annotate(
        days=DaysBetween(F("ended_on"), F("started_on"))
    )

    assert job.get().days == 40
