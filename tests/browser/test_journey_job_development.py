"""A specialist on a phone logs a face-to-face contact with a hiring manager on behalf of two
clients from the employer's page: only that employer's people are offered, the clients are
found by typing and ticked with a thumb, and the page shows the contact at once. The week's
count goes up and the contact is on both clients' timelines.

The flow counts what the specialist does on the employer's page (opening it, choosing, typing,
ticking, saving): 6 for one client, 2 more for each further client."""

import re

from playwright.sync_api import Page, expect

from clients.demo import seed_caseloads
from clients.models import Client
from employers.models import Employer, EmployerPerson
from ips.calendar import today
from ips.demo import DEMO_PASSWORD
from tests.browser.helpers import accessibility_violations, log_in


def week_count(page: Page) -> int:
    text = page.get_by_test_id("week-count").inner_text()
    return int(re.match(r"\s*(\d+) of", text)[1])


def test_specialist_logs_employer_contact_for_two_clients(page: Page, live_server, demo) -> None:
    seed_caseloads(today=today(), clients_per_specialist=3)
    first, second = Client.objects.filter(specialist__username="demo-specialist").order_by("id")[:2]
    employer = Employer.objects.get(name="Bluebird Café", program=first.program)
    for other in Employer.objects.filter(program=first.program):
        EmployerPerson.objects.create(
            employer=other, name="Dana Whitlock", role="Store manager", makes_hiring_decisions=True
        )
    log_in(page, live_server.url, "demo-specialist", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/employers/week/")
    before = week_count(page)

    steps = 1
    page.goto(f"{live_server.url}/employers/{employer.pk}/")
    form = page.locator("#employer-contact-quick")
    assert accessibility_violations(page) == []
    person = form.get_by_label("Person")
    # One Dana Whitlock: the one working here, with her role.
    expect(person.locator("option")).to_have_count(2)
    form.get_by_label("Purpose").select_option(label="Present a job seeker")
    person.select_option(label="Dana Whitlock (Store manager)")
    steps += 2
    search = form.get_by_label("Find a client by name")
    search.fill(str(first))
    expect(form.get_by_label(str(second), exact=True)).to_be_hidden()
    form.get_by_label(str(first), exact=True).check()
    search.fill(str(second))
    form.get_by_label(str(second), exact=True).check()
    steps += 4
    form.get_by_role("button", name="Log employer contact").click()
    steps += 1

    expect(page.get_by_role("status")).to_contain_text("counts toward the weekly target")
    expect(page.locator("#employer-last-contact")).to_have_text(today().isoformat())
    expect(page.locator("#employer-contacts li").first).to_contain_text(str(first))
    expect(page.locator("#employer-contacts li").first).to_contain_text("with Dana Whitlock")
    assert steps == 8
    assert accessibility_violations(page) == []

    page.goto(f"{live_server.url}/employers/week/")
    assert week_count(page) == before + 1
    for client in (first, second):
        page.goto(f"{live_server.url}/clients/{client.pk}/")
        expect(page.locator("#timeline")).to_contain_text(
            "Employer contact: Present a job seeker at Bluebird Café"
        )
