"""A supervisor on a phone opens the supervision dashboard, drills into "no employer contact
after 30 days", records a session with an action item; the specialist then sees the item on
their home page and marks it done."""

import datetime as dt

from playwright.sync_api import Page, expect

from clients.demo import seed_caseloads
from clients.services import client_enroll
from ips.calendar import today
from ips.demo import DEMO_PASSWORD, RIVERSIDE
from ips.models import Program, User
from tests.browser.helpers import accessibility_violations, log_in


def test_supervisor_drills_down_and_agrees_an_action_item(page: Page, live_server, demo) -> None:
    seed_caseloads(today=today(), clients_per_specialist=2)
    riverside = Program.objects.get(name=RIVERSIDE)
    maya = User.objects.get(username="demo-specialist")
    client_enroll(
        program=riverside,
        specialist=maya,
        first_name="Rowan",
        last_name="Stillwater",
        birth_date=dt.date(1991, 2, 3),
        referred_on=today() - dt.timedelta(days=45),
        enrolled_on=today() - dt.timedelta(days=40),
        referral_source="self",
    )

    log_in(page, live_server.url, "demo-supervisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/supervision/?program={riverside.pk}")
    expect(page.get_by_role("heading", name=f"Supervision — {RIVERSIDE}")).to_be_visible()
    assert accessibility_violations(page) == []
    # On a phone each specialist's numbers are stacked on a card (the table is for wider screens).
    cell = page.locator(
        f'[data-testid="dashboard-card"][data-specialist="{maya.pk}"]'
        ' dd[data-metric="no_employer_contact_30d"] a'
    )
    cell.click()
    expect(page.get_by_role("heading", name="No employer contact 30 days after enrollment"))
    expect(page.get_by_test_id("drilldown")).to_contain_text("Rowan Stillwater")
    assert accessibility_violations(page) == []

    page.goto(f"{live_server.url}/supervision/sessions/new/")
    page.get_by_label("Program").select_option(label=RIVERSIDE)
    page.get_by_label("Maya Okafor").check()
    page.get_by_label("Action item 1: specialist").select_option(label="Maya Okafor")
    page.get_by_label("Action item 1: goal or action").fill("Present Rowan to two employers")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_test_id("session-agreed")).to_contain_text(
        "Maya Okafor: Present Rowan to two employers"
    )
    assert accessibility_violations(page) == []

    page.context.clear_cookies()
    log_in(page, live_server.url, "demo-specialist", DEMO_PASSWORD)
    items = page.get_by_test_id("home-action-items")
    expect(items).to_contain_text("Present Rowan to two employers")
    expect(page.get_by_test_id("home-nudges")).to_contain_text("Rowan Stillwater")
    assert accessibility_violations(page) == []
    items.get_by_role("button", name="Mark done").click()
    expect(items).to_contain_text("done")


def test_specialist_records_a_team_meeting_on_a_phone(page: Page, live_server, demo) -> None:
    import time

    from clients.models import Client
    from supervision.demo import seed_supervision

    seed_caseloads(today=today(), clients_per_specialist=2)
    seed_supervision(today=today(), weeks=1)
    client = Client.objects.filter(specialist__username="demo-specialist").order_by("id").first()
    log_in(page, live_server.url, "demo-specialist", DEMO_PASSWORD)

    started = time.monotonic()
    page.goto(f"{live_server.url}/supervision/meetings/new/")
    page.get_by_label("Team").select_option(label="Riverside Clinic ACT Team")
    expect(page.get_by_label("Maya Okafor")).to_be_checked()
    page.get_by_label("Client 1", exact=True).select_option(str(client.pk))
    page.get_by_label("Note on client 1").fill("Interview Thursday; nurse to move appointment.")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_test_id("meeting-clients")).to_contain_text("Interview Thursday")
    assert time.monotonic() - started < 60
    assert accessibility_violations(page) == []

    page.goto(f"{live_server.url}/clients/{client.pk}/")
    expect(page.locator("#timeline")).to_contain_text("Discussed at Riverside Clinic ACT Team")
