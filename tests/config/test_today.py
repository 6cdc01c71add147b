"""Today, the top of a specialist's home: whom to see and why, the most overdue first, each row
one tap from a quick log that opens ready to save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client, Contact, PlanGoal, PlanStep
from clients.templatetags.client_tags import tel_href
from config.today import today_rows
from ips.models import Program, User
from tests.clients.factories import ClientFactory, ContactFactory, JobFactory
from tests.helpers import LIST_READ, assert_constant_queries, clients_read_by

pytestmark = pytest.mark.django_db
LoginAs = Callable[[User], HttpClient]
TODAY = dt.date(2026, 5, 13)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 5, 13, 14, 0, tzinfo=dt.UTC), tick=False):
        yield


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def enrolled(program: Program, specialist: User, name: str, *, contact: int | None = 1) -> Client:
    """An enrolled client of `specialist`, last contacted `contact` days ago (None: never)."""
    client = ClientFactory(
        program=program,
        specialist=specialist,
        first_name=name,
        referred_on=ago(120),
        enrolled_on=ago(100),
    )
    if contact is not None:
        ContactFactory(client=client, specialist=specialist, contacted_on=ago(contact))
    return client


def step(client: Client, due: dt.date, kind: str = PlanGoal.Kind.EMPLOYMENT) -> PlanStep:
    goal = PlanGoal.objects.create(client=client, kind=kind, text="Work in a kitchen")
    return PlanStep.objects.create(goal=goal, text="Visit the bakery", due_on=due)


def test_today_lists_own_clients_who_need_seeing_most_overdue_first(
    program: Program, specialist: User, other_specialist: User
) -> None:
    quiet = enrolled(program, specialist, "Quinn", contact=40)
    late_step = enrolled(program, specialist, "Lena")
    step(late_step, ago(5))
    step(enrolled(program, specialist, "Eddie"), TODAY + dt.timedelta(days=3), "education")
    ClientFactory(
        program=program, specialist=specialist, first_name="Nia", referred_on=ago(2), referred=True
    )
    started = enrolled(program, specialist, "Jo")
    JobFactory(client=started, started_on=ago(1), title="Prep cook")
    JobFactory(client=enrolled(program, specialist, "Old job"), started_on=ago(20))
    step(enrolled(program, specialist, "Later"), TODAY + dt.timedelta(days=8))
    ClientFactory(program=program, specialist=other_specialist, referred_on=ago(1), referred=True)
    ClientFactory(program=program, specialist=specialist, first_name="Closed", closed=True)

    rows = today_rows(user=specialist, today=TODAY)

    names = [row.name.split()[0] for row in rows]
    # Overdue first (10 days past the 30-day signal, then a step 5 days late), then by name.
    assert names[:2] == ["Quinn", "Lena"]
    assert sorted(names[2:]) == sorted(["Eddie", "Nia", "Jo"])
    by_name = {row.name.split()[0]: row for row in rows}
    assert [r.text for r in by_name["Quinn"].reasons] == ["No contact in 40 days"]
    assert by_name["Quinn"].late == 10
    assert by_name["Quinn"].reasons[0].overdue
    assert by_name["Lena"].reasons[0].text == "Plan step overdue 5 days: Visit the bakery"
    assert by_name["Lena"].purpose == Contact.Purpose.JOB_SEARCH
    assert by_name["Eddie"].purpose == Contact.Purpose.EDUCATION
    assert not by_name["Eddie"].overdue
    assert by_name["Nia"].reasons[0].text == "New referral, 2 days ago"
    assert by_name["Nia"].purpose == Contact.Purpose.ENGAGEMENT
    assert by_name["Jo"].reasons[0].text == "Job started Tue 12 May: Prep cook"
    assert by_name["Jo"].purpose == Contact.Purpose.JOB_SUPPORT
    assert quiet.pk == by_name["Quinn"].pk


def test_today_on_the_home_page_opens_a_ready_quick_log_and_records_the_read(
    login_as: LoginAs, program: Program, specialist: User, other_specialist: User
) -> None:
    client = enrolled(program, specialist, "Quinn", contact=40)
    client.phone = "(555) 010-2030"
    client.save()
    colleagues = enrolled(program, other_specialist, "Colleen", contact=40)

    html = login_as(specialist).get(reverse("home")).content.decode()

    today_list = html.split('data-testid="today-list"')[1].split("</ul>\n<details")[0]
    assert today_list.count('data-testid="today-row"') == 1
    assert "Quinn" in today_list
    assert "Colleen" not in html
    quick = reverse("clients:contact_quick", args=[client.pk])
    assert f'hx-get="{quick}?where=today&amp;purpose=engagement&amp;minutes=30"' in html
    assert 'href="tel:5550102030"' in html
    assert client.pk in clients_read_by(specialist)
    assert colleagues.pk not in clients_read_by(specialist)


def test_quick_log_opens_with_the_purpose_and_minutes_asked_for_and_ignores_junk(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    client = enrolled(program, specialist, "Quinn")
    http = login_as(specialist)
    url = reverse("clients:contact_quick", args=[client.pk])

    ready = http.get(f"{url}?where=today&purpose=job_support&minutes=30", HTTP_HX_REQUEST="true")
    junk = http.get(f"{url}?where=today&purpose=nonsense&minutes=9999", HTTP_HX_REQUEST="true")

    ready_html, junk_html = ready.content.decode(), junk.content.decode()
    assert '<option value="job_support" selected>' in ready_html
    assert f'name="minutes" id="q{client.pk}-minutes" value="30"' in ready_html
    assert "Save contact" in ready_html
    assert f'id="q{client.pk}-note"' in ready_html
    assert " selected>" not in junk_html.split('name="purpose"')[1].split("</select>")[0]
    assert 'value="9999"' not in junk_html
    assert Contact.objects.filter(client=client).count() == 1  # a GET logs nothing


def test_today_queries_do_not_grow_with_its_rows(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    def add_rows(n: int) -> None:
        for i in range(n):
            step(enrolled(program, specialist, f"Step{i}", contact=45), ago(i))
            JobFactory(client=enrolled(program, specialist, f"Job{i}"), started_on=ago(1))
            ClientFactory(program=program, specialist=specialist, referred=True)

    count = assert_constant_queries(login_as(specialist), reverse("home"), add_rows)

    # user, grants; visible programs; Today's list (one query); open action items; the two
    # nudges; the read of the clients named
    assert count == 2 + 1 + 1 + 1 + 2 + LIST_READ


def test_tel_href_keeps_digits_and_a_leading_plus() -> None:
    assert tel_href("+1 (555) 010-2030") == "tel:+15550102030"
    assert tel_href("555 0102") == "tel:5550102"
    assert tel_href("ask at desk") == ""
