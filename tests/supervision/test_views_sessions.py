"""Sessions and action items: recording, carrying forward, marking done from the home page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ips.models import Program, User
from supervision.models import ActionItem, SupervisionSession
from tests.clients.factories import days_ago
from tests.helpers import LIST_READ, assert_constant_queries
from tests.supervision.factories import session

pytestmark = pytest.mark.django_db
LoginAs = Callable[[User], HttpClient]


def test_supervisor_records_a_session_with_action_items(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User, other_specialist
) -> None:
    response = login_as(supervisor).post(
        reverse("supervision:session_new"),
        {
            "program": program.pk,
            "held_on": days_ago(0).isoformat(),
            "specialists_present": [specialist.pk, other_specialist.pk],
            "notes": "Reviewed the week.",
            "item_specialist_1": specialist.pk,
            "item_text_1": "Meet two hiring managers at grocery stores",
            "item_due_1": days_ago(-7).isoformat(),
        },
    )

    recorded = SupervisionSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:session_detail", args=[recorded.pk])
    assert set(recorded.specialists_present.all()) == {specialist, other_specialist}
    item = recorded.action_items.get()
    assert (item.specialist, item.due_on) == (specialist, days_ago(-7))


def test_action_item_without_specialist_changes_nothing(
    login_as: LoginAs, program: Program, supervisor: User
) -> None:
    response = login_as(supervisor).post(
        reverse("supervision:session_new"),
        {"program": program.pk, "held_on": days_ago(0).isoformat(), "item_text_1": "Visit"},
    )

    assert response.status_code == 200
    assert "Choose whose action item this is." in response.content.decode()
    assert SupervisionSession.objects.count() == 0


def test_future_session_date_is_refused(
    login_as: LoginAs, program: Program, supervisor: User
) -> None:
    response = login_as(supervisor).post(
        reverse("supervision:session_new"),
        {"program": program.pk, "held_on": days_ago(-1).isoformat()},
    )

    assert "The date cannot be in the future." in response.content.decode()
    assert SupervisionSession.objects.count() == 0


def test_open_items_carry_forward_until_done(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User
) -> None:
    first = session(
        supervisor=supervisor,
        program=program,
        held_on=days_ago(14),
        items=[(specialist, "Call the bakery"), (specialist, "Update two career profiles")],
    )
    done = first.action_items.get(text="Call the bakery")
    done.done_on, done.version = days_ago(10), done.version + 1
    done.save()
    second = session(supervisor=supervisor, program=program, held_on=days_ago(7))
    third = session(supervisor=supervisor, program=program, held_on=days_ago(0))

    http = login_as(supervisor)
    at_second = http.get(reverse("supervision:session_detail", args=[second.pk])).content.decode()

    assert "Update two career profiles" in at_second
    assert "Call the bakery" not in at_second
    open_item = first.action_items.get(text="Update two career profiles")
    open_item.done_on, open_item.version = days_ago(3), open_item.version + 1
    open_item.save()
    at_third = http.get(reverse("supervision:session_detail", args=[third.pk])).content.decode()
    assert "Update two career profiles" not in at_third
    # History is kept: the second session still shows what was open on its date.
    at_second = http.get(reverse("supervision:session_detail", args=[second.pk])).content.decode()
    assert "Update two career profiles" in at_second


def test_specialist_sees_and_closes_item_on_home(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User
) -> None:
    agreed = session(
        supervisor=supervisor, program=program, items=[(specialist, "Visit the garden centre")]
    )
    item = agreed.action_items.get()
    http = login_as(specialist)

    home = http.get(reverse("home")).content.decode()
    assert "Visit the garden centre" in home

    response = http.post(
        reverse("supervision:action_item_done", args=[item.pk]),
        {"version": item.version},
        headers={"HX-Request": "true"},
    )

    item.refresh_from_db()
    assert item.done_on == days_ago(0)
    assert "done" in response.content.decode()
    assert "Visit the garden centre" not in http.get(reverse("home")).content.decode()


def test_stale_done_changes_nothing(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User
) -> None:
    item = session(supervisor=supervisor, program=program, items=[(specialist, "Visit")])
    item = item.action_items.get()
    ActionItem.objects.filter(pk=item.pk).update(version=item.version + 1)

    response = login_as(specialist).post(
        reverse("supervision:action_item_done", args=[item.pk]),
        {"version": item.version},
        follow=True,
    )

    item.refresh_from_db()
    assert item.done_on is None
    assert "changed by someone else" in response.content.decode()


def test_a_colleague_cannot_close_someone_elses_item(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User, other_specialist
) -> None:
    item = session(supervisor=supervisor, program=program, items=[(specialist, "Visit")])
    item = item.action_items.get()

    response = login_as(other_specialist).post(
        reverse("supervision:action_item_done", args=[item.pk]), {"version": item.version}
    )

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.done_on is None


def test_home_nudges_come_from_the_definitions(
    login_as: LoginAs, program: Program, specialist: User, other_specialist: User
) -> None:
    from tests.clients.factories import BenefitsReferralFactory, ClientFactory

    quiet = ClientFactory(
        program=program, specialist=specialist, first_name="Quincy", enrolled_on=days_ago(45)
    )
    BenefitsReferralFactory(client=quiet, referred_on=days_ago(31))
    ClientFactory(program=program, specialist=other_specialist, first_name="Olga")

    home = login_as(specialist).get(reverse("home")).content.decode()

    # Today's row (the name, and the log button's name), no employer contact, benefits pending
    assert home.count("Quincy") == 4
    assert "No contact since enrolled 45 days ago" in home
    assert "Olga" not in home  # a colleague's client


@pytest.mark.usefixtures("frozen_clock")
def test_home_queries_do_not_grow_with_items_and_nudges(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User
) -> None:
    from tests.clients.factories import BenefitsReferralFactory, ClientFactory

    def add_rows(n: int) -> None:
        for _ in range(n):
            session(supervisor=supervisor, program=program, items=[(specialist, "Visit")])
            client = ClientFactory(program=program, specialist=specialist, enrolled_on=days_ago(60))
            BenefitsReferralFactory(client=client, referred_on=days_ago(40))

    count = assert_constant_queries(login_as(specialist), reverse("home"), add_rows)

    # user, grants; visible programs; Today's list; open action items (with session and
    # program); the two nudges (no employer contact, benefits pending with client); the read of
    # the clients they name
    assert count == 2 + 1 + 1 + 1 + 2 + LIST_READ


@pytest.mark.usefixtures("frozen_clock")
def test_session_list_queries_do_not_grow(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User
) -> None:

    def add_rows(n: int) -> None:
        for _ in range(n):
            session(supervisor=supervisor, program=program, items=[(specialist, "Visit")])

    count = assert_constant_queries(
        login_as(supervisor), reverse("supervision:session_list"), add_rows
    )

    # user, grants; sessions (with program, supervisor and item count)
    assert count == 2 + 1


def test_new_session_reviews_the_open_items(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User
) -> None:
    earlier = session(
        supervisor=supervisor,
        program=program,
        held_on=days_ago(7),
        items=[(specialist, "Call the print shop"), (specialist, "Visit the depot")],
    )
    done = earlier.action_items.get(text="Visit the depot")
    http = login_as(supervisor)
    http.post(
        reverse("supervision:action_item_done", args=[done.pk]),
        {"version": done.version},
        headers={"HX-Request": "true"},
    )

    page = http.get(reverse("supervision:session_new")).content.decode()

    assert "Sam Specialist</strong>: Call the print shop" in page
    assert "Visit the depot" not in page


@pytest.mark.usefixtures("frozen_clock")
def test_session_list_shows_50_then_loads_more(
    login_as: LoginAs, program: Program, supervisor: User
) -> None:
    for i in range(55):
        session(supervisor=supervisor, program=program, held_on=days_ago(i + 1))
    http = login_as(supervisor)
    url = reverse("supervision:session_list")

    first = http.get(url).content.decode()
    second = http.get(url, {"page": "2"}).content.decode()  # without JavaScript

    assert first.count('<li class="list-group-item"><a href=') == 50
    assert "Showing 1\N{EN DASH}50 of 55 sessions" in first
    assert second.count('<li class="list-group-item"><a href=') == 5
    assert "Showing 51\N{EN DASH}55 of 55 sessions" in second
    assert "Load more" not in second


def test_home_marks_an_overdue_action_item(
    login_as: LoginAs, program: Program, supervisor: User, specialist: User
) -> None:
    agreed = session(
        supervisor=supervisor,
        program=program,
        items=[(specialist, "Call the bakery"), (specialist, "Update two profiles")],
    )
    late, on_time = agreed.action_items.order_by("id")
    ActionItem.objects.filter(pk=late.pk).update(due_on=days_ago(5))
    ActionItem.objects.filter(pk=on_time.pk).update(due_on=days_ago(-3))

    home = login_as(specialist).get(reverse("home")).content.decode()

    late_row = home.split(f'id="action-item-{late.pk}"')[1].split("</li>")[0]
    on_time_row = home.split(f'id="action-item-{on_time.pk}"')[1].split("</li>")[0]
    assert "Overdue 5 days" in late_row
    assert "Overdue" not in on_time_row
