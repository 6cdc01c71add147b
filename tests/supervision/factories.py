"""Factories of supervision: treatment teams, meetings, sessions and action items.

Meetings and sessions go through the services, so their rules hold in every test.
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from supervision import services
from supervision.models import SupervisionSession, TeamMeeting, TreatmentTeam
from tests.clients.factories import days_ago
from tests.factories import ProgramFactory


class TreatmentTeamFactory(DjangoModelFactory[TreatmentTeam]):
    """A team; `specialists=[...]` assigns them."""

    class Meta:
        model = TreatmentTeam
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Community Team {n:03d}")

    @factory.post_generation
    def specialists(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.specialists.set(extracted)


def meeting(
    *,
    team: TreatmentTeam,
    recorded_by: Any,
    held_on: Any = None,
    attendees: Any = (),
    discussed: Any = (),
    follow_ups: str = "",
) -> TeamMeeting:
    """A meeting recorded through the service (a week ago unless told)."""
    return services.team_meeting_record(
        recorded_by=recorded_by,
        team=team,
        held_on=held_on or days_ago(7),
        attendees=attendees,
        discussed=discussed,
        follow_ups=follow_ups,
    )


def session(
    *, supervisor: Any, program: Any, held_on: Any = None, items: Any = (), present: Any = ()
) -> SupervisionSession:
    """A session recorded through the service; `items` are (specialist, text) pairs."""
    return services.supervision_session_record(
        supervisor=supervisor,
        program=program,
        held_on=held_on or days_ago(7),
        specialists_present=present,
        action_items=[{"specialist": s, "text": t} for s, t in items],
    )
