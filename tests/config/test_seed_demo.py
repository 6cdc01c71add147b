"""`manage.py seed_demo`: the whole demo, built once; a second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from clients.models import Client, Job
from fidelity.models import Review
from outcomes.models import OutcomeRollup
from supervision.models import TeamMeeting


@pytest.mark.django_db
def test_seed_demo_builds_every_part_once() -> None:
    first = StringIO()
    call_command("seed_demo", stdout=first)

    counts = (
        Client.objects.count(),
        Job.objects.count(),
        TeamMeeting.objects.count(),
        Review.objects.count(),
        OutcomeRollup.objects.count(),
    )
    assert all(counts), counts
    # Every demo program has its 8 quarters and 12 months stored.
    assert OutcomeRollup.objects.values("program").distinct().count() * 20 == counts[-1]

    again = StringIO()
    call_command("seed_demo", stdout=again)

    assert "0 new clients, 0 new employer contacts" in again.getvalue()
    assert (
        Client.objects.count(),
        Job.objects.count(),
        TeamMeeting.objects.count(),
        Review.objects.count(),
        OutcomeRollup.objects.count(),
    ) == counts
