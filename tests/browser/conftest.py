"""Playwright (Python) driving Debian's chromium against pytest-django's live server.

One flow per page and role; on failure a trace and a screenshot go to test-results/; no retries.
The pages' Content-Security-Policy is enforced (never bypass_csp), and a flow that passes fails
all the same if the browser reported a violation of it on any page it opened.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from config.celery import app

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# database access from it (microsoft/playwright-pytest#29).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags chromium keeps dialling out, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every violation of the policy fires `securitypolicyviolation` on the document; the listener,
# installed before any script of each page, hands it to the test process.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline code"}` +
    ` at ${event.sourceFile || document.URL}:${event.lineNumber} ${event.sample || ""}`
  );
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    """The violations of the Content-Security-Policy the test's page reported so far, as the
    browser's events and console errors."""
    return []


def watch_csp(context: BrowserContext, violations: list[str]) -> None:
    def reported(violation: str) -> None:
        violations.append(violation)

    def logged(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    context.expose_function("reportCspViolation", reported)
    context.add_init_script(CSP_LISTENER)
    context.on("console", logged)


@pytest.fixture
def page(
    browser: Browser, request: pytest.FixtureRequest, csp_violations: list[str]
) -> Iterator[Page]:
    """A phone-sized page under the enforced policy; its trace and screenshot are kept when
    the test fails, and a test that passed fails if the policy was violated."""
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(10_000)
    watch_csp(context, csp_violations)
    # The trace keeps each step's page (snapshots); a screenshot of every step would cost a
    # quarter of a flow's time, and the failure's own screenshot is taken below.
    context.tracing.start(screenshots=False, snapshots=True)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
        context.tracing.stop(path=str(RESULTS / f"{name}.zip"))
    else:
        context.tracing.stop()
    context.close()
    if report is not None and report.passed and csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(csp_violations))


@pytest.fixture
def demo(transactional_db: None) -> dict[str, object]:
    """The demo agency, as `seed_demo` builds it, committed for the live server."""
    from ips.demo import seed_organisation

    return seed_organisation()


@pytest.fixture
def celery_worker() -> Iterator[None]:
    """A worker thread taking tasks from the Redis database the tests' cache uses (never the
    development broker's), sent there by the live server."""
    broker = settings.CACHES["default"]["LOCATION"]
    before = (app.conf.broker_url, app.conf.result_backend)
    _use_broker(broker, broker)
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        _use_broker(*before)


def _use_broker(broker: str, backend: str) -> None:
    """Point the app at another broker; pooled connections to the old one are dropped."""
    app.conf.broker_url, app.conf.result_backend = broker, backend
    app._pool = None
    app.amqp._producer_pool = None
