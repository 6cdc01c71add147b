"""Logging an employer contact from the employer's page: only that employer's people offered,
adding a person on the way, the clients as checkboxes, the page refreshed after saving."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from employers.models import Employer, EmployerContact
from ips.models import Program, User
from tests.clients.factories import ClientFactory, EmployerFactory
from tests.employers.factories import EmployerPersonFactory

pytestmark = pytest.mark.django_db

LoginAs = Callable[[User], HttpClient]
QUICK = reverse("employers:contact_quick")


@pytest.fixture
def employer(program: Program) -> Employer:
    return EmployerFactory(program=program, name="Bluebird Café")


def detail(employer: Employer) -> str:
    return reverse("employers:detail", args=[employer.pk])


def contact_post(employer: Employer, **fields: object) -> dict[str, object]:
    return {
        "employer": employer.pk,
        "employer_page": "True",
        "contacted_on": "2026-01-05",
        "purpose": EmployerContact.Purpose.PRESENT_JOB_SEEKER,
        "face_to_face": "on",
        **fields,
    }


def test_employer_page_offers_only_its_own_people_with_their_role(
    login_as: LoginAs, specialist: User, employer: Employer, program: Program
) -> None:
    EmployerPersonFactory(employer=employer, name="Dana Whitlock", role="Store manager")
    EmployerPersonFactory(
        employer=EmployerFactory(program=program), name="Dana Whitlock", role="Store manager"
    )

    response = login_as(specialist).get(detail(employer))

    options = [label for value, label in response.context["contact_form"].fields["person"].choices]
    assert options == ["---------", "Dana Whitlock (Store manager)"]
    assert response.content.decode().count("Dana Whitlock (Store manager)</option>") == 1


def test_client_page_groups_people_under_their_employer(
    login_as: LoginAs, specialist: User, employer: Employer, program: Program
) -> None:
    other = EmployerFactory(program=program, name="Corner Hardware")
    EmployerPersonFactory(employer=employer, name="Dana Whitlock", role="Store manager")
    EmployerPersonFactory(employer=other, name="Dana Whitlock", role="Store manager")
    client = ClientFactory(program=program)

    page = login_as(specialist).get(QUICK, {"client": client.pk}).content.decode()

    assert '<optgroup label="Bluebird Café">' in page
    assert '<optgroup label="Corner Hardware">' in page


def test_a_person_of_another_employer_is_still_refused_with_a_message(
    login_as: LoginAs, specialist: User, employer: Employer, program: Program
) -> None:
    elsewhere = EmployerPersonFactory(employer=EmployerFactory(program=program))

    response = login_as(specialist).post(
        QUICK, contact_post(employer, person=elsewhere.pk), headers={"HX-Request": "true"}
    )

    assert response.context["form"].errors["person"] == ["That person works for another employer."]
    assert EmployerContact.objects.count() == 0


def test_clients_are_checkboxes_with_a_filter_box(
    login_as: LoginAs, specialist: User, employer: Employer, program: Program
) -> None:
    client = ClientFactory(program=program, first_name="Ana", last_name="Reyes")

    page = login_as(specialist).get(detail(employer)).content.decode()

    assert f'type="checkbox" class="form-check-input"  name="clients" value="{client.pk}"' in page
    assert "data-client-filter" in page
    assert '<select name="clients"' not in page


def test_adding_a_person_returns_to_the_contact_form_with_them_chosen(
    login_as: LoginAs, specialist: User, employer: Employer
) -> None:
    browser = login_as(specialist)

    response = browser.post(
        reverse("employers:person_new", args=[employer.pk]),
        {"name": "Lee Park", "role": "Hiring manager", "makes_hiring_decisions": "on"},
    )

    person = employer.people.get()
    assert response.status_code == 302
    assert response["Location"] == f"{detail(employer)}?person={person.pk}#h-log"
    page = browser.get(response["Location"])
    assert page.context["contact_form"]["person"].value() == str(person.pk)


def test_logging_from_the_employer_page_refreshes_its_last_contact_and_list(
    login_as: LoginAs, specialist: User, employer: Employer, program: Program
) -> None:
    client = ClientFactory(program=program, first_name="Ana", last_name="Reyes")
    person = EmployerPersonFactory(employer=employer, hiring_manager=True)

    response = login_as(specialist).post(
        QUICK,
        contact_post(employer, person=person.pk, clients=[client.pk]),
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    contact = EmployerContact.objects.get()
    assert list(contact.clients.all()) == [client]
    assert contact.with_hiring_manager
    assert '<span id="employer-last-contact" hx-swap-oob="true">2026-01-05</span>' in page
    assert 'id="employer-contacts" hx-swap-oob="true"' in page
    assert "for Ana Reyes" in page
    # The fresh form stays the employer page's: its employer fixed, its people only.
    assert response.context["form"].fixed_employer == employer


def test_logging_from_a_client_page_swaps_the_form_only(
    login_as: LoginAs, specialist: User, employer: Employer, program: Program
) -> None:
    client = ClientFactory(program=program)
    data = contact_post(employer, clients=[client.pk])
    del data["employer_page"]

    page = login_as(specialist).post(QUICK, data, headers={"HX-Request": "true"}).content.decode()

    assert EmployerContact.objects.count() == 1
    assert "hx-swap-oob" not in page


def test_the_form_opened_as_a_page_is_a_whole_page_and_as_htmx_a_fragment(
    login_as: LoginAs, specialist: User, employer: Employer, program: Program
) -> None:
    """Today's "Open the employer contact form" link, without JS or in a new tab, opens a page
    with the navigation; the fold-out, loaded by htmx, gets the form alone."""
    client = ClientFactory(program=program)
    browser = login_as(specialist)

    page = browser.get(QUICK, {"client": client.pk}).content.decode()
    fragment = browser.get(QUICK, {"client": client.pk}, headers={"HX-Request": "true"})

    assert page.startswith("<!doctype html>")
    assert "<title>Employer contact" in page
    assert re.search(r'type="submit"\s+name="submit"\s+value="Save employer contact"', page)
    assert 'name="employer"' in page
    assert "<!doctype html>" not in fragment.content.decode()
    assert 'name="employer"' in fragment.content.decode()
