"""A specialist on a phone: quick-logs a contact from the caseload, records a job start, and
finds both on the client's timeline."""

import time

from playwright.sync_api import Page, expect

from clients.demo import seed_caseload, seed_caseloads
from clients.models import Client
from ips.calendar import today
from ips.demo import DEMO_PASSWORD
from ips.models import Role, StaffRole, User
from tests.browser.helpers import accessibility_violations, log_in


def test_specialist_logs_contact_and_job_start(page: Page, live_server, demo) -> None:
    seed_caseloads(today=today(), clients_per_specialist=3)
    client = (
        Client.objects.filter(
            specialist__username="demo-specialist", current_episode__closed_on__isnull=True
        )
        .order_by("last_name", "first_name", "id")
        .first()
    )
    log_in(page, live_server.url, "demo-specialist", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/clients/")
    assert accessibility_violations(page) == []

    row = (
        page.get_by_test_id("caseload-row")
        .filter(has=page.get_by_role("link", name=f"{client.last_name}, {client.first_name}"))
        .first
    )
    started = time.monotonic()
    row.get_by_text("Log a contact").click()
    row.get_by_label("Purpose").select_option(label="Job search")
    row.get_by_label("Minutes").fill("35")
    row.get_by_role("button", name="Log contact").click()
    expect(row.get_by_role("status")).to_contain_text("Logged: Job search, 35 min")
    assert time.monotonic() - started < 10
    expect(row.locator(f"#last-contact-{client.pk}")).to_have_text("today")

    row.get_by_role("link", name=f"{client.last_name}, {client.first_name}").click()
    page.get_by_role("link", name="Record job start").click()
    page.get_by_label("Employer").select_option(label="Bluebird Café")
    page.get_by_label("Title").fill("Prep cook")
    page.get_by_label("Job type").select_option(label="Food service")
    page.get_by_label("Hours per week").fill("20")
    page.get_by_label("Hourly wage").fill("17.25")
    page.get_by_role("button", name="Record job start").click()

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Started Prep cook at Bluebird Café")
    expect(timeline).to_contain_text("Job search — In person, community, 35 min")
    expect(page.get_by_text("Competitive", exact=True).first).to_be_visible()


def test_name_search_keeps_the_name_out_of_the_address(page: Page, live_server, demo) -> None:
    """The name travels in a POST body (htmx swaps the rows in); the address keeps only the
    other filters, so a bookmark or an access log never holds a client's name."""
    seed_caseloads(today=today(), clients_per_specialist=3)
    client = (
        Client.objects.filter(specialist__username="demo-specialist")
        .order_by("last_name", "first_name", "id")
        .last()
    )
    log_in(page, live_server.url, "demo-specialist", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/clients/")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.get_by_label("Name").fill(client.last_name)
    page.get_by_role("button", name="Filter").click()

    link = page.get_by_role("link", name=f"{client.last_name}, {client.first_name}")
    expect(link).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/clients/?specialist={client.specialist_id}")
    assert not [url for url in requested if client.last_name.lower() in url.lower()]


def test_load_more_appends_the_next_page_and_older_entries_the_timeline(
    page: Page, live_server, demo
) -> None:
    """Fifty rows first, the rest appended in place (the address unchanged); on a client's page
    the latest 25 entries, older ones appended."""
    specialist = User.objects.get(username="demo-specialist")
    program = StaffRole.objects.get(user=specialist, role=Role.SPECIALIST).program
    seed_caseload(
        program=program, specialist_id=specialist.pk, clients=55, today=today(), seed="browser"
    )
    log_in(page, live_server.url, "demo-specialist", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/clients/")
    rows = page.get_by_test_id("caseload-row")
    count = page.get_by_test_id("caseload-count")

    expect(rows).to_have_count(50)
    expect(count).to_have_text("Showing 1\N{EN DASH}50 of 55 clients")
    page.get_by_role("link", name="Load more").click()

    expect(rows).to_have_count(55)
    expect(count).to_have_text("Showing 1\N{EN DASH}55 of 55 clients")
    expect(page.get_by_role("link", name="Load more")).to_have_count(0)
    expect(page).to_have_url(f"{live_server.url}/clients/")
    assert accessibility_violations(page) == []

    busiest = max(Client.objects.filter(specialist=specialist), key=lambda c: c.contacts.count())
    page.goto(f"{live_server.url}/clients/{busiest.pk}/")
    entries = page.locator("#timeline > li")
    expect(entries).to_have_count(25)
    page.get_by_role("link", name="Older entries").click()
    expect(entries).to_have_count(min(50, page_total(page)))


def page_total(page: Page) -> int:
    """The number of timeline entries the footer announces."""
    text = page.get_by_test_id("timeline-count").inner_text()
    return int(text.split(" of ")[1].split()[0])
