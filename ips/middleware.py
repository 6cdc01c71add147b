"""Session limits and the two-factor gate, applied to every request made with a session; no
response of the application stored by a browser or a proxy."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import user_has_device

from ips import access

SESSION_STARTED = "ips_session_started"
SESSION_LAST_SEEN = "ips_session_last_seen"
# Writing the session on every request costs a database write; within this many seconds of the
# last write we skip it. Idle logout is therefore precise to about half a minute.
LAST_SEEN_RESOLUTION = 30


def return_to(request: HttpRequest) -> str:
    """Where to come back to after logging in again: the page asked for, or, for an htmx
    request or a form sent when the session had ended, the page it came from (where the form's
    draft is restored, static/js/offline.js), if it is one of this site's."""
    page = None
    if getattr(request, "htmx", False):
        page = request.headers.get("HX-Current-URL")
    elif request.method not in ("GET", "HEAD"):
        page = request.headers.get("Referer")
    if page and url_has_allowed_host_and_scheme(
        page, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(page)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path
    return request.get_full_path()


def _login_redirect(request: HttpRequest) -> HttpResponse:
    url = f"{reverse('login')}?{urlencode({'next': return_to(request)})}"
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


class SessionLimitsMiddleware:
    """Log out a session idle for SESSION_IDLE_MINUTES, or older than SESSION_MAX_HOURS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault(SESSION_STARTED, now)
            last_seen = session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_MINUTES * 60
            too_old = now - started > settings.SESSION_MAX_HOURS * 3600
            if idle or too_old:
                logout(request)
                messages.info(
                    request,
                    "You were logged out after a period of inactivity."
                    if idle
                    else "Your session reached its time limit. Please log in again.",
                )
                return _login_redirect(request)
            if now - last_seen >= LAST_SEEN_RESOLUTION or SESSION_LAST_SEEN not in session:
                session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` (Django's never_cache headers) on every response of the
    application: pages, htmx partials, the API, CSV and PDF downloads, redirects and errors all
    may carry client data, and none may be kept in a browser's cache or on a shared computer's
    disk. It overrides whatever caching a view asked for.

    Static files are answered by WhiteNoise, above this middleware in settings.MIDDLEWARE, so
    they never come through here and keep WhiteNoise's long caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


# The allow-list: the only pages a user who must still verify (or enrol) a second factor
# reaches. Everything else, the password change page and the Django admin included, sends them
# to enrol or verify first (tests/ips/test_two_factor_gate.py walks every URL).
TWO_FACTOR_ALLOWED_URL_NAMES = ("login", "logout", "two_factor_setup", "two_factor_verify")
TWO_FACTOR_CLEAR_UNTIL = "ips_two_factor_clear_until"
TWO_FACTOR_RECHECK_SECONDS = 60


def allowed_before_two_factor(path: str) -> bool:
    """Whether `path` may be requested before the second factor is verified: the pages named in
    TWO_FACTOR_ALLOWED_URL_NAMES, exactly, and static files (WhiteNoise answers those before
    any middleware here; in development they may come through)."""
    static = urlsplit(settings.STATIC_URL).path
    if static and static != "/" and path.startswith(static):
        return True
    return path in {reverse(name) for name in TWO_FACTOR_ALLOWED_URL_NAMES}


class TwoFactorRequiredMiddleware:
    """Before anything else: verify an enrolled device, or enrol one when the agency requires it
    (or an admin's password reset did, `User.must_enrol_two_factor`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and request.session.get(TWO_FACTOR_CLEAR_UNTIL, 0) < time.time()
            and not allowed_before_two_factor(request.path_info)
        ):
            if user_has_device(user):
                return self._gate(request, "two_factor_verify")
            if access.two_factor_required(user):
                return self._gate(request, "two_factor_setup")
            # Neither enrolled nor required: skip the two queries for a minute. An agency that
            # starts requiring two-factor reaches its logged-in staff within that minute.
            request.session[TWO_FACTOR_CLEAR_UNTIL] = time.time() + TWO_FACTOR_RECHECK_SECONDS
        return self.get_response(request)

    def _gate(self, request: HttpRequest, url_name: str) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": "Two-factor authentication is required."}, status=403)
        url = f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
