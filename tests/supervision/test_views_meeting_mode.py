"""Meeting mode: the numbers and their trends (the dashboard's, week by week), items done and
undone and typed in place, the session of the day saved without leaving the page, bad input
and concurrent saves."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from ips.models import Program, Role, User
from supervision import selectors
from supervision.meeting import selectors as meeting_selectors
from supervision.models import ActionItem, SupervisionSession
from supervision.selectors import COUNTED_METRICS, SupervisionWeek
from tests.clients.factories import ClientFactory, ContactFactory, JobFactory
from tests.employers.factories import EmployerContactFactory
from tests.factories import MinimumWageFactory, StaffRoleFactory
from tests.helpers import assert_constant_queries
from tests.supervision.factories import session

pytestmark = pytest.mark.django_db
LoginAs = Callable[[User], HttpClient]

# Monday 9 March 2026: the meeting reviews 2026-W10 (2 to 8 March), the last complete week.
TODAY = dt.date(2026, 3, 9)
D = dt.date


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 9, 14, 0, tzinfo=dt.UTC), tick=False):
        yield


def _url(**params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('supervision:meeting')}?{query}"


def _history(program: Program, specialist: User, weeks_ago: int, n: int) -> None:
    """A client of `specialist` enrolled `weeks_ago` weeks before the week under review, with a
    contact, a job started and `n` employer contacts in that week."""
    monday = D(2026, 3, 2) - dt.timedelta(weeks=weeks_ago)
    enrolled = monday - dt.timedelta(days=40)
    client = ClientFactory(
        program=program,
        specialist=specialist,
        referred_on=enrolled - dt.timedelta(days=2),
        enrolled_on=enrolled,
    )
    ContactFactory(client=client, specialist=specialist, contacted_on=monday)
    JobFactory(client=client, started_on=monday + dt.timedelta(days=2))
    for day in range(n):
        EmployerContactFactory(
            employer__program=program,
            specialist=specialist,
            contacted_on=monday + dt.timedelta(days=day % 7),
            face_to_face=True,
            with_hiring_manager=True,
        )


@pytest.fixture
def history(program: Program, specialist: User, other_specialist: User) -> None:
    """Nine weeks of work: Sam more each week, Tara one client; one client with no specialist."""
    MinimumWageFactory(program=program, effective_on=D(2025, 1, 1))
    for weeks_ago in range(9):
        _history(program, specialist, weeks_ago, n=8 - weeks_ago)
    _history(program, other_specialist, 3, n=2)
    ClientFactory(
        program=program, specialist=None, referred_on=D(2026, 1, 2), enrolled_on=D(2026, 1, 5)
    )


def test_trends_equal_the_dashboard_of_each_week(
    history: None, program: Program, specialist: User, other_specialist: User
) -> None:
    when = SupervisionWeek.last_complete(TODAY)
    weeks = [SupervisionWeek.of(week, TODAY) for week in when.week.recent(9)]

    trends = meeting_selectors.weekly_counts(program=program, weeks=weeks)

    assert weeks[-1].week.label == "2026-W10"
    assert trends["employer_contacts_week"][specialist.pk] == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    for i, week in enumerate(weeks):
        board = selectors.dashboard(program=program, when=week)
        for row in board.specialists:
            for key in COUNTED_METRICS:
                got = trends[key].get(row.specialist.pk, [0] * 9)[i]
                assert got == row.counts[key], (week.week.label, row.specialist, key)
        for key in COUNTED_METRICS:
            assert sum(values[i] for values in trends[key].values()) == board.totals.counts[key]


def test_meeting_opens_on_the_last_complete_week_with_rates_and_trends(
    login_as: LoginAs, history: None, program: Program, specialist: User, supervisor: User
) -> None:
    html = login_as(supervisor).get(_url(program=program.pk)).content.decode()

    assert "Week of Mon 2 Mar \u2013 Sun 8 Mar 2026" in html
    assert "calendar month of March 2026" in html
    card = re.search(rf'data-specialist="{specialist.pk}">(.*?)</section>', html, re.S)[1]
    # Nine clients on the caseload, all working: the share beside the counts.
    assert "9 of 9 (100.0 %)" in card
    assert card.count('class="sparkline"') == len(COUNTED_METRICS) + 1
    assert "2026-W02: 0; 2026-W03: 1;" in card  # the employer contacts' trend, in words
    # Week navigation by previous/next and a date picker; no next week past the last complete.
    assert f"?program={program.pk}&week=2026-W09" in html
    assert 'type="date" name="date"' in html
    assert 'aria-disabled="true">Next week' in html


def test_date_picker_redirects_to_the_week_holding_the_day(
    login_as: LoginAs, program: Program, supervisor: User
) -> None:
    response = login_as(supervisor).get(_url(program=program.pk, date="2026-03-04"))

    assert response.status_code == 302
    assert response["Location"] == _url(program=program.pk, week="2026-W10")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"week": "2026-W60"}, "ISO week"),
        ({"date": "4 March"}, "calendar date"),
        ({"date": "1999-12-31"}, "Give a date from 2000-01-01"),
    ],
)
def test_bad_week_or_date_gets_a_clear_message(
    login_as: LoginAs, program: Program, supervisor: User, query: dict, message: str
) -> None:
    response = login_as(supervisor).get(_url(program=program.pk, **query))

    assert response.status_code == 400
    assert message in response.content.decode()


def test_old_week_codes_are_still_accepted(
    login_as: LoginAs, program: Program, supervisor: User
) -> None:
    html = login_as(supervisor).get(_url(program=program.pk, week="2026-W01")).content.decode()

    assert "Week of Mon 29 Dec \u2013 Sun 4 Jan 2026" in html


def test_director_reads_the_meeting_without_changing_anything(
    login_as: LoginAs, program: Program, specialist: User, supervisor: User, director: User
) -> None:
    session(supervisor=supervisor, program=program, items=[(specialist, "Two visits")])

    html = login_as(director).get(_url(program=program.pk)).content.decode()

    assert "Two visits" in html
    assert "Mark done" not in html
    assert 'id="session-form"' not in html


def _item(supervisor: User, program: Program, specialist: User) -> ActionItem:
    last = session(
        supervisor=supervisor, program=program, held_on=D(2026, 3, 2), items=[(specialist, "Two")]
    )
    return last.action_items.get()


def test_done_then_undo_in_place(
    login_as: LoginAs, program: Program, specialist: User, supervisor: User
) -> None:
    item = _item(supervisor, program, specialist)
    http = login_as(supervisor)
    done_url = reverse("supervision:action_item_done", args=[item.pk])
    undo_url = reverse("supervision:action_item_undo", args=[item.pk])

    done = http.post(done_url, {"version": item.version}, headers={"HX-Request": "true"})
    item.refresh_from_db()
    assert item.done_on == TODAY
    assert "Undo" in done.content.decode()

    undone = http.post(undo_url, {"version": item.version}, headers={"HX-Request": "true"})
    item.refresh_from_db()
    assert item.done_on is None
    assert "Mark done" in undone.content.decode()


def test_undo_without_javascript_goes_back_to_the_meeting(
    login_as: LoginAs, program: Program, specialist: User, supervisor: User
) -> None:
    item = _item(supervisor, program, specialist)
    http = login_as(supervisor)
    back = _url(program=program.pk, week="2026-W10")
    http.post(reverse("supervision:action_item_done", args=[item.pk]), {"version": item.version})
    item.refresh_from_db()

    response = http.post(
        reverse("supervision:action_item_undo", args=[item.pk]),
        {"version": item.version, "next": back},
    )

    assert response.status_code == 302
    assert response["Location"] == back
    item.refresh_from_db()
    assert item.done_on is None


def test_stale_undo_is_refused_and_changes_nothing(
    login_as: LoginAs, program: Program, specialist: User, supervisor: User
) -> None:
    item = _item(supervisor, program, specialist)
    http = login_as(supervisor)
    stale = item.version
    http.post(reverse("supervision:action_item_done", args=[item.pk]), {"version": stale})

    response = http.post(
        reverse("supervision:action_item_undo", args=[item.pk]),
        {"version": stale},
        headers={"HX-Request": "true"},
    )

    assert "changed by someone else" in response.content.decode()
    item.refresh_from_db()
    assert item.done_on == TODAY


def test_undo_of_an_open_item_is_refused(
    login_as: LoginAs, program: Program, specialist: User, supervisor: User
) -> None:
    item = _item(supervisor, program, specialist)

    response = login_as(supervisor).post(
        reverse("supervision:action_item_undo", args=[item.pk]),
        {"version": item.version},
        headers={"HX-Request": "true"},
    )

    assert "This item is not done." in response.content.decode()
    item.refresh_from_db()
    assert (item.done_on, item.version) == (None, 1)


def test_new_item_in_place_records_the_session_of_the_day(
    login_as: LoginAs, program: Program, specialist: User, supervisor: User
) -> None:
    response = login_as(supervisor).post(
        reverse("supervision:meeting_item_new"),
        {"program": program.pk, "week": "2026-W10", "specialist": specialist.pk, "text": "Six"},
        headers={"HX-Request": "true"},
    )

    today = SupervisionSession.objects.get(program=program, held_on=TODAY)
    item = today.action_items.get()
    assert (item.specialist, item.text) == (specialist, "Six")
    html = response.content.decode()
    assert f'id="action-item-{item.pk}"' in html
    # The notes form learns the session it now saves into.
    assert f'name="session" value="{today.pk}"' in html
    assert response["HX-Trigger"] == "form-reset"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": "  "}, "Write the goal or action."),
        ({"due_on": "2026-03-01"}, "cannot be before the meeting"),
        ({"due_on": "soon"}, "Enter a valid date."),
        ({"specialist": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_new_item_gets_a_message_and_changes_nothing(
    login_as: LoginAs,
    program: Program,
    specialist: User,
    supervisor: User,
    changes: dict,
    message: str,
) -> None:
    data = {"program": program.pk, "specialist": specialist.pk, "text": "Six", **changes}

    response = login_as(supervisor).post(
        reverse("supervision:meeting_item_new"), data, headers={"HX-Request": "true"}
    )

    assert message in response.content.decode()
    assert response["HX-Retarget"].startswith("#item-error-")
    assert SupervisionSession.objects.count() == 0
    assert ActionItem.objects.count() == 0


def test_specialist_of_another_program_cannot_be_given_an_item(
    login_as: LoginAs, program: Program, other_program: Program, supervisor: User
) -> None:
    elsewhere = StaffRoleFactory(role=Role.SPECIALIST, program=other_program).user

    response = login_as(supervisor).post(
        reverse("supervision:meeting_item_new"),
        {"program": program.pk, "specialist": elsewhere.pk, "text": "Six"},
    )

    assert response.status_code == 302
    assert ActionItem.objects.count() == 0


def _save(http: HttpClient, program: Program, **data: object) -> object:
    return http.post(
        reverse("supervision:meeting_session_save"),
        {"program": program.pk, "week": "2026-W10", **data},
        headers={"HX-Request": "true"},
    )


def test_notes_and_attendance_are_saved_as_the_session(
    login_as: LoginAs, program: Program, specialist: User, supervisor: User
) -> None:
    http = login_as(supervisor)

    first = _save(http, program, notes="Leads shared", specialists_present=[specialist.pk])
    saved = SupervisionSession.objects.get(program=program, held_on=TODAY)
    assert saved.notes == "Leads shared"
    assert list(saved.specialists_present.all()) == [specialist]
    assert "Saved at" in first.content.decode()

    _save(http, program, session=saved.pk, version=saved.version, notes="Leads shared; Ada hired")
    saved.refresh_from_db()
    assert saved.notes == "Leads shared; Ada hired"
    assert saved.specialists_present.count() == 0
    assert SupervisionSession.objects.count() == 1


def test_a_save_from_a_stale_page_never_overwrites_silently(
    login_as: LoginAs, program: Program, supervisor: User
) -> None:
    http = login_as(supervisor)
    _save(http, program, notes="From the laptop")
    saved = SupervisionSession.objects.get()

    # A second tab opened before the first saved: it knew of no session.
    response = _save(http, program, notes="From the phone")

    html = response.content.decode()
    assert "changed by someone else" in html
    assert "From the laptop" in html
    assert "From the phone" in html
    saved.refresh_from_db()
    assert saved.notes == "From the laptop"
    assert SupervisionSession.objects.count() == 1
    # Saving again from that form is a deliberate overwrite.
    again = re.search(r'name="version" value="(\d+)"', html)[1]
    _save(http, program, session=saved.pk, version=again, notes="From the phone")
    saved.refresh_from_db()
    assert saved.notes == "From the phone"


def test_stale_save_without_javascript_answers_409_with_the_page(
    login_as: LoginAs, program: Program, supervisor: User
) -> None:
    http = login_as(supervisor)
    _save(http, program, notes="First")

    response = http.post(
        reverse("supervision:meeting_session_save"),
        {"program": program.pk, "week": "2026-W10", "notes": "Second"},
    )

    assert response.status_code == 409
    assert "Second" in response.content.decode()
    assert SupervisionSession.objects.get().notes == "First"


def test_saving_without_javascript_redirects_back_to_the_record(
    login_as: LoginAs, program: Program, supervisor: User
) -> None:
    response = login_as(supervisor).post(
        reverse("supervision:meeting_session_save"),
        {"program": program.pk, "week": "2026-W09", "notes": "Saved"},
    )

    assert response.status_code == 302
    assert response["Location"] == _url(program=program.pk, week="2026-W09") + "#meeting-record"


def test_director_cannot_save_the_meeting(
    login_as: LoginAs, program: Program, director: User
) -> None:
    response = _save(login_as(director), program, notes="Mine")

    assert response.status_code == 403
    assert SupervisionSession.objects.count() == 0


def test_meeting_queries_are_constant_in_specialists(
    login_as: LoginAs, program: Program, supervisor: User
) -> None:
    MinimumWageFactory(program=program, effective_on=D(2025, 1, 1))
    last = session(supervisor=supervisor, program=program, held_on=D(2026, 3, 2))

    def add_rows(n: int) -> None:
        for _ in range(n):
            specialist = StaffRoleFactory(role=Role.SPECIALIST, program=program).user
            _history(program, specialist, 1, n=2)
            ActionItem.objects.create(session=last, specialist=specialist, text="Two visits")

    count = assert_constant_queries(login_as(supervisor), _url(program=program.pk), add_rows)

    # session, user, grants; the meeting's programs; the dashboard (specialists, 8 numbers,
    # 2 for attendance); 8 trends; today's and the last session; the items
    assert count == 25
