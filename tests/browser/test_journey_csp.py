"""The pages' htmx and scripts work under the enforced Content-Security-Policy, and nothing on
them is refused: a specialist quick-logs a contact from the caseload and sorts the employers; a
director generates a report and watches its status polled until it is ready.

(Every journey fails on a reported violation, see conftest.py; these name what they exercise and
prove that the policy is enforced and that a violation would be heard.)
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from clients.demo import seed_caseloads
from ips.calendar import Period, today
from ips.demo import DEMO_PASSWORD
from tests.browser.helpers import log_in


def _assert_policy_enforced(page: Page, csp_violations: list[str]) -> None:
    """An inline script added now is refused, and the refusal reaches the test."""
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineScriptRan = true";
          document.head.append(script);
        }"""
    )
    for _ in range(20):
        if csp_violations:
            break
        page.wait_for_timeout(100)

    assert page.evaluate("() => window.inlineScriptRan === undefined")
    assert any("script-src" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()  # the violation this check caused on purpose


def test_specialist_quick_logs_and_sorts_without_a_violation(
    page: Page, live_server, demo, csp_violations: list[str]
) -> None:
    seed_caseloads(today=today(), clients_per_specialist=3)
    log_in(page, live_server.url, "demo-specialist", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/clients/")

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe" not in policy
    expect(page.locator("head style")).to_have_count(0)  # htmx injected no indicator styles

    row = page.get_by_test_id("caseload-row").first
    row.get_by_text("Log a contact").click()  # htmx loads the form
    row.get_by_label("Purpose").select_option(label="Job search")
    row.get_by_label("Minutes").fill("20")
    row.get_by_role("button", name="Log contact").click()  # htmx posts it
    expect(row.get_by_role("status")).to_contain_text("Logged: Job search, 20 min")

    page.goto(f"{live_server.url}/employers/")
    page.get_by_label("Sort by").select_option("hires")  # static/js/app.js submits the form
    expect(page).to_have_url(re.compile(r"order=hires"))
    expect(page.get_by_label("Sort by")).to_have_value("hires")

    assert csp_violations == []
    _assert_policy_enforced(page, csp_violations)


def test_director_watches_report_status_polled_without_a_violation(
    page: Page, live_server, demo, celery_worker, csp_violations: list[str]
) -> None:
    seed_caseloads(today=today(), clients_per_specialist=2)
    quarter = Period.containing("quarter", today()).previous().label
    log_in(page, live_server.url, "demo-director", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/outcomes/reports/")

    page.get_by_label("Program or agency").select_option(label="Riverside IPS Team")
    page.get_by_label("Period").select_option(quarter)
    page.get_by_role("button", name="Make the report").click()
    section = page.get_by_role("region", name="Being made")
    status = section.locator(f"[id$='-{quarter}']").get_by_test_id("report-status")
    expect(status).to_contain_text(re.compile("Queued|Being generated"))
    expect(status).to_have_text("Ready", timeout=60_000)  # htmx polled every second

    assert csp_violations == []
    _assert_policy_enforced(page, csp_violations)
