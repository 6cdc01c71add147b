"""The supervision services: their rules, and that a refused write changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ips.models import Program, Role, User
from ips.versioning import StaleVersionError
from supervision import services
from supervision.models import ActionItem, SupervisionSession, TeamMeeting, TreatmentTeam
from tests.clients.factories import ClientFactory, days_ago
from tests.factories import StaffRoleFactory
from tests.supervision.factories import TreatmentTeamFactory, meeting, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(program: Program, specialist: User) -> TreatmentTeam:
    return TreatmentTeamFactory(program=program, specialists=[specialist])


def test_meeting_in_the_future_is_refused(team: TreatmentTeam, specialist: User) -> None:
    with pytest.raises(ValidationError, match="cannot be in the future"):
        meeting(team=team, recorded_by=specialist, held_on=days_ago(-1))

    assert TeamMeeting.objects.count() == 0


def test_attendees_must_work_in_the_program(
    team: TreatmentTeam, specialist: User, other_program: Program
) -> None:
    stranger = StaffRoleFactory(role=Role.SPECIALIST, program=other_program).user

    with pytest.raises(ValidationError, match="staff of the program"):
        meeting(team=team, recorded_by=specialist, attendees=[specialist, stranger])

    assert TeamMeeting.objects.count() == 0


def test_a_client_is_discussed_once_per_meeting(
    team: TreatmentTeam, specialist: User, program: Program
) -> None:
    client = ClientFactory(program=program)

    with pytest.raises(ValidationError, match="listed once"):
        meeting(team=team, recorded_by=specialist, discussed=[(client, "a"), (client, "b")])

    assert TeamMeeting.objects.count() == 0


def test_director_cannot_record_a_meeting(team: TreatmentTeam, director: User) -> None:
    with pytest.raises(ValidationError, match="team of your own program"):
        meeting(team=team, recorded_by=director)


def test_meeting_update_replaces_the_clients_discussed(
    team: TreatmentTeam, specialist: User, program: Program
) -> None:
    kept, dropped, added = (ClientFactory(program=program) for _ in range(3))
    recorded = meeting(
        team=team, recorded_by=specialist, discussed=[(kept, "Old"), (dropped, "Gone")]
    )

    updated = services.team_meeting_update(
        meeting=recorded,
        version=1,
        changes={"discussed": [(kept, "New"), (added, "Added")]},
    )

    assert updated.version == 2
    assert {(r.client_id, r.note) for r in updated.discussed.all()} == {
        (kept.pk, "New"),
        (added.pk, "Added"),
    }
    with pytest.raises(StaleVersionError):
        services.team_meeting_update(meeting=recorded, version=1, changes={"follow_ups": "x"})


def test_only_a_supervisor_of_the_program_records_sessions(
    program: Program, specialist: User, director: User
) -> None:
    for user in (specialist, director):
        with pytest.raises(ValidationError, match="program you supervise"):
            session(supervisor=user, program=program)

    assert SupervisionSession.objects.count() == 0


def test_action_items_belong_to_specialists_of_the_program(
    program: Program, supervisor: User, other_program: Program
) -> None:
    stranger = StaffRoleFactory(role=Role.SPECIALIST, program=other_program).user

    with pytest.raises(ValidationError, match="staff of the program"):
        session(supervisor=supervisor, program=program, items=[(stranger, "Visit")])

    assert SupervisionSession.objects.count() == 0
    assert ActionItem.objects.count() == 0


def test_action_item_done_once_and_not_before_it_was_agreed(
    program: Program, supervisor: User, specialist: User
) -> None:
    item = session(
        supervisor=supervisor, program=program, held_on=days_ago(3), items=[(specialist, "Go")]
    ).action_items.get()

    with pytest.raises(ValidationError, match="before it was agreed"):
        services.action_item_done(item=item, version=1, done_on=days_ago(5))
    done = services.action_item_done(item=item, version=1, done_on=days_ago(1))
    assert (done.done_on, done.version) == (days_ago(1), 2)
    with pytest.raises(ValidationError, match="already done"):
        services.action_item_done(item=done, version=2, done_on=days_ago(0))


def test_a_team_records_the_clients_it_treats(team: TreatmentTeam, program: Program) -> None:
    treated = ClientFactory(program=program)

    updated = services.team_update(team=team, version=team.version, changes={"clients": [treated]})

    assert list(updated.clients.all()) == [treated]
    assert list(treated.treatment_teams.all()) == [team]


def test_a_team_treats_clients_of_its_own_program_only(
    team: TreatmentTeam, other_program: Program
) -> None:
    stranger = ClientFactory(program=other_program)

    with pytest.raises(ValidationError, match="current clients of the team's program"):
        services.team_update(team=team, version=team.version, changes={"clients": [stranger]})

    assert not team.clients.exists()
