"""A supervisor uploads a spreadsheet of clients, reads the preview (counts, errors, rows) on a
phone and on a desktop, and confirms it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ips.demo import DEMO_PASSWORD
from ips.models import Program
from tests.browser.conftest import RESULTS
from tests.browser.helpers import accessibility_violations, log_in
from tests.imports.files import client_row, csv_bytes


def test_supervisor_previews_and_confirms_an_import(page: Page, live_server, demo) -> None:
    program = Program.objects.filter(staff_roles__user__username="demo-supervisor").first()
    specialist = program.staff_roles.filter(role="specialist").first().user.username
    rows = [client_row(n, specialist=specialist) for n in range(30)]
    rows[4]["birth_date"] = "31/31/1990"
    rows[9]["referral_source"] = "Radio advert"
    log_in(page, live_server.url, "demo-supervisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/imports/programs/{program.pk}/")
    page.get_by_label("What the file holds").select_option("clients")
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(
        {"name": "clients.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}
    )
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_test_id("count-created")).to_have_text("28")
    expect(page.get_by_test_id("count-errors")).to_have_text("2")
    assert accessibility_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "import-preview-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(RESULTS / "import-preview-1280.png"), full_page=True)

    page.get_by_role("button", name="Confirm: import 28 rows").click()
    expect(page.get_by_test_id("import-status")).to_contain_text("Imported: 28 created")
