"""The Content-Security-Policy and `Cache-Control: no-store` on every kind of response, static
files' own caching, and no inline code in any template the browser gets.

The access matrix (tests/test_access_matrix.py) asserts the same headers on every URL for every
persona and method; here each kind of response is named once, with what makes it that kind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import Settings

from ips.middleware import NoStoreMiddleware
from ips.models import Program, User
from outcomes.reports import services as report_services
from outcomes.reports.charts import TrendPoint, rate_trend_svg
from outcomes.tasks import report_generate_task
from tests.clients.factories import ClientFactory
from tests.factories import MinimumWageFactory
from tests.helpers import (
    INLINE_CODE,
    assert_never_stored,
    assert_private_response,
    assert_strict_csp,
    inline_code,
)

TEMPLATES = Path(settings.BASE_DIR) / "templates"
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- Every kind of response carries the policy and is never stored ----------------------------


@pytest.mark.django_db
def test_login_page(client: Client) -> None:
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert_private_response(response)


@pytest.mark.django_db
def test_redirect_of_an_anonymous_visitor(client: Client) -> None:
    response = client.get(reverse("clients:caseload"))

    assert response.status_code == 302
    assert_private_response(response)


@pytest.mark.django_db
def test_pages_of_a_specialist(
    specialist: User, program: Program, login_as: Callable[[User], Client]
) -> None:
    record = ClientFactory(program=program, specialist=specialist)
    client = login_as(specialist)

    for url in (
        reverse("home"),
        reverse("clients:caseload"),
        reverse("clients:detail", kwargs={"pk": record.pk}),
        reverse("employers:list"),
        reverse("employers:week"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private_response(response)


@pytest.mark.django_db
def test_htmx_partial_of_the_quick_contact_log(
    specialist: User, program: Program, login_as: Callable[[User], Client]
) -> None:
    record = ClientFactory(program=program, specialist=specialist)
    url = reverse("clients:contact_quick", kwargs={"pk": record.pk})

    response = login_as(specialist).get(f"{url}?where=caseload", **HTMX)

    assert response.status_code == 200
    assert b"<html" not in response.content  # the partial, not a page
    assert_private_response(response)


@pytest.mark.django_db
def test_api_json(specialist: User, login_as: Callable[[User], Client]) -> None:
    response = login_as(specialist).get(reverse("api:me"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_private_response(response)


@pytest.mark.django_db
def test_api_docs_and_their_script(specialist: User, login_as: Callable[[User], Client]) -> None:
    client = login_as(specialist)
    page = client.get(reverse("api:docs"))
    script = client.get(f"{reverse('api:docs')}?script=")

    assert page.status_code == 200
    assert f'src="{reverse("api:docs")}?script="' in page.content.decode()
    assert_private_response(page)  # no inline script or style in Swagger UI's page either
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert_private_response(script)  # it carries the CSRF token


@pytest.mark.django_db
def test_csv_download(director: User, program: Program, login_as: Callable[[User], Client]) -> None:
    url = reverse("outcomes:submission_csv", kwargs={"period": "2025-Q1"})

    response = login_as(director).get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_private_response(response)


@pytest.mark.django_db
def test_pdf_download_and_the_report_status_partial(
    director: User, program: Program, login_as: Callable[[User], Client]
) -> None:
    MinimumWageFactory(program=program)
    report, _ = report_services.report_request(
        agency=program.agency, program=program, period_label="2025-Q1", requested_by=director
    )
    report_generate_task(report.pk)
    client = login_as(director)

    download = client.get(reverse("outcomes:report_download", kwargs={"pk": report.pk}))
    status = client.get(reverse("outcomes:report_status", kwargs={"pk": report.pk}), **HTMX)

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert_private_response(download)
    assert status.status_code == 200
    assert_private_response(status)


@pytest.mark.django_db
def test_error_pages(specialist: User, login_as: Callable[[User], Client]) -> None:
    response = login_as(specialist).get("/no-such-page/")

    assert response.status_code == 404
    assert_private_response(response)


@pytest.mark.django_db
def test_csrf_failure_page_has_no_inline_style(specialist: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(specialist, backend="ips.authentication.UserBackend")

    response = client.post(reverse("clients:new"), {})

    assert response.status_code == 403
    assert "Form not accepted" in response.content.decode()
    assert_private_response(response)


def test_no_store_overrides_what_a_view_asked_for() -> None:
    def cached_view(request: object) -> HttpResponse:
        return HttpResponse("x", headers={"Cache-Control": "public, max-age=3600"})

    response = NoStoreMiddleware(cached_view)(RequestFactory().get("/"))

    assert_never_stored(response)
    assert "max-age=0" in response["Cache-Control"]


# --- Static files keep WhiteNoise's caching ----------------------------------------------------


@pytest.fixture
def whitenoise_serving(settings: Settings) -> None:
    """WhiteNoise answering from the finders, as after collectstatic (tests have no
    STATIC_ROOT)."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.mark.usefixtures("whitenoise_serving")
@pytest.mark.parametrize("path", ["css/app.css", "js/app.js", "vendor/htmx-2.0.11/htmx.min.js"])
def test_static_files_are_cached_not_no_store(path: str) -> None:
    response = Client().get(f"{settings.STATIC_URL}{path}")

    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" not in cache_control
    assert "public" in cache_control
    assert "max-age" in cache_control
    assert "Expires" not in response
    assert_strict_csp(response)


@pytest.mark.usefixtures("whitenoise_serving")
def test_hashed_static_files_keep_the_long_immutable_caching(settings: Settings) -> None:
    """As with the manifest storage of production, where every file name carries its hash."""
    settings.WHITENOISE_IMMUTABLE_FILE_TEST = lambda path, url: True

    response = Client().get(f"{settings.STATIC_URL}css/app.css")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"


# --- No inline code in the templates -----------------------------------------------------------


def _page_templates() -> list[Path]:
    """Every template the browser may get: all but the PDF templates, which WeasyPrint renders
    on the server (their print CSS stays inline; no view answers them as a page)."""
    return sorted(
        path for path in TEMPLATES.rglob("*.html") if "pdf" not in path.relative_to(TEMPLATES).parts
    )


def test_the_scan_sees_the_templates() -> None:
    names = {str(path.relative_to(TEMPLATES)) for path in _page_templates()}

    assert {"base.html", "clients/caseload.html", "outcomes/dashboard.html"} <= names
    assert "outcomes/pdf/outcome_report.html" not in names


@pytest.mark.parametrize(
    "path", _page_templates(), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_template_has_no_inline_code(path: Path) -> None:
    assert inline_code(path.read_text()) == []


@pytest.mark.parametrize(
    ("kind", "markup"),
    [
        ("inline <script>", "<script>alert(1)</script>"),
        ("inline <script>", '<script type="module">import "x";</script>'),
        ("event handler attribute", '<select onchange="this.form.submit()">'),
        ("event handler attribute", "<button class='b' onClick='go()'>"),
        ("javascript: URL", '<a href="javascript:void(0)">'),
        ("hx-on attribute", '<div hx-on:click="go()">'),
        ("hx-on attribute", '<div hx-on::after-request="go()">'),
        ("js: in hx-vals or hx-headers", "<div hx-vals='js:{a: b()}'>"),
        ("<style> element", "<style>.a { color: red }</style>"),
        ("style attribute", '<span class="x" style="min-width: 5rem">'),
        ("style attribute", '<svg width="100%" style="max-width:520px">'),
    ],
)
def test_the_scan_finds_each_kind_of_inline_code(kind: str, markup: str) -> None:
    assert kind in INLINE_CODE
    assert [found for found, _ in inline_code(markup)] == [kind]


@pytest.mark.parametrize(
    "markup",
    [
        '<script src="/static/js/app.js"></script>',
        "<p>Log a contact on behalf of the client = today</p>",
        '<div hx-get="/x" hx-trigger="toggle once" data-autosubmit>',
        "{# an inline <style> was here #}",
        '<rect width="14" height="4" fill="#0b5394"/>',
    ],
)
def test_the_scan_lets_external_scripts_and_plain_markup_be(markup: str) -> None:
    assert inline_code(markup) == []


def test_the_outcome_chart_built_in_python_has_no_inline_style() -> None:
    svg = rate_trend_svg(
        [TrendPoint("2025-Q1", 0.4), TrendPoint("2025-Q2", None), TrendPoint("2025-Q3", 0.5)],
        chart_id="trend",
        title="Rate",
    )

    assert inline_code(svg) == []
