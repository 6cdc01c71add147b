"""The demo supervision data: teams, weekly meetings and sessions; a second run changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from clients.demo import seed_caseloads
from ips.demo import seed_organisation
from supervision.demo import seed_supervision
from supervision.models import ActionItem, SupervisionSession, TeamMeeting, TreatmentTeam

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 19)  # a Thursday


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (TreatmentTeam, TeamMeeting, SupervisionSession, ActionItem)
    )


def test_seed_gives_each_program_weekly_meetings_and_sessions_once() -> None:
    seed_organisation()
    seed_caseloads(today=TODAY, clients_per_specialist=2)

    created = seed_supervision(today=TODAY, weeks=4)

    # Riverside and Northgate (the programs with a supervisor): two teams each, meeting on
    # Tuesdays and Thursdays (4 weeks, this week's Thursday is today), and sessions on
    # Wednesdays (4 weeks).
    assert created == 2 * (4 + 4 + 4)
    assert TreatmentTeam.objects.count() == 4
    assert not TeamMeeting.objects.filter(held_on__gt=TODAY).exists()
    assert all(m.discussed.exists() for m in TeamMeeting.objects.all())
    before = _counts()

    assert seed_supervision(today=TODAY, weeks=4) == 0
    assert _counts() == before
