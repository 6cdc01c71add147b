"""The API's rate limits (ips.throttle, DRF's DEFAULT_THROTTLE_CLASSES): 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from ips.models import User
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db

ME = reverse("api:me")


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def test_a_caller_over_the_rate_is_answered_429_with_retry_after(
    settings: Settings, specialist: User, supervisor: User
) -> None:
    settings.API_THROTTLE_RATES = {"user": "3/minute", "anon": "3/minute"}
    client = _logged_in(specialist)

    answers = [client.get(ME) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()
    # Counted per caller: a colleague on the same network is not affected.
    assert _logged_in(supervisor).get(ME).status_code == 200


def test_callers_are_counted_by_their_own_address_not_a_forged_header(
    settings: Settings,
) -> None:
    """Anonymous callers are refused by the permission check before any throttle; the anon
    rate counts by `client_ip`, which ignores X-Forwarded-For unless behind trusted proxies."""
    from rest_framework.test import APIRequestFactory

    from ips.throttle import AnonRateThrottle

    settings.API_THROTTLE_RATES = {"user": None, "anon": "2/minute"}
    factory = APIRequestFactory()
    throttle = AnonRateThrottle()

    def request(forwarded: str) -> object:
        from rest_framework.request import Request

        return Request(factory.get("/api/v1/", HTTP_X_FORWARDED_FOR=forwarded))

    allowed = [AnonRateThrottle().allow_request(request(f"10.0.0.{n}"), None) for n in range(3)]

    assert allowed == [True, True, False]
    assert throttle.get_ident(request("10.9.9.9")) == "127.0.0.1"
