"""Who is asking, and how often: the client's address, the limits on failed logins, and the
API's request rates.

The address (`client_ip`) is the TCP peer's (REMOTE_ADDR) unless the site runs behind
TRUSTED_PROXY_COUNT reverse proxies: then it is the entry of X-Forwarded-For that the outermost
trusted proxy appended. Entries a client wrote itself come before it and are never read, so a
forged header cannot pick the address that the limits below count.

Failed logins are limited twice:

- per account **and** address, by django-axes (AXES_LOCKOUT_PARAMETERS): AXES_FAILURE_LIMIT
  wrong passwords for one account from one address lock that account from that address for
  LOCKOUT_MINUTES. Someone guessing at an account from elsewhere cannot lock its owner out.
  Axes counts in the database (AxesDatabaseHandler), so this holds while Redis is down.
- per address across accounts (password spraying), here: LOGIN_ADDRESS_FAILURE_LIMIT failed
  logins from one address (an IPv6 address counts with its whole /64) within LOCKOUT_MINUTES
  refuse every login from it until that window ends. Axes has one failure limit for all its
  parameters, so it cannot hold this second, higher one. The count lives in the cache: while
  Redis is down the cache answers empty and this cap is not enforced (the account-and-address
  lockout above still is).

The API (`UserRateThrottle`, `AnonRateThrottle`, DRF's DEFAULT_THROTTLE_CLASSES) allows
API_THROTTLE_USER requests per caller (API_THROTTLE_ANON per address for callers not logged in),
answering 429 with Retry-After beyond that. Counted in the cache too: not enforced while Redis
is down.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework import throttling

LOGIN_FAILURES_KEY = "ips:login-failures:{}"


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the entry of
    X-Forwarded-For the outermost of them appended (a malformed entry: REMOTE_ADDR)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if forwarded:
            candidate = forwarded[-min(proxies, len(forwarded))]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def _address_key(address: str) -> str:
    """The cache key counting an address's failed logins: an IPv6 address with its /64 (one
    customer's network: stepping through it must not reset the count)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return LOGIN_FAILURES_KEY.format(address or "unknown")
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return LOGIN_FAILURES_KEY.format(parsed.ipv4_mapped)
        return LOGIN_FAILURES_KEY.format(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return LOGIN_FAILURES_KEY.format(parsed)


def address_failures(request: HttpRequest) -> int:
    """Failed logins from the request's address in the current window (0 while Redis is down)."""
    return int(cache.get(_address_key(client_ip(request))) or 0)


def address_blocked(request: HttpRequest) -> bool:
    return address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


@receiver(user_login_failed)
def count_address_failure(sender: Any, credentials: dict, request: Any = None, **kwargs: Any):
    """Count a failed login against its address, in a window of LOCKOUT_MINUTES that starts with
    the window's first failure (later failures do not extend it)."""
    if not isinstance(request, HttpRequest):
        return
    key = _address_key(client_ip(request))
    cache.add(key, 0, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))
    with contextlib.suppress(ValueError):  # the window ended just now, or no cache
        cache.incr(key)


class AddressLimitBackend:
    """First of AUTHENTICATION_BACKENDS: refuses every login from an address over its cap,
    before any password is checked. The refusal is answered 429 by `lockout_response` (through
    django-axes' middleware, which reads `request.axes_locked_out`)."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is not None and address_blocked(request):
            request.ips_address_blocked = True  # type: ignore[attr-defined]
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise PermissionDenied("Too many failed logins from this address.")
        return None

    def get_user(self, user_id: Any) -> None:
        return None


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After, saying which limit refused the login."""
    seconds = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "registration/locked_out.html",
        {
            "address_blocked": getattr(request, "ips_address_blocked", False),
            "minutes": math.ceil(seconds / 60),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


class _RateFromSettings:
    """The rate read from the settings on each request (API_THROTTLE_RATES), not once at import
    as DRF's classes do: tests and deployments change it through the settings alone."""

    scope: str

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Any) -> str:
        return client_ip(request)


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Requests per logged-in caller (any authentication), per minute or hour."""


class AnonRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    """Requests per address from callers who are not logged in."""
