"""Employer pages: the program's list, adding with a duplicate warning, editing, archiving."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from employers.models import Employer, normalise_employer_name
from ips.models import Program, User
from tests.clients.factories import EmployerFactory, JobFactory
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db

LoginAs = Callable[[User], HttpClient]
LIST = reverse("employers:list")
NEW = reverse("employers:new")


def names(response: object) -> list[str]:
    return [employer.name for employer in response.context["employers"]]  # type: ignore[attr-defined]


def hidden_value(page: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the page"
    return match.group(1)


# --- The list ----------------------------------------------------------------------------------


@pytest.fixture
def employers(
    program: Program, other_program: Program, outsider_program: Program
) -> dict[str, Employer]:
    return {
        "own": EmployerFactory(program=program, name="Harbourside Bakery"),
        "other_program": EmployerFactory(program=other_program, name="Bridge Hardware"),
        "outsider": EmployerFactory(program=outsider_program, name="Lakeside Diner"),
    }


def test_list_shows_the_programs_employers_with_their_hires(
    login_as: LoginAs, specialist: User, employers: dict[str, Employer], program: Program
) -> None:
    JobFactory(employer=employers["own"], client__program=program)
    JobFactory(employer=employers["own"], client__program=program, archived=True)

    response = login_as(specialist).get(LIST)

    assert response.status_code == 200
    assert names(response) == ["Harbourside Bakery"]
    assert response.context["employers"][0].hires == 1


def test_director_lists_every_program_of_the_agency_and_no_other(
    login_as: LoginAs, director: User, employers: dict[str, Employer]
) -> None:
    response = login_as(director).get(LIST)

    assert sorted(names(response)) == ["Bridge Hardware", "Harbourside Bakery"]


def test_list_search_by_name(login_as: LoginAs, specialist: User, program: Program) -> None:
    EmployerFactory(program=program, name="Harbourside Bakery")
    EmployerFactory(program=program, name="City Library")

    assert names(login_as(specialist).get(LIST, {"q": "bakery"})) == ["Harbourside Bakery"]


def test_archiving_hides_the_employer_from_the_list_and_keeps_the_row(
    login_as: LoginAs, specialist: User, employers: dict[str, Employer]
) -> None:
    employer = employers["own"]
    job = JobFactory(employer=employer, client__program=employer.program)
    http = login_as(specialist)

    response = http.post(
        reverse("employers:archive", kwargs={"pk": employer.pk}),
        {"version": employer.version, "archive_reason": "Closed down"},
    )

    assert response.status_code == 302
    assert names(http.get(LIST)) == []
    employer.refresh_from_db()
    assert (employer.archive_reason, employer.archived_by) == ("Closed down", specialist)
    assert employer.archived_at is not None
    job.refresh_from_db()
    assert job.employer == employer  # past jobs keep their employer


def test_archiving_an_employer_needs_a_reason(
    login_as: LoginAs, specialist: User, employers: dict[str, Employer]
) -> None:
    employer = employers["own"]

    response = login_as(specialist).post(
        reverse("employers:archive", kwargs={"pk": employer.pk}),
        {"version": employer.version, "archive_reason": ""},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["archive_reason"] == ["This field is required."]
    employer.refresh_from_db()
    assert employer.archived_at is None


def test_another_programs_employer_is_404_to_a_specialist(
    login_as: LoginAs, specialist: User, employers: dict[str, Employer]
) -> None:
    http = login_as(specialist)
    pk = employers["other_program"].pk

    assert http.get(reverse("employers:detail", kwargs={"pk": pk})).status_code == 404
    assert (
        http.post(
            reverse("employers:archive", kwargs={"pk": pk}), {"version": 1, "archive_reason": "x"}
        ).status_code
        == 404
    )
    assert Employer.objects.get(pk=pk).archived_at is None


# --- Adding, with the duplicate warning ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [("The Bean Co.", "bean"), ("bean", "bean"), ("Bean Counters, LLC", "bean counters")],
)
def test_employer_names_are_compared_without_case_punctuation_or_legal_suffixes(
    name: str, key: str
) -> None:
    assert normalise_employer_name(name) == key


@pytest.mark.parametrize(
    ("existing", "typed"), [("The Bean Co.", "bean"), ("bean", "The Bean Co.")]
)
def test_new_employer_warns_of_a_similar_name_then_creates_on_confirmation(
    login_as: LoginAs, specialist: User, program: Program, existing: str, typed: str
) -> None:
    EmployerFactory(program=program, name=existing)
    http = login_as(specialist)

    first = http.post(NEW, {"program": program.pk, "name": typed})

    page = first.content.decode()
    assert first.status_code == 200
    assert first.context["form"].errors["name"] == [
        "Similar employers already exist (listed below). Use one of them, or save again to add "
        "this one."
    ]
    assert 'data-testid="possible-duplicates"' in page
    assert existing in page
    assert Employer.objects.count() == 1

    second = http.post(
        NEW,
        {
            "program": program.pk,
            "name": typed,
            "confirm_not_duplicate": hidden_value(page, "confirm_not_duplicate"),
        },
    )

    assert second.status_code == 302
    assert Employer.objects.count() == 2
    created = Employer.objects.get(name=typed)
    assert (created.program, created.created_by) == (program, specialist)
    assert second["Location"] == reverse("employers:detail", kwargs={"pk": created.pk})


def test_new_employer_does_not_warn_of_another_programs_or_an_archived_employer(
    login_as: LoginAs, specialist: User, program: Program, other_program: Program
) -> None:
    EmployerFactory(program=other_program, name="The Bean Co.")
    archived = EmployerFactory(program=program, name="Bean")
    archived.archived_at = archived.created_at
    archived.save()

    response = login_as(specialist).post(NEW, {"program": program.pk, "name": "bean"})

    assert response.status_code == 302
    assert Employer.objects.filter(program=program, archived_at__isnull=True).count() == 1


def test_new_employer_needs_a_name(login_as: LoginAs, specialist: User, program: Program) -> None:
    response = login_as(specialist).post(NEW, {"program": program.pk, "name": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert Employer.objects.count() == 0


def test_new_employer_in_a_program_the_user_does_not_work_in_is_refused(
    login_as: LoginAs, specialist: User, other_program: Program
) -> None:
    response = login_as(specialist).post(NEW, {"program": other_program.pk, "name": "Bean"})

    assert response.status_code == 200
    assert "program" in response.context["form"].errors
    assert Employer.objects.count() == 0


def test_director_may_not_add_employers(
    login_as: LoginAs, director: User, program: Program
) -> None:
    response = login_as(director).post(NEW, {"program": program.pk, "name": "Bean"})

    assert response.status_code == 403
    assert Employer.objects.count() == 0


# --- Editing ------------------------------------------------------------------------------------


def test_employer_edit_refuses_a_stale_save_and_keeps_the_input(
    login_as: LoginAs, specialist: User, supervisor: User, employers: dict[str, Employer]
) -> None:
    employer = employers["own"]
    edit = reverse("employers:edit", kwargs={"pk": employer.pk})
    sam, sue = login_as(specialist), HttpClient()
    sue.force_login(supervisor, backend=MODEL_BACKEND)
    sams_version = hidden_value(sam.get(edit).content.decode(), "version")
    sues_version = hidden_value(sue.get(edit).content.decode(), "version")

    first = sam.post(edit, {"version": sams_version, "name": "Harbourside Bakery & Cafe"})
    second = sue.post(edit, {"version": sues_version, "name": "Harbourside Bakeries"})

    assert first.status_code == 302
    page = second.content.decode()
    assert second.status_code == 200
    block = page[page.index('data-testid="stale-differences"') :].split("</div>", 1)[0]
    assert "Harbourside Bakery &amp; Cafe" in block
    assert "Harbourside Bakeries" in block
    employer.refresh_from_db()
    assert employer.name == "Harbourside Bakery & Cafe"

    again = sue.post(
        edit, {"version": hidden_value(page, "version"), "name": "Harbourside Bakeries"}
    )

    assert again.status_code == 302
    employer.refresh_from_db()
    assert (employer.name, employer.version) == ("Harbourside Bakeries", 3)


def test_employer_list_shows_50_then_loads_more_keeping_the_search_and_order(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    for i in range(55):
        EmployerFactory(program=program, name=f"Bakery {i:02d}")
    EmployerFactory(program=program, name="Harbourside Café")
    http = login_as(specialist)

    first = http.get(LIST, {"q": "bakery", "order": "name"})
    more = http.get(
        LIST,
        {"q": "bakery", "order": "name", "page": "2", "from": "1"},
        headers={"HX-Request": "true"},
    )
    second = http.get(LIST, {"q": "bakery", "order": "name", "page": "2"})  # without JavaScript

    assert names(first) == [f"Bakery {i:02d}" for i in range(50)]
    page = first.content.decode()
    assert "Showing 1\N{EN DASH}50 of 55 employers" in page
    assert f'href="{LIST}?q=bakery&amp;order=name&amp;page=2"' in page
    appended = more.content.decode()
    assert names(more) == [f"Bakery {i:02d}" for i in range(50, 55)]
    assert "<table" not in appended
    assert appended.count("<tr>") == 5
    assert "Showing 1\N{EN DASH}55 of 55 employers" in appended
    assert "Load more" not in appended
    assert names(second) == [f"Bakery {i:02d}" for i in range(50, 55)]
    assert "Showing 51\N{EN DASH}55 of 55 employers" in second.content.decode()


def test_employer_page_keeps_archive_apart_and_makes_people_reachable(
    login_as: LoginAs, specialist: User, program: Program
) -> None:
    employer = EmployerFactory(program=program)
    employer.people.create(name="Dana Hill", phone="+1 555 010 4400", email="dana@example.org")

    html = (
        login_as(specialist).get(reverse("employers:detail", args=[employer.pk])).content.decode()
    )

    danger = html.split('data-testid="danger-zone"')[1]
    assert reverse("employers:archive", args=[employer.pk]) in danger
    assert reverse("employers:archive", args=[employer.pk]) not in html.split("danger-zone")[0]
    assert 'href="tel:+15550104400"' in html
    assert 'href="mailto:dana@example.org"' in html


def test_employer_contact_log_opens_with_the_purpose_asked_for(
    login_as: LoginAs, specialist: User, program: Program
) -> None:
    http = login_as(specialist)
    url = reverse("employers:contact_quick")

    html = http.get(f"{url}?purpose=follow_up", headers={"HX-Request": "true"}).content.decode()

    assert '<option value="follow_up" selected>' in html
