"""A supervisor runs the weekly meeting from one page: marks an item done and undoes it, opens
the clients behind a number in place, types a new item and the notes, ticks who is present,
saves, and the session exists. Screenshots of the page at phone and desktop widths are kept in
test-results/ to look at."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from clients.demo import seed_caseloads
from ips.calendar import today
from ips.demo import DEMO_PASSWORD, RIVERSIDE
from ips.models import Program, User
from supervision.demo import seed_supervision
from supervision.models import ActionItem, SupervisionSession
from supervision.services import supervision_session_record
from tests.browser.conftest import RESULTS
from tests.browser.helpers import accessibility_violations, log_in


def _seed() -> tuple[Program, User, ActionItem]:
    seed_caseloads(today=today(), clients_per_specialist=6)
    seed_supervision(today=today(), weeks=3)
    riverside = Program.objects.get(name=RIVERSIDE)
    maya = User.objects.get(username="demo-specialist")
    grace = User.objects.get(username="demo-supervisor")
    last = supervision_session_record(
        supervisor=grace,
        program=riverside,
        held_on=today() - dt.timedelta(days=1),
        action_items=[{"specialist": maya, "text": "Call the bakery's hiring manager"}],
    )
    return riverside, maya, last.action_items.get()


def test_supervisor_runs_the_weekly_meeting_from_one_page(page: Page, live_server, demo) -> None:
    riverside, maya, item = _seed()
    log_in(page, live_server.url, "demo-supervisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/supervision/meeting/?program={riverside.pk}")
    expect(page.get_by_role("heading", name=f"Supervision meeting — {RIVERSIDE}")).to_be_visible()
    assert accessibility_violations(page) == []
    card = page.locator(f"#specialist-{maya.pk}")
    row = card.locator(f"#action-item-{item.pk}")

    row.get_by_role("button", name="Mark done").click()
    expect(row.get_by_role("button", name="Undo")).to_be_visible()
    expect(row).to_contain_text("done")
    row.get_by_role("button", name="Undo").click()
    expect(row.get_by_role("button", name="Mark done")).to_be_visible()
    item.refresh_from_db()
    assert item.done_on is None

    figure = card.locator('tr[data-metric="caseload"] details')
    figure.locator("summary").click()
    expect(figure.get_by_test_id("drilldown")).to_be_visible()

    card.get_by_label(f"New action item for {maya}").fill("Present two job seekers to the deli")
    card.get_by_role("button", name=f"Add action item for {maya}").click()
    expect(card.get_by_test_id("meeting-items")).to_contain_text("Present two job seekers")
    expect(card.get_by_label(f"New action item for {maya}")).to_have_value("")

    card.get_by_label(f"Present: {maya}").check()
    page.get_by_label("Meeting notes").fill("Leads shared: the deli and the garden centre.")
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_test_id("meeting-saved")).to_be_visible()
    assert accessibility_violations(page) == []

    session = SupervisionSession.objects.get(program=riverside, held_on=today())
    assert session.notes == "Leads shared: the deli and the garden centre."
    assert list(session.specialists_present.all()) == [maya]
    assert [i.text for i in session.action_items.all()] == ["Present two job seekers to the deli"]


def test_meeting_page_screenshots_at_phone_and_desktop_width(page: Page, live_server, demo) -> None:
    riverside, _, _ = _seed()
    log_in(page, live_server.url, "demo-supervisor", DEMO_PASSWORD)
    RESULTS.mkdir(exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/supervision/meeting/?program={riverside.pk}")
        expect(page.get_by_test_id("meeting-specialist").first).to_be_visible()
        page.screenshot(path=str(RESULTS / f"meeting-{width}.png"), full_page=True)
        # Nothing wider than the window: the page scrolls down, never sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
