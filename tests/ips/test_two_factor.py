"""The two-factor gate (ips.middleware.TwoFactorRequiredMiddleware) and the TOTP pages."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ips.models import Agency, User
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db


def current_token(device: TOTPDevice) -> str:
    """The code an authenticator app shows right now for `device`."""
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return f"{code:0{device.digits}d}"


def wrong_token(device: TOTPDevice) -> str:
    return f"{(int(current_token(device)) + 500_000) % 1_000_000:06d}"


def _gate_url(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


@pytest.fixture
def two_factor_agency(agency: Agency) -> Agency:
    agency.requires_two_factor = True
    agency.save()
    return agency


@pytest.mark.usefixtures("two_factor_agency")
def test_staff_of_a_two_factor_agency_must_enrol_before_anything_else(
    login_as: Callable[[User], Client], specialist: User
) -> None:
    client = login_as(specialist)

    for url in (reverse("home"), reverse("program_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == _gate_url("two_factor_setup", url)

    api = client.get(reverse("api:program-list"))
    assert api.status_code == 403
    assert api.json() == {"detail": "Two-factor authentication is required."}


@pytest.mark.usefixtures("two_factor_agency")
def test_htmx_request_behind_the_gate_gets_hx_redirect(
    login_as: Callable[[User], Client], specialist: User
) -> None:
    response = login_as(specialist).get(reverse("program_list"), headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == _gate_url("two_factor_setup", reverse("program_list"))


@pytest.mark.usefixtures("two_factor_agency")
def test_enrolling_with_a_valid_token_lets_the_user_through(
    login_as: Callable[[User], Client], specialist: User
) -> None:
    client = login_as(specialist)
    setup = client.get(_gate_url("two_factor_setup", reverse("program_list")))
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=specialist)
    assert not device.confirmed

    response = client.post(
        reverse("two_factor_setup"),
        {"token": current_token(device), "next": reverse("program_list")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("program_list")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("api:program-list")).status_code == 200


@pytest.mark.usefixtures("two_factor_agency")
def test_enrolling_with_a_wrong_token_changes_nothing(
    login_as: Callable[[User], Client], specialist: User
) -> None:
    client = login_as(specialist)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=specialist)

    response = client.post(reverse("two_factor_setup"), {"token": wrong_token(device)})

    assert response.status_code == 200
    assert "That code did not match" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert TOTPDevice.objects.filter(user=specialist).count() == 1
    assert client.get(reverse("home")).status_code == 302


def test_staff_of_an_agency_without_the_requirement_are_not_gated(
    login_as: Callable[[User], Client], specialist: User
) -> None:
    assert login_as(specialist).get(reverse("home")).status_code == 200


def test_outside_reviewer_is_gated_by_the_agency_they_review(
    two_factor_agency: Agency, login_as: Callable[[User], Client], reviewer: User
) -> None:
    response = login_as(reviewer).get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


@pytest.fixture
def enrolled_specialist(specialist: User) -> User:
    TOTPDevice.objects.create(user=specialist, name="Phone", confirmed=True)
    return specialist


def test_user_with_a_device_is_asked_to_verify(
    login_as: Callable[[User], Client], enrolled_specialist: User
) -> None:
    response = login_as(enrolled_specialist).get(reverse("program_list"))

    assert response.status_code == 302
    assert response["Location"] == _gate_url("two_factor_verify", reverse("program_list"))


def test_verifying_with_a_valid_token_lets_the_user_through(
    login_as: Callable[[User], Client], enrolled_specialist: User
) -> None:
    client = login_as(enrolled_specialist)
    device = TOTPDevice.objects.get(user=enrolled_specialist)

    response = client.post(
        reverse("two_factor_verify"), {"token": current_token(device), "next": reverse("home")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_verifying_with_a_wrong_token_changes_nothing(
    login_as: Callable[[User], Client], enrolled_specialist: User
) -> None:
    client = login_as(enrolled_specialist)
    device = TOTPDevice.objects.get(user=enrolled_specialist)

    response = client.post(reverse("two_factor_verify"), {"token": wrong_token(device)})

    assert response.status_code == 200
    assert "That code did not match" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert TOTPDevice.objects.filter(user=enrolled_specialist, confirmed=True).count() == 1


def test_verify_refuses_a_redirect_to_another_site(
    login_as: Callable[[User], Client], enrolled_specialist: User
) -> None:
    client = login_as(enrolled_specialist)
    device = TOTPDevice.objects.get(user=enrolled_specialist)

    response = client.post(
        reverse("two_factor_verify"),
        {"token": current_token(device), "next": "https://evil.example.com/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_admin_two_factor_reset_makes_the_user_enrol_again(
    two_factor_agency: Agency, client: Client, enrolled_specialist: User, admin: User
) -> None:
    admin_client = Client()
    admin_client.force_login(admin, backend=MODEL_BACKEND)
    # The admin is gated too: they enrol first.
    admin_client.get(reverse("two_factor_setup"))
    admin_device = TOTPDevice.objects.get(user=admin)
    admin_client.post(reverse("two_factor_setup"), {"token": current_token(admin_device)})

    response = admin_client.post(
        reverse("staff_two_factor_reset", kwargs={"pk": enrolled_specialist.pk})
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=enrolled_specialist).exists()
    client.force_login(enrolled_specialist, backend=MODEL_BACKEND)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))
