"""First journey: each demo role logs in on a phone-sized screen and lands on its home page."""

from playwright.sync_api import Page, expect

from ips.demo import DEMO_PASSWORD
from tests.browser.helpers import accessibility_violations, log_in

HOME_SECTION = {
    "demo-specialist": "home-specialist",
    "demo-supervisor": "home-supervisor",
    "demo-director": "home-director",
    "demo-reviewer": "home-reviewer",
    "demo-admin": "home-admin",
    "other-director": "home-director",
}


def test_each_demo_login_lands_on_its_role_home(page: Page, live_server, demo) -> None:
    """Every demo role in turn, in one browser context whose cookies are cleared between them
    (one seeded demo for all, which is what makes this one test rather than six)."""
    for username, section in HOME_SECTION.items():
        page.context.clear_cookies()
        log_in(page, live_server.url, username, DEMO_PASSWORD)

        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_test_id(section)).to_be_visible()
        for other in set(HOME_SECTION.values()) - {section}:
            expect(page.get_by_test_id(other)).to_have_count(0)
        assert accessibility_violations(page) == [], username
        if username == "demo-admin":  # the audit trail: a program's history, on a phone
            program = next(iter(demo.values()))
            page.goto(f"{live_server.url}/audit/?type=program&id={program.pk}")
            expect(page.get_by_text("Newest first")).to_be_visible()
            assert accessibility_violations(page) == [], "audit"


def test_login_page_is_accessible(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")

    assert accessibility_violations(page) == []
    # Focus order: the username field has focus on arrival, then password, then the button.
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log in")).to_be_focused()


def test_other_agency_director_sees_no_demo_program(page: Page, live_server, demo) -> None:
    log_in(page, live_server.url, "other-director", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/programs/")

    expect(page.get_by_role("link", name="Lakeshore IPS Team")).to_be_visible()
    expect(page.get_by_text("Riverside IPS Team")).to_have_count(0)
    response = page.goto(f"{live_server.url}/programs/{demo['Riverside IPS Team'].pk}/")
    assert response is not None
    assert response.status == 404


def test_admin_uses_phone_menu_to_reach_staff(page: Page, live_server, demo) -> None:
    log_in(page, live_server.url, "demo-admin", DEMO_PASSWORD)
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("navigation").get_by_role("link", name="Staff", exact=True).click()

    expect(page.get_by_role("heading", name="Staff")).to_be_visible()
    expect(page.get_by_role("link", name="Maya Okafor")).to_be_visible()


def test_wrong_password_shows_message_and_stays_on_login(page: Page, live_server, demo) -> None:
    log_in(page, live_server.url, "demo-specialist", "not-the-password")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
