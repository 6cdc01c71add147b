"""The supervision API: /api/v1/supervision/ (the dashboard's numbers), /api/v1/team-meetings/
and /api/v1/supervision-sessions/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ips.models import AuditEvent, Program, User
from supervision.models import SupervisionSession, TeamMeeting, TreatmentTeam
from tests.clients.factories import ClientFactory, api_as, days_ago
from tests.factories import MinimumWageFactory
from tests.helpers import assert_constant_queries, clients_read_by
from tests.supervision.factories import TreatmentTeamFactory, meeting, session

pytestmark = pytest.mark.django_db

NUMBERS = reverse("api:supervision")
MEETINGS = reverse("api:team-meeting-list")
SESSIONS = reverse("api:supervision-session-list")
KEYS = {
    "caseload",
    "working",
    "job_starts_month",
    "employer_contacts_week",
    "employer_contacts_target",
    "no_employer_contact_30d",
    "no_contact_30d",
    "jobs_ended_30d",
    "benefits_pending_30d",
    "meeting_attendance",
}


@pytest.fixture
def team(program: Program, specialist: User) -> TreatmentTeam:
    return TreatmentTeamFactory(program=program, specialists=[specialist])


# --- /api/v1/supervision/ --------------------------------------------------------------------


def test_numbers_have_the_documented_shape(
    program: Program, supervisor: User, specialist: User, other_specialist: User, team
) -> None:
    MinimumWageFactory(program=program)
    ClientFactory(program=program, specialist=specialist, enrolled_on=days_ago(40))
    meeting(team=team, recorded_by=specialist, held_on=days_ago(0), attendees=[specialist])

    body = api_as(supervisor).get(NUMBERS, {"program": program.pk, "week": "2026-W12"}).json()

    assert set(body) == {"program", "week", "month", "specialists", "program_totals"}
    assert (body["program"], body["week"], body["month"]) == (program.pk, "2026-W12", "2026-03")
    # By last name: Tara Colleague, then Sam Specialist.
    assert [row["specialist"] for row in body["specialists"]] == [
        other_specialist.pk,
        specialist.pk,
    ]
    for row in body["specialists"]:
        assert set(row) == KEYS | {"specialist"}
    assert set(body["program_totals"]) == KEYS
    assert body["program_totals"]["employer_contacts_target"] == 12


def test_numbers_of_the_current_week_by_default(
    program: Program, supervisor: User, specialist: User
) -> None:
    MinimumWageFactory(program=program)
    ClientFactory(program=program, specialist=specialist, enrolled_on=days_ago(40))

    body = api_as(supervisor).get(NUMBERS, {"program": program.pk}).json()

    year, week, _ = days_ago(0).isocalendar()
    assert body["week"] == f"{year}-W{week:02d}"
    row = body["specialists"][0]
    assert (row["caseload"], row["no_employer_contact_30d"], row["no_contact_30d"]) == (1, 1, 1)
    assert row["meeting_attendance"] is None


def test_bad_week_is_400_with_a_clear_message(program: Program, supervisor: User) -> None:
    response = api_as(supervisor).get(NUMBERS, {"program": program.pk, "week": "2026-12"})

    assert response.status_code == 400
    assert response.json() == {"week": ["Give the week as an ISO week, such as 2026-W12."]}


def test_program_is_required(supervisor: User) -> None:
    response = api_as(supervisor).get(NUMBERS)

    assert response.status_code == 400
    assert response.json() == {"program": ["Give the program's id: ?program=ID."]}


def test_outsiders_get_404_and_roles_without_client_work_403(
    program: Program, outsider_director: User, reviewer: User, admin: User
) -> None:
    assert api_as(outsider_director).get(NUMBERS, {"program": program.pk}).status_code == 404
    for user in (reviewer, admin):
        assert api_as(user).get(NUMBERS, {"program": program.pk}).status_code == 403


def test_specialist_gets_their_own_row(
    program: Program, specialist: User, other_specialist: User
) -> None:
    body = api_as(specialist).get(NUMBERS, {"program": program.pk}).json()

    assert [row["specialist"] for row in body["specialists"]] == [specialist.pk]


def test_numbers_queries_do_not_grow(program: Program, supervisor: User) -> None:
    from ips.models import Role
    from tests.factories import StaffRoleFactory

    def add_rows(n: int) -> None:
        for _ in range(n):
            someone = StaffRoleFactory(role=Role.SPECIALIST, program=program).user
            ClientFactory(program=program, specialist=someone)

    count = assert_constant_queries(api_as(supervisor), f"{NUMBERS}?program={program.pk}", add_rows)

    # token (with user); grants (also "may the caller open any dashboard?"); the dashboard's
    # programs; specialists; the 8 numbers; meetings expected and attended
    assert count == 1 + 1 + 1 + 1 + 8 + 2


# --- /api/v1/team-meetings/ ------------------------------------------------------------------


def test_specialist_records_a_meeting(
    program: Program, specialist: User, other_specialist: User, team: TreatmentTeam
) -> None:
    client = ClientFactory(program=program)

    response = api_as(specialist).post(
        MEETINGS,
        {
            "team": team.pk,
            "held_on": days_ago(1).isoformat(),
            "attendees": [specialist.pk, other_specialist.pk],
            "discussed": [{"client": client.pk, "note": "Interview on Monday."}],
            "follow_ups": "Nurse to check in after.",
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["discussed"] == [{"client": client.pk, "note": "Interview on Monday."}]
    assert sorted(body["attendees"]) == sorted([specialist.pk, other_specialist.pk])
    assert body["recorded_by"] == specialist.pk
    assert body["version"] == 1


def test_meeting_of_another_programs_client_is_refused(
    other_program: Program, specialist: User, team: TreatmentTeam
) -> None:
    elsewhere = ClientFactory(program=other_program)

    response = api_as(specialist).post(
        MEETINGS,
        {
            "team": team.pk,
            "held_on": days_ago(1).isoformat(),
            "discussed": [{"client": elsewhere.pk, "note": "x"}],
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert TeamMeeting.objects.count() == 0


def test_stale_meeting_update_is_409(specialist: User, team: TreatmentTeam) -> None:
    recorded = meeting(team=team, recorded_by=specialist)
    url = reverse("api:team-meeting-detail", args=[recorded.pk])
    http = api_as(specialist)
    first = http.patch(url, {"version": 1, "follow_ups": "First"}, content_type="application/json")

    second = http.patch(
        url, {"version": 1, "follow_ups": "Second"}, content_type="application/json"
    )

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["current_version"] == 2
    recorded.refresh_from_db()
    assert recorded.follow_ups == "First"


def test_retrieving_a_meeting_audits_each_client(
    program: Program, specialist: User, supervisor: User, team: TreatmentTeam
) -> None:
    client = ClientFactory(program=program)
    recorded = meeting(team=team, recorded_by=specialist, discussed=[(client, "Note")])

    response = api_as(supervisor).get(reverse("api:team-meeting-detail", args=[recorded.pk]))

    assert response.status_code == 200
    event = AuditEvent.objects.get(actor=supervisor)
    assert (event.action, event.path) == (
        "list",
        reverse("api:team-meeting-detail", args=[recorded.pk]),
    )
    assert clients_read_by(supervisor) == {client.pk}


def test_outsider_gets_404_for_a_meeting(
    specialist: User, outsider_director: User, team: TreatmentTeam
) -> None:
    recorded = meeting(team=team, recorded_by=specialist)

    response = api_as(outsider_director).get(reverse("api:team-meeting-detail", args=[recorded.pk]))

    assert response.status_code == 404
    assert api_as(outsider_director).get(MEETINGS).json()["results"] == []


def test_meeting_list_queries_do_not_grow(specialist: User, team: TreatmentTeam) -> None:
    def add_rows(n: int) -> None:
        for _ in range(n):
            meeting(team=team, recorded_by=specialist, attendees=[specialist])

    count = assert_constant_queries(api_as(specialist), MEETINGS, add_rows)

    # token (with user); the caller's grants; page count; meetings (with team and program);
    # attendees; clients discussed
    assert count == 1 + 5


# --- /api/v1/supervision-sessions/ -------------------------------------------------------------


def test_supervisor_records_a_session_with_items(
    program: Program, supervisor: User, specialist: User
) -> None:
    response = api_as(supervisor).post(
        SESSIONS,
        {
            "program": program.pk,
            "held_on": days_ago(0).isoformat(),
            "specialists_present": [specialist.pk],
            "action_items": [{"specialist": specialist.pk, "text": "Six contacts this week"}],
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    (item,) = response.json()["action_items"]
    assert (item["specialist"], item["text"], item["done_on"]) == (
        specialist.pk,
        "Six contacts this week",
        None,
    )


def test_director_may_read_but_not_record_sessions(
    program: Program, supervisor: User, director: User
) -> None:
    recorded = session(supervisor=supervisor, program=program)
    http = api_as(director)

    assert (
        http.get(reverse("api:supervision-session-detail", args=[recorded.pk])).status_code == 200
    )
    response = http.post(
        SESSIONS,
        {"program": program.pk, "held_on": days_ago(0).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert SupervisionSession.objects.count() == 1


def test_stale_session_update_is_409(program: Program, supervisor: User) -> None:
    recorded = session(supervisor=supervisor, program=program)
    url = reverse("api:supervision-session-detail", args=[recorded.pk])
    http = api_as(supervisor)
    http.patch(url, {"version": 1, "notes": "First"}, content_type="application/json")

    response = http.patch(url, {"version": 1, "notes": "Second"}, content_type="application/json")

    assert response.status_code == 409
    recorded.refresh_from_db()
    assert recorded.notes == "First"


def test_outsider_gets_404_for_a_session(
    program: Program, supervisor: User, outsider_director: User, specialist: User
) -> None:
    recorded = session(supervisor=supervisor, program=program)
    url = reverse("api:supervision-session-detail", args=[recorded.pk])

    assert api_as(outsider_director).get(url).status_code == 404
    assert api_as(specialist).get(url).status_code == 404


def test_archived_session_leaves_the_list(program: Program, supervisor: User) -> None:
    recorded = session(supervisor=supervisor, program=program)
    http = api_as(supervisor)

    response = http.post(
        reverse("api:supervision-session-archive", args=[recorded.pk]),
        {"version": 1, "reason": "Recorded twice."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert http.get(SESSIONS).json()["results"] == []
    assert SupervisionSession.objects.filter(pk=recorded.pk).exists()
