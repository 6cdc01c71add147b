"""Steps shared by browser flows."""

from pathlib import Path

from playwright.sync_api import Page


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def accessibility_violations(page: Page) -> list[str]:
    """Serious and critical WCAG 2 A/AA violations on the page, as found by axe-core.

    The pages' Content-Security-Policy stays enforced (the contexts never set bypass_csp), so a
    <script> element added to the page (Playwright's add_script_tag) would be refused. axe is
    evaluated through Playwright instead, as a function called over the DevTools protocol,
    which the page's policy does not govern; it then runs without evaluating strings itself."""
    page.evaluate(f"() => {{\n{AXE.read_text()}\n}}")
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})"
        ".then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
    )
    return list(result)
