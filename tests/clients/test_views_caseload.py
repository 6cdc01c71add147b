"""The caseload page (/clients/) and intake of new clients (/clients/new/)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client, Episode
from ips.models import AuditEvent, Program, Role, User
from tests.clients.factories import ClientFactory, ContactFactory, JobFactory, days_ago
from tests.factories import MinimumWageFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db

CASELOAD = reverse("clients:caseload")
NEW = reverse("clients:new")
LoginAs = Callable[[User], HttpClient]


def names(response: object) -> set[str]:
    """The last names of the caseload rows the page rendered."""
    return {client.last_name for client in response.context["rows"]}  # type: ignore[attr-defined]


@pytest.fixture
def clients(
    program: Program,
    other_program: Program,
    outsider_program: Program,
    specialist: User,
    other_specialist: User,
) -> dict[str, Client]:
    """One client per place a client can be, named after it."""
    return {
        "own": ClientFactory(program=program, specialist=specialist, last_name="Own"),
        "colleague": ClientFactory(
            program=program, specialist=other_specialist, last_name="Colleague"
        ),
        "unassigned": ClientFactory(program=program, last_name="Unassigned"),
        "other_program": ClientFactory(program=other_program, last_name="OtherProgram"),
        "outsider": ClientFactory(program=outsider_program, last_name="Outsider"),
        "archived": ClientFactory(
            program=program, specialist=specialist, archived=True, last_name="Archived"
        ),
    }


@pytest.fixture
def bridge_specialist(other_program: Program) -> User:
    """An employment specialist of the agency's other program (Bridge Team)."""
    return StaffRoleFactory(role=Role.SPECIALIST, program=other_program).user


# --- Whose caseload ----------------------------------------------------------------------------


def test_specialist_sees_their_own_caseload_by_default(
    login_as: LoginAs, specialist: User, clients: dict[str, Client]
) -> None:
    response = login_as(specialist).get(CASELOAD)

    assert response.status_code == 200
    assert names(response) == {"Own"}
    assert "Own, " in response.content.decode()
    assert "Colleague, " not in response.content.decode()


def test_specialist_all_shows_the_whole_program(
    login_as: LoginAs, specialist: User, clients: dict[str, Client]
) -> None:
    response = login_as(specialist).get(CASELOAD, {"specialist": "all"})

    assert names(response) == {"Own", "Colleague", "Unassigned"}


def test_specialist_may_pick_a_colleagues_caseload(
    login_as: LoginAs, specialist: User, other_specialist: User, clients: dict[str, Client]
) -> None:
    response = login_as(specialist).get(CASELOAD, {"specialist": other_specialist.pk})

    assert names(response) == {"Colleague"}


def test_supervisor_sees_every_specialists_clients(
    login_as: LoginAs, supervisor: User, clients: dict[str, Client]
) -> None:
    response = login_as(supervisor).get(CASELOAD)

    assert names(response) == {"Own", "Colleague", "Unassigned"}


def test_director_sees_every_program_of_the_agency(
    login_as: LoginAs, director: User, clients: dict[str, Client]
) -> None:
    response = login_as(director).get(CASELOAD)

    assert names(response) == {"Own", "Colleague", "Unassigned", "OtherProgram"}
    assert f'href="{NEW}"' not in response.content.decode()  # read-only role


def test_caseload_hides_other_programs_from_their_specialists(
    login_as: LoginAs, bridge_specialist: User, clients: dict[str, Client]
) -> None:
    response = login_as(bridge_specialist).get(CASELOAD, {"specialist": "all"})

    assert names(response) == {"OtherProgram"}


@pytest.mark.parametrize("page", ["detail", "edit", "contact_quick", "job_new", "archive"])
def test_client_pages_are_404_to_a_specialist_of_another_program(
    login_as: LoginAs, bridge_specialist: User, clients: dict[str, Client], page: str
) -> None:
    url = reverse(f"clients:{page}", kwargs={"pk": clients["own"].pk})

    assert login_as(bridge_specialist).get(url).status_code == 404


def test_other_agency_sees_none_of_the_clients_and_gets_404(
    login_as: LoginAs, outsider_director: User, clients: dict[str, Client]
) -> None:
    http = login_as(outsider_director)

    assert names(http.get(CASELOAD, {"specialist": "all"})) == {"Outsider"}
    for client in (clients["own"], clients["other_program"]):
        assert http.get(reverse("clients:detail", kwargs={"pk": client.pk})).status_code == 404


def test_archived_clients_are_not_on_the_caseload(
    login_as: LoginAs, specialist: User, clients: dict[str, Client]
) -> None:
    response = login_as(specialist).post(CASELOAD, {"q": "Archived"})

    assert names(response) == set()
    assert "No clients match." in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "admin"])
def test_roles_without_client_records_are_refused_the_caseload(
    request: pytest.FixtureRequest, login_as: LoginAs, persona: str
) -> None:
    assert login_as(request.getfixturevalue(persona)).get(CASELOAD).status_code == 403


# --- Filters -------------------------------------------------------------------------------------


def test_status_filter(login_as: LoginAs, program: Program, specialist: User) -> None:
    ClientFactory(program=program, specialist=specialist, last_name="Enrolled")
    ClientFactory(program=program, specialist=specialist, last_name="Referred", referred=True)
    ClientFactory(program=program, specialist=specialist, last_name="Closed", closed=True)
    http = login_as(specialist)

    assert names(http.get(CASELOAD, {"status": "enrolled"})) == {"Enrolled"}
    assert names(http.get(CASELOAD, {"status": "referred"})) == {"Referred"}
    assert names(http.get(CASELOAD, {"status": "closed"})) == {"Closed"}
    assert names(http.get(CASELOAD)) == {"Enrolled", "Referred", "Closed"}


def test_working_filter_means_a_current_competitive_job(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    MinimumWageFactory(program=program, effective_on=dt.date(2020, 1, 1), hourly=Decimal("15"))

    def someone(last_name: str) -> Client:
        return ClientFactory(program=program, specialist=specialist, last_name=last_name)

    JobFactory(client=someone("Working"), hourly_wage=Decimal("15.00"))
    JobFactory(client=someone("SetAside"), set_aside=True)
    JobFactory(client=someone("LowPay"), hourly_wage=Decimal("14.99"))
    JobFactory(client=someone("Ended"), ended=True)
    JobFactory(client=someone("Starting"), started_on=days_ago(-3))
    someone("NoJob")
    http = login_as(specialist)

    working = http.get(CASELOAD, {"working": "yes"})
    not_working = http.get(CASELOAD, {"working": "no"})

    assert names(working) == {"Working"}
    assert names(not_working) == {"SetAside", "LowPay", "Ended", "Starting", "NoJob"}
    assert "Working</span>" in working.content.decode()  # the badge


def test_no_contact_in_30_days_boundary(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    """The selector lists clients whose last contact is *before* today - 30 days: a contact
    exactly 30 days ago is still "in the last 30 days"; 31 days ago is not."""

    def last_contact(last_name: str, days: int | None, *, archived: bool = False) -> None:
        client = ClientFactory(program=program, specialist=specialist, last_name=last_name)
        if days is not None:
            ContactFactory(
                client=client,
                specialist=specialist,
                contacted_on=days_ago(days),
                archived=archived,
            )

    last_contact("Yesterday", 1)
    last_contact("ThirtyDays", 30)
    last_contact("ThirtyOneDays", 31)
    last_contact("Never", None)
    last_contact("OnlyArchived", 2, archived=True)

    response = login_as(specialist).get(CASELOAD, {"no_contact": "30"})

    assert names(response) == {"ThirtyOneDays", "Never", "OnlyArchived"}


def test_search_by_name(login_as: LoginAs, program: Program, specialist: User) -> None:
    ClientFactory(program=program, specialist=specialist, first_name="Jamie", last_name="Rivera")
    ClientFactory(program=program, specialist=specialist, first_name="Jamal", last_name="Okafor")
    ClientFactory(program=program, specialist=specialist, first_name="Rita", last_name="Moreno")
    http = login_as(specialist)

    assert names(http.post(CASELOAD, {"q": "jam"})) == {"Rivera", "Okafor"}
    assert names(http.post(CASELOAD, {"q": "RIVERA"})) == {"Rivera"}
    assert names(http.post(CASELOAD, {"q": "jamie rivera"})) == {"Rivera"}
    assert names(http.post(CASELOAD, {"q": "jamie moreno"})) == set()


# --- Names never in the address ----------------------------------------------------------------


@pytest.fixture
def rivera_and_okafor(program: Program, specialist: User) -> None:
    ClientFactory(program=program, specialist=specialist, first_name="Jamie", last_name="Rivera")
    ClientFactory(
        program=program,
        specialist=specialist,
        first_name="Jamal",
        last_name="Okafor",
        referred=True,
    )


@pytest.mark.usefixtures("rivera_and_okafor")
def test_the_name_search_is_sent_in_the_body_and_answered_in_place(
    login_as: LoginAs, specialist: User
) -> None:
    http = login_as(specialist)
    page = http.get(CASELOAD).content.decode()
    form = re.search(r'<form method="(\w+)" action="([^"]*)"[^>]*role="search"', page)
    assert form
    assert form.groups() == ("post", CASELOAD)

    response = http.post(CASELOAD, {"q": "rivera", "specialist": "all", "status": ""})

    assert response.status_code == 200
    assert names(response) == {"Rivera"}
    # The page keeps the name in its field, and puts it in no link.
    content = response.content.decode()
    assert 'name="q" id="f-q" value="rivera"' in content
    assert "q=rivera" not in content


@pytest.mark.usefixtures("rivera_and_okafor")
def test_filters_without_a_name_redirect_to_their_bookmarkable_address(
    login_as: LoginAs, specialist: User
) -> None:
    http = login_as(specialist)

    response = http.post(
        CASELOAD, {"q": "  ", "specialist": "all", "status": "referred", "working": ""}
    )

    assert response.status_code == 303
    assert response["Location"] == f"{CASELOAD}?specialist=all&status=referred"
    assert names(http.get(response["Location"])) == {"Okafor"}


@pytest.mark.usefixtures("rivera_and_okafor")
def test_htmx_search_answers_the_rows_and_an_address_without_the_name(
    login_as: LoginAs, specialist: User
) -> None:
    response = login_as(specialist).post(
        CASELOAD,
        {"q": "jam", "specialist": "all", "status": "referred"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert names(response) == {"Okafor"}
    content = response.content.decode()
    assert content.startswith('<ul class="list-group" id="caseload">')
    assert "<form" not in content
    assert response["HX-Push-Url"] == f"{CASELOAD}?specialist=all&status=referred"


@pytest.mark.usefixtures("rivera_and_okafor")
def test_a_name_in_the_address_is_ignored(login_as: LoginAs, specialist: User) -> None:
    """An old bookmark with `q` lists the caseload unsearched, and the field stays empty."""
    response = login_as(specialist).get(CASELOAD, {"q": "rivera", "specialist": "all"})

    assert names(response) == {"Rivera", "Okafor"}
    assert 'name="q" id="f-q" value=""' in response.content.decode()


def test_caseload_row_shows_last_contact_and_current_job(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    client = ClientFactory(program=program, specialist=specialist, last_name="Rivera")
    ContactFactory(client=client, specialist=specialist, contacted_on=days_ago(12))
    JobFactory(client=client, title="Barista", employer__name="Harbourside Bakery")

    page = login_as(specialist).get(CASELOAD).content.decode()

    assert f'<span id="last-contact-{client.pk}">12 days ago</span>' in page
    assert "Job: Barista at Harbourside Bakery" in page


# --- Intake ---------------------------------------------------------------------------------------


def intake(program: Program, **overrides: object) -> dict[str, object]:
    """The least a referral needs: a name, a birth date, a referral date and source."""
    return {
        "program": program.pk,
        "first_name": "Jamie",
        "last_name": "Rivera",
        "birth_date": "1988-02-29",
        "referred_on": days_ago(1).isoformat(),
        "referral_source": "self",
        **overrides,
    }


def hidden_value(page: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the page"
    return match.group(1)


def test_intake_with_name_birth_date_and_referral_only(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    response = login_as(specialist).post(NEW, intake(program))

    client = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", kwargs={"pk": client.pk})
    assert (client.first_name, client.last_name, client.birth_date) == (
        "Jamie",
        "Rivera",
        dt.date(1988, 2, 29),
    )
    assert client.status == "referred"
    assert client.current_episode.referred_on == days_ago(1)


def test_intake_page_asks_no_screening_question(login_as: LoginAs, specialist: User) -> None:
    page = login_as(specialist).get(NEW).content.decode().lower()

    for word in ("diagnos", "readiness", "symptom", "substance", "criminal"):
        assert word not in page


def test_intake_rejects_a_future_referral_next_to_the_field(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    response = login_as(specialist).post(NEW, intake(program, referred_on=days_ago(-1).isoformat()))

    assert response.status_code == 200
    assert response.context["form"].errors["referred_on"] == [
        "The referral date cannot be in the future."
    ]
    assert Client.objects.count() == 0


def test_intake_warns_of_a_duplicate_then_creates_on_confirmation(
    login_as: LoginAs, program: Program, other_program: Program, specialist: User
) -> None:
    existing = ClientFactory(
        program=other_program,
        first_name="JAMIE",
        last_name="rivera",
        birth_date=dt.date(1988, 2, 29),
    )
    http = login_as(specialist)

    first = http.post(NEW, intake(program))

    page = first.content.decode()
    assert first.status_code == 200
    assert "A client with this name and date of birth already exists in the agency." in page
    assert 'data-testid="possible-duplicates"' in page
    # In a program the specialist cannot see: counted, never named nor linked.
    assert "recorded in a program you cannot see" in page
    assert reverse("clients:detail", args=[existing.pk]) not in page
    assert "JAMIE" not in page
    assert Client.objects.count() == 1
    assert Episode.objects.count() == 1

    confirm = hidden_value(page, "confirm_not_duplicate")
    second = http.post(NEW, intake(program, confirm_not_duplicate=confirm))

    assert second.status_code == 302
    assert Client.objects.count() == 2
    assert Client.objects.filter(program=program, last_name="Rivera").exists()


def test_intake_names_and_links_a_duplicate_the_user_may_see(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    existing = ClientFactory(
        program=program, first_name="Jamie", last_name="Rivera", birth_date=dt.date(1988, 2, 29)
    )

    response = login_as(specialist).post(NEW, intake(program))

    page = response.content.decode()
    link = reverse("clients:detail", args=[existing.pk])
    assert f'<a href="{link}">Jamie Rivera</a>, born 1988-02-29' in page
    assert "a program you cannot see" not in page
    assert Client.objects.count() == 1
    assert AuditEvent.objects.filter(clients__client_id=existing.pk).exists()


def test_intake_does_not_warn_of_another_agencys_client(
    login_as: LoginAs, program: Program, outsider_program: Program, specialist: User
) -> None:
    ClientFactory(
        program=outsider_program,
        first_name="Jamie",
        last_name="Rivera",
        birth_date=dt.date(1988, 2, 29),
    )

    response = login_as(specialist).post(NEW, intake(program))

    assert response.status_code == 302
    assert Client.objects.filter(program=program).count() == 1


def test_intake_of_the_same_name_with_another_birth_date_does_not_warn(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    ClientFactory(program=program, first_name="Jamie", last_name="Rivera")  # born 1990-05-17

    response = login_as(specialist).post(NEW, intake(program))

    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_intake_refuses_a_program_the_user_does_not_work_in(
    login_as: LoginAs, other_program: Program, specialist: User
) -> None:
    response = login_as(specialist).post(NEW, intake(other_program))

    assert response.status_code == 200
    assert "program" in response.context["form"].errors
    assert Client.objects.count() == 0


# --- A page at a time --------------------------------------------------------------------------


@pytest.fixture
def sixty_clients(program: Program, specialist: User) -> list[Client]:
    """Sixty clients named Rivera00 … Rivera59, so the caseload's name order is known."""
    return [
        ClientFactory(program=program, specialist=specialist, last_name=f"Rivera{i:02d}")
        for i in range(60)
    ]


def row_names(content: str) -> list[str]:
    return re.findall(r'class="fw-semibold[^"]*" href="[^"]*">(Rivera\d\d),', content)


@pytest.mark.usefixtures("sixty_clients")
def test_caseload_shows_the_first_50_and_a_link_to_the_next_page(
    login_as: LoginAs, specialist: User
) -> None:
    http = login_as(specialist)

    first = http.get(CASELOAD).content.decode()
    second = http.get(CASELOAD, {"page": "2"}).content.decode()  # the link, without JavaScript

    assert row_names(first) == [f"Rivera{i:02d}" for i in range(50)]
    assert "Showing 1\N{EN DASH}50 of 60 clients" in first
    assert f'href="{CASELOAD}?page=2"' in first
    assert row_names(second) == [f"Rivera{i:02d}" for i in range(50, 60)]
    assert "Showing 51\N{EN DASH}60 of 60 clients" in second
    assert "Load more" not in second


@pytest.mark.usefixtures("sixty_clients")
def test_load_more_with_htmx_answers_the_next_rows_and_a_new_footer(
    login_as: LoginAs, specialist: User
) -> None:
    response = login_as(specialist).get(
        CASELOAD, {"specialist": "all", "page": "2", "from": "1"}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert "<html" not in content
    assert '<ul class="list-group" id="caseload">' not in content  # rows to append, no list
    assert row_names(content) == [f"Rivera{i:02d}" for i in range(50, 60)]
    assert 'id="caseload-more" hx-swap-oob="true"' in content
    assert "Showing 1\N{EN DASH}60 of 60 clients" in content


@pytest.mark.usefixtures("sixty_clients")
def test_load_more_of_a_name_search_keeps_the_name_out_of_the_address(
    login_as: LoginAs, specialist: User
) -> None:
    http = login_as(specialist)

    first = http.post(CASELOAD, {"q": "rivera", "specialist": "all"}).content.decode()
    form = re.search(r'<form method="post" action="([^"]*)" hx-post[^>]*>(.*?)</form>', first, re.S)
    assert form, "no load-more form"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(2)))
    second = http.post(form.group(1), fields).content.decode()

    assert form.group(1) == CASELOAD
    assert (fields["q"], fields["page"]) == ("rivera", "2")
    assert "q=" not in first
    assert row_names(second) == [f"Rivera{i:02d}" for i in range(50, 60)]
    assert 'name="q" id="f-q" value="rivera"' in second


@pytest.mark.parametrize("page", ["0", "-1", "x", "99999999"])
def test_a_bad_page_number_shows_the_first_page(
    login_as: LoginAs, specialist: User, clients: dict[str, Client], page: str
) -> None:
    assert names(login_as(specialist).get(CASELOAD, {"page": page})) == {"Own"}


def test_a_page_past_the_end_says_so_and_still_counts(
    login_as: LoginAs, specialist: User, clients: dict[str, Client]
) -> None:
    page = login_as(specialist).get(CASELOAD, {"page": "3"}).content.decode()

    assert "No clients match." in page
    assert "Load more" not in page


def test_next_step_is_the_earliest_due_open_step_of_a_live_goal(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    from clients import services
    from ips.services import record_archive

    client = ClientFactory(program=program, specialist=specialist, last_name="Rivera")
    goal = services.goal_add(client=client, text="Work in a bakery")
    services.step_add(goal=goal, text="No date yet", who="client")
    services.step_add(goal=goal, text="Call the bakery", who="client", due_on=days_ago(-9))
    done = services.step_add(goal=goal, text="Done already", who="client", due_on=days_ago(-1))
    services.step_done(step=done, done_on=days_ago(0))
    old_goal = services.goal_add(client=client, text="Archived goal")
    services.step_add(goal=old_goal, text="Archived step", who="client", due_on=days_ago(-2))
    record_archive(
        record=old_goal, version=old_goal.version, reason="Wrong client", actor=specialist
    )

    page = login_as(specialist).get(CASELOAD).content.decode()

    assert f"Next step: Call the bakery (by {days_ago(-9).isoformat()})" in page
