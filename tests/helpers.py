"""Assertions shared by several test modules."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

# What a page listing clients adds to its queries: the bulk read event and the clients it names,
# written by one statement (`ips.reads`).
LIST_READ = 1
# The same through the API, which reads the caller's grants for it (pages read them anyway).
API_LIST_READ = 1 + LIST_READ


def clients_read_by(user: object) -> set[int]:
    """Every client whose read by `user` the audit trail holds: viewed records about them, and
    the lists that named them."""
    from ips.models import AuditEvent, AuditEventClient

    viewed = AuditEvent.objects.filter(actor=user, subject_client_id__isnull=False)
    listed = AuditEventClient.objects.filter(event__actor=user)
    return set(viewed.values_list("subject_client_id", flat=True)) | set(
        listed.values_list("client_id", flat=True)
    )


# Logging in without a password skips axes' backend, which cannot load a user from a session.
MODEL_BACKEND = "ips.authentication.UserBackend"


def assert_constant_queries(client: Client, url: str, add_rows: Callable[[int], object]) -> int:
    """Render `url` at a few rows and at ten more; the query count must not change.

    A first request warms the session, which is then marked seen and clear of the two-factor
    gate for the next hour, so the counts are those of a user already working however slowly the
    machine runs the test (the gate is asked again after a minute, the idle clock written every
    half-minute). Returns the count, for the caller to pin with a comment listing the queries.
    """
    from ips.middleware import SESSION_LAST_SEEN, TWO_FACTOR_CLEAR_UNTIL

    assert client.get(url).status_code == 200
    if settings.SESSION_COOKIE_NAME in client.cookies:  # not an API token's client
        session = client.session
        session[SESSION_LAST_SEEN] = session[TWO_FACTOR_CLEAR_UNTIL] = time.time() + 3600
        session.save()
    add_rows(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_rows(10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), "\n".join(q["sql"] for q in large)
    return len(small)


def process_environ() -> dict[str, str]:
    """The environment for a subprocess that stands for a real deployment: the test process's,
    minus what only the tests set (the browser tests allow async-unsafe database access)."""
    import os

    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


# --- Security headers and inline code ----------------------------------------------------------

# Markup the Content-Security-Policy refuses: inline scripts (a <script> without src, event
# handler attributes, javascript: URLs, htmx's hx-on attributes, `js:` values of hx-vals and
# hx-headers) and inline styles (<style> elements, style="" attributes).
INLINE_CODE = {
    "inline <script>": r"<script\b(?![^>]*\ssrc=)[^>]*>",
    "event handler attribute": r"<[^>]*\son[a-z]+\s*=",
    "javascript: URL": r"=\s*['\"]?\s*javascript:",
    "hx-on attribute": r"\s(?:data-)?hx-on[:\-]",
    "js: in hx-vals or hx-headers": r"hx-(?:vals|headers)\s*=\s*['\"]\s*(?:js|javascript):",
    "<style> element": r"<style\b",
    "style attribute": r"<[^>]*\sstyle\s*=",
}
_INLINE_CODE = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in INLINE_CODE.items()}
_TEMPLATE_COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)


def inline_code(markup: str) -> list[tuple[str, str]]:
    """What in `markup` (HTML or a template, whose comments are left out) the policy would
    refuse, as (kind, excerpt) pairs; empty when nothing."""
    markup = _TEMPLATE_COMMENTS.sub("", markup)
    return [
        (kind, match.group(0)[:80])
        for kind, pattern in _INLINE_CODE.items()
        for match in pattern.finditer(markup)
    ]


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in header.split(";"):
        if part.strip():
            name, *sources = part.split()
            directives[name.lower()] = sources
    return directives


# The policy of config/settings.py, directive by directive.
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def assert_strict_csp(response: HttpResponseBase) -> None:
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response!r}"
    assert "unsafe" not in header.lower(), header  # 'unsafe-inline', 'unsafe-eval', -hashes
    assert csp_directives(header) == POLICY, header


def assert_never_stored(response: HttpResponseBase) -> None:
    directives = {
        d.strip().split("=")[0].lower() for d in response.get("Cache-Control", "").split(",")
    }
    assert "no-store" in directives, f"Cache-Control {response.get('Cache-Control')!r}"
    assert "public" not in directives


def assert_private_response(response: HttpResponseBase) -> None:
    """A response of the application: the strict policy, never stored, and if it is an HTML
    page, no inline code in it."""
    assert_strict_csp(response)
    assert_never_stored(response)
    is_html = response.get("Content-Type", "").startswith("text/html")
    if is_html and not getattr(response, "streaming", False):
        assert inline_code(response.content.decode()) == []


def dead_redis_url() -> str:
    """A Redis URL at which nothing listens: a port bound and closed again, so connecting is
    refused at once (an outage of Redis, without touching the real one)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def names_shown(text: str, person: object) -> list[str]:
    """The person's first and last names that `text` holds as whole words: a name is shown as a
    word, whereas a generated surname may well be part of another word ("Baker" in "Bakery")."""
    names = (getattr(person, "first_name", ""), getattr(person, "last_name", ""))
    return [name for name in names if name and re.search(rf"\b{re.escape(name)}\b", text)]
