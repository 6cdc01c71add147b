"""A specialist on a phone without a signal, and one logged out while typing: what is logged
offline arrives exactly once, and what was typed before an idle logout comes back."""

import importlib
import time

from django.conf import settings
from playwright.sync_api import Page, expect

from clients.demo import seed_caseloads
from clients.models import Client, Contact
from employers.models import EmployerContact
from ips.calendar import today
from ips.demo import DEMO_PASSWORD
from ips.middleware import SESSION_LAST_SEEN
from ips.models import IdempotencyKey
from tests.browser.helpers import accessibility_violations, log_in

DRAFTS = "() => Object.keys(sessionStorage).filter((key) => key.startsWith('ips-draft:')).length"
CACHED = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) {
      paths.push(new URL(request.url).pathname);
    }
  }
  return paths;
}"""


def _open_client() -> Client:
    seed_caseloads(today=today(), clients_per_specialist=2)
    return (
        Client.objects.filter(
            specialist__username="demo-specialist", current_episode__closed_on__isnull=True
        )
        .order_by("last_name", "first_name", "id")
        .first()
    )


def test_contacts_logged_offline_are_sent_once_when_the_signal_returns(
    page: Page, live_server, demo
) -> None:
    client = _open_client()
    log_in(page, live_server.url, "demo-specialist", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.get_by_text(f"Log an employer contact on {client.first_name}'s behalf").click()
    employer_form = page.locator("#employer-contact-quick")
    expect(employer_form.get_by_label("Purpose")).to_be_visible()
    contacts, employer_contacts = client.contacts.count(), EmployerContact.objects.count()

    page.context.set_offline(True)
    started = time.monotonic()
    quick = page.locator(f"#quick-log-{client.pk}")
    for purpose, minutes, waiting in (("Job search", "35", 1), ("Benefits", "20", 2)):
        quick.get_by_label("Purpose").select_option(label=purpose)
        quick.get_by_label("Minutes").fill(minutes)
        quick.get_by_role("button", name="Log contact").click()
        expect(page.locator("#outbox-count")).to_have_text(f"{waiting} waiting to be sent")
    employer_form.get_by_label("Employer").select_option(label="Bluebird Café")
    employer_form.get_by_label("Purpose").select_option(label="Present a job seeker")
    employer_form.get_by_role("button", name="Log employer contact").click()
    expect(page.locator("#outbox-count")).to_have_text("3 waiting to be sent")
    offline_seconds = time.monotonic() - started
    expect(page.locator("#outbox-items li")).to_have_count(3)
    expect(page.locator("#outbox-items")).to_contain_text("Contact: Job search, 35 min")
    assert accessibility_violations(page) == []
    assert client.contacts.count() == contacts  # nothing reached the server

    page.context.set_offline(False)
    expect(page.locator("#outbox-sent")).to_have_text("3 sent from this phone's outbox.")
    expect(page.locator("#outbox")).to_be_hidden()
    expect(page.get_by_text("No signal: kept on this phone")).to_have_count(0)

    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # under the service worker now; and nothing is left to send twice
    expect(page.locator("#timeline")).to_contain_text("Benefits — In person, community, 20 min")
    # The worker keeps static files and the offline page, never a client's page.
    cached = page.evaluate(CACHED)
    assert "/offline/" in cached
    assert [path for path in cached if not path.startswith("/static/")] == ["/offline/"]
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/clients/")
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Nothing is waiting to be sent.")
    assert accessibility_violations(page) == []
    page.context.set_offline(False)
    assert client.contacts.count() == contacts + 2
    assert set(
        client.contacts.filter(pk__in=IdempotencyKey.objects.values("object_id")).values_list(
            "purpose", "minutes"
        )
    ) == {("job_search", 35), ("benefits", 20)}
    assert EmployerContact.objects.count() == employer_contacts + 1
    assert IdempotencyKey.objects.count() == 3
    assert offline_seconds < 15


def test_an_idle_logout_mid_form_restores_the_draft_after_login(
    page: Page, live_server, demo
) -> None:
    client = _open_client()
    log_in(page, live_server.url, "demo-specialist", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    contacts = client.contacts.count()
    quick = page.locator(f"#quick-log-{client.pk}")
    started = time.monotonic()
    quick.get_by_label("Purpose").select_option(label="Job search")
    quick.get_by_label("Minutes").fill("45")
    quick.get_by_text("Mode, place, with whom, note").click()
    quick.get_by_label("Note").fill("Went over the bakery's opening hours.")
    page.wait_for_function(f"() => ({DRAFTS})() === 1")

    # Fifteen idle minutes pass on the server.
    session_key = next(
        cookie["value"]
        for cookie in page.context.cookies()
        if cookie["name"] == settings.SESSION_COOKIE_NAME
    )
    store = importlib.import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    store[SESSION_LAST_SEEN] = time.time() - (settings.SESSION_IDLE_MINUTES + 1) * 60
    store.save()

    quick.get_by_role("button", name="Log contact").click()
    expect(page.get_by_text("You were logged out after a period of inactivity.")).to_be_visible()
    assert accessibility_violations(page) == []
    page.get_by_label("Username").fill("demo-specialist")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/clients/{client.pk}/")
    expect(quick.get_by_role("status")).to_contain_text("Draft restored")
    expect(quick.get_by_label("Minutes")).to_have_value("45")
    expect(quick.get_by_label("Note")).to_have_value("Went over the bakery's opening hours.")
    assert accessibility_violations(page) == []
    # axe leaves empty style attributes behind, which htmx would copy into its swap (refused by
    # the policy): a fresh copy of the page, where the draft is restored once more.
    page.reload()
    expect(quick.get_by_role("status")).to_contain_text("Draft restored")
    quick.get_by_role("button", name="Log contact").click()
    expect(quick.get_by_role("status")).to_contain_text("Logged: Job search, 45 min")
    assert time.monotonic() - started < 20

    assert client.contacts.count() == contacts + 1
    assert client.contacts.filter(note="Went over the bakery's opening hours.").count() == 1
    # Saved: the draft is gone once the answer has settled (htmx:load, just after the swap).
    page.wait_for_function(f"() => ({DRAFTS})() === 0", timeout=5_000)
    assert Contact.objects.filter(client=client, minutes=45).count() == 1
