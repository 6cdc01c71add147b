"""A specialist on a phone logs a face-to-face contact with a hiring manager on behalf of two
clients, sees the week's count go up, and finds it on both clients' timelines."""

import re

from playwright.sync_api import Page, expect

from clients.demo import seed_caseloads
from clients.models import Client
from ips.calendar import today
from ips.demo import DEMO_PASSWORD
from tests.browser.helpers import accessibility_violations, log_in


def week_count(page: Page) -> int:
    text = page.get_by_test_id("week-count").inner_text()
    return int(re.match(r"\s*(\d+) of", text)[1])


def test_specialist_logs_employer_contact_for_two_clients(page: Page, live_server, demo) -> None:
    seed_caseloads(today=today(), clients_per_specialist=3)
    first, second = Client.objects.filter(specialist__username="demo-specialist").order_by("id")[:2]
    log_in(page, live_server.url, "demo-specialist", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/employers/week/")
    before = week_count(page)
    assert accessibility_violations(page) == []

    page.goto(f"{live_server.url}/employers/")
    page.get_by_role("link", name="Bluebird Café").click()
    form = page.locator("#employer-contact-quick")
    form.get_by_label("Purpose").select_option(label="Present a job seeker")
    form.get_by_label("With someone who makes hiring decisions").check()
    form.get_by_label("On behalf of").select_option([str(first.pk), str(second.pk)])
    form.get_by_role("button", name="Log employer contact").click()
    expect(page.get_by_role("status")).to_contain_text("counts toward the weekly target")

    page.goto(f"{live_server.url}/employers/week/")
    assert week_count(page) == before + 1
    for client in (first, second):
        page.goto(f"{live_server.url}/clients/{client.pk}/")
        expect(page.locator("#timeline")).to_contain_text(
            "Employer contact: Present a job seeker at Bluebird Café"
        )
