"""Treatment teams and meetings: recording on a phone, reading (audited), the client timeline."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ips.models import Program, Role, User
from supervision.models import TeamMeeting, TreatmentTeam
from tests.clients.factories import ClientFactory, days_ago
from tests.factories import StaffRoleFactory
from tests.helpers import LIST_READ, assert_constant_queries, clients_read_by
from tests.supervision.factories import TreatmentTeamFactory, meeting

pytestmark = pytest.mark.django_db
LoginAs = Callable[[User], HttpClient]


@pytest.fixture
def team(program: Program, specialist: User) -> TreatmentTeam:
    return TreatmentTeamFactory(program=program, name="North ACT team", specialists=[specialist])


def test_form_defaults_to_today_the_only_team_and_self(
    login_as: LoginAs, team: TreatmentTeam, specialist: User
) -> None:
    response = login_as(specialist).get(reverse("supervision:meeting_new"))
    form = response.context["form"]

    assert form["held_on"].value() == days_ago(0)
    assert form["team"].value() == team.pk
    assert form["attendees"].value() == [specialist.pk]


def test_specialist_records_a_meeting(
    login_as: LoginAs, program: Program, team: TreatmentTeam, specialist: User, other_specialist
) -> None:
    client = ClientFactory(program=program, specialist=specialist)

    response = login_as(specialist).post(
        reverse("supervision:meeting_new"),
        {
            "held_on": days_ago(0).isoformat(),
            "team": team.pk,
            "attendees": [specialist.pk, other_specialist.pk],
            "client_1": client.pk,
            "note_1": "Ready to meet employers; prefers mornings.",
            "follow_ups": "Psychiatrist to review medication timing.",
        },
    )

    recorded = TeamMeeting.objects.get()
    assert response.status_code == 302
    assert set(recorded.attendees.all()) == {specialist, other_specialist}
    assert recorded.discussed.get().note == "Ready to meet employers; prefers mornings."
    page = login_as(specialist).get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "Discussed at North ACT team" in page
    assert "prefers mornings" in page


def test_client_without_note_changes_nothing(
    login_as: LoginAs, program: Program, team: TreatmentTeam, specialist: User
) -> None:
    client = ClientFactory(program=program, specialist=specialist)

    response = login_as(specialist).post(
        reverse("supervision:meeting_new"),
        {"held_on": days_ago(0).isoformat(), "team": team.pk, "client_1": client.pk},
    )

    assert response.status_code == 200
    assert "Write a short note on this client." in response.content.decode()
    assert TeamMeeting.objects.count() == 0


def test_clients_of_another_program_cannot_be_picked(
    login_as: LoginAs, other_program: Program, team: TreatmentTeam, specialist: User
) -> None:
    elsewhere = ClientFactory(program=other_program)

    response = login_as(specialist).post(
        reverse("supervision:meeting_new"),
        {
            "held_on": days_ago(0).isoformat(),
            "team": team.pk,
            "client_1": elsewhere.pk,
            "note_1": "x",
        },
    )

    assert "Select a valid choice" in response.content.decode()
    assert TeamMeeting.objects.count() == 0


@pytest.fixture
def two_programs(
    program: Program, other_program: Program, supervisor: User, specialist: User
) -> dict[str, object]:
    """Sue supervises both programs, each with a team, a specialist and a client."""
    StaffRoleFactory(user=supervisor, role=Role.SUPERVISOR, program=other_program)
    bridge_specialist = StaffRoleFactory(role=Role.SPECIALIST, program=other_program).user
    return {
        "team": TreatmentTeamFactory(program=program, name="North ACT team"),
        "other_team": TreatmentTeamFactory(program=other_program, name="Bridge CMHT"),
        "client": ClientFactory(program=program, first_name="Ana", last_name="Reyes"),
        "other_client": ClientFactory(program=other_program, first_name="Bo", last_name="Lind"),
        "other_specialist": bridge_specialist,
    }


def test_choosing_a_team_offers_only_its_programs_clients_and_staff(
    login_as: LoginAs, two_programs: dict[str, object], supervisor: User, specialist: User
) -> None:
    other_team = two_programs["other_team"]
    http = login_as(supervisor)

    before = http.get(reverse("supervision:meeting_new")).context["form"]
    after = http.get(reverse("supervision:meeting_new"), {"team": other_team.pk}).context["form"]

    def offered(form: object, field: str) -> set[str]:
        return {label for value, label in form.fields[field].choices if value}  # type: ignore[attr-defined]

    assert offered(before, "client_1") == {"Ana Reyes", "Bo Lind"}
    assert offered(after, "client_1") == {"Bo Lind"}
    assert str(specialist) in offered(before, "attendees")
    assert offered(after, "attendees") == {str(supervisor), str(two_programs["other_specialist"])}
    assert after["team"].value() == other_team.pk
    assert after["attendees"].value() == [supervisor.pk]


def test_choosing_another_team_keeps_the_picks_it_offers(
    login_as: LoginAs, two_programs: dict[str, object], supervisor: User
) -> None:
    other_client = two_programs["other_client"]
    query = {
        "team": two_programs["other_team"].pk,
        "attendees": [two_programs["other_specialist"].pk],
        "client_1": other_client.pk,
        "client_2": two_programs["client"].pk,
    }

    form = login_as(supervisor).get(reverse("supervision:meeting_new"), query).context["form"]

    assert form["attendees"].value() == [str(two_programs["other_specialist"].pk)]
    assert form["client_1"].value() == str(other_client.pk)
    # A pick of the other program's client is not offered any more.
    assert str(two_programs["client"].pk) not in {
        str(value) for value, _ in form.fields["client_2"].choices
    }


def test_a_client_of_another_program_is_refused_on_its_row(
    login_as: LoginAs, two_programs: dict[str, object], supervisor: User
) -> None:
    response = login_as(supervisor).post(
        reverse("supervision:meeting_new"),
        {
            "held_on": days_ago(0).isoformat(),
            "team": two_programs["other_team"].pk,
            "attendees": [supervisor.pk],
            "client_1": two_programs["other_client"].pk,
            "note_1": "Interview on Friday.",
            "client_2": two_programs["client"].pk,
            "note_2": "Wants mornings.",
        },
    )

    errors = response.context["form"].errors
    assert errors["client_2"] == [
        "Not a client of Bridge Team, the program of Bridge CMHT: choose another."
    ]
    assert "client_1" not in errors
    # The refused pick stays shown on its row.
    assert f'<option value="{two_programs["client"].pk}" selected>' in response.content.decode()
    assert TeamMeeting.objects.count() == 0


def test_an_attendee_of_another_program_is_named(
    login_as: LoginAs, two_programs: dict[str, object], supervisor: User, specialist: User
) -> None:
    response = login_as(supervisor).post(
        reverse("supervision:meeting_new"),
        {
            "held_on": days_ago(0).isoformat(),
            "team": two_programs["other_team"].pk,
            "attendees": [supervisor.pk, specialist.pk],
        },
    )

    assert response.context["form"].errors["attendees"] == [
        f"Not on the staff of Bridge Team: {specialist}."
    ]
    assert TeamMeeting.objects.count() == 0


def test_reading_a_meeting_audits_each_client_discussed(
    login_as: LoginAs, program: Program, team: TreatmentTeam, specialist: User, director: User
) -> None:
    first, second = (ClientFactory(program=program) for _ in range(2))
    recorded = meeting(
        team=team, recorded_by=specialist, discussed=[(first, "One"), (second, "Two")]
    )

    response = login_as(director).get(reverse("supervision:meeting_detail", args=[recorded.pk]))

    assert response.status_code == 200
    assert clients_read_by(director) == {first.pk, second.pk}


def test_supervisor_adds_a_team(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User
) -> None:
    response = login_as(supervisor).post(
        reverse("supervision:team_new"),
        {"program": program.pk, "name": "South CMHT", "specialists": [specialist.pk]},
    )

    assert response.status_code == 302
    assert list(TreatmentTeam.objects.get(name="South CMHT").specialists.all()) == [specialist]


@pytest.mark.usefixtures("frozen_clock")
def test_meeting_list_queries_do_not_grow(
    login_as: LoginAs, program: Program, team: TreatmentTeam, specialist: User
) -> None:

    def add_rows(n: int) -> None:
        for _ in range(n):
            meeting(team=team, recorded_by=specialist, attendees=[specialist])

    count = assert_constant_queries(
        login_as(specialist), reverse("supervision:meeting_list"), add_rows
    )

    # + meetings (with team, program, recorder), their attendees
    assert count == 2 + 2


def test_supervisor_reassigns_a_team(
    login_as: LoginAs, team: TreatmentTeam, supervisor: User, specialist: User, other_specialist
) -> None:
    response = login_as(supervisor).post(
        reverse("supervision:team_edit", args=[team.pk]),
        {"version": team.version, "name": "North ACT", "specialists": [other_specialist.pk]},
    )

    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.version) == ("North ACT", 2)
    assert list(team.specialists.all()) == [other_specialist]


def test_stale_team_edit_keeps_the_other_change(
    login_as: LoginAs, team: TreatmentTeam, supervisor: User, specialist: User
) -> None:
    from supervision.services import team_update

    team_update(team=team, version=1, changes={"name": "Renamed elsewhere"})

    response = login_as(supervisor).post(
        reverse("supervision:team_edit", args=[team.pk]),
        {"version": 1, "name": "Mine", "specialists": [specialist.pk]},
    )

    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    team.refresh_from_db()
    assert team.name == "Renamed elsewhere"


def test_archived_meeting_leaves_the_timeline(
    login_as: LoginAs, program: Program, team: TreatmentTeam, specialist: User
) -> None:
    client = ClientFactory(program=program)
    recorded = meeting(team=team, recorded_by=specialist, discussed=[(client, "Wrong client")])
    http = login_as(specialist)

    refused = http.post(
        reverse("supervision:meeting_archive", args=[recorded.pk]),
        {"version": recorded.version, "archive_reason": ""},
    )
    assert "This field is required." in refused.content.decode()
    response = http.post(
        reverse("supervision:meeting_archive", args=[recorded.pk]),
        {"version": recorded.version, "archive_reason": "Recorded for the wrong client."},
    )

    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.archive_reason == "Recorded for the wrong client."
    page = http.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "Wrong client" not in page


@pytest.mark.usefixtures("frozen_clock")
def test_meeting_form_queries_do_not_grow_with_the_caseload(
    login_as: LoginAs, program: Program, team: TreatmentTeam, specialist: User
) -> None:

    def add_rows(n: int) -> None:
        for _ in range(n):
            ClientFactory(program=program, specialist=specialist)

    count = assert_constant_queries(
        login_as(specialist), reverse("supervision:meeting_new"), add_rows
    )

    # user, grants; the caseload (once for the five pickers); teams (twice: the only one is
    # pre-selected, then the options); staff; the read of the clients the pickers name
    assert count == 2 + 1 + 2 + 1 + LIST_READ


@pytest.mark.usefixtures("frozen_clock")
def test_meeting_list_shows_50_then_loads_more(
    login_as: LoginAs, team: TreatmentTeam, specialist: User
) -> None:
    for i in range(55):
        meeting(team=team, recorded_by=specialist, held_on=days_ago(i + 1))
    http = login_as(specialist)
    url = reverse("supervision:meeting_list")

    first = http.get(url).content.decode()
    more = http.get(url, {"page": "2", "from": "1"}, headers={"HX-Request": "true"})

    assert first.count('<li class="list-group-item"><a href=') == 50
    assert "Showing 1\N{EN DASH}50 of 55 meetings" in first
    assert f'href="{url}?page=2"' in first
    appended = more.content.decode()
    assert appended.count('<li class="list-group-item"><a href=') == 5
    assert "<h1" not in appended
    assert days_ago(55).isoformat() in appended
    assert "Showing 1\N{EN DASH}55 of 55 meetings" in appended
