"""The installable web app: the manifest, the service worker served from the root under the
site's policy, the offline page with nothing of anyone's, and the device key of drafts and the
outbox, given to a logged-in user only."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from ips.context_processors import device_key
from ips.models import User

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_a_static_script_served_from_the_root(client: Client) -> None:
    response = client.get(reverse("service_worker"))

    assert reverse("service_worker") == "/sw.js"
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # Checked again on every visit, never an old copy kept by a cache.
    assert "no-store" in response["Cache-Control"]
    worker = response.content.decode()
    assert 'addEventListener("fetch"' in worker
    assert 'const OFFLINE_URL = "/offline/"' in worker


def test_the_manifest_names_the_app_its_scope_and_its_icons(client: Client) -> None:
    response = client.get(reverse("web_manifest"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/",
        "/",
        "standalone",
    )
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon


def test_every_page_links_the_manifest_and_the_offline_script(
    login_as: Callable[[User], Client], specialist: User
) -> None:
    page = login_as(specialist).get(reverse("home")).content.decode()

    assert f'<link rel="manifest" href="{reverse("web_manifest")}">' in page
    assert f'data-service-worker="{reverse("service_worker")}"' in page
    assert "js/offline.js" in page


def test_the_offline_page_holds_nothing_of_the_user(
    login_as: Callable[[User], Client], specialist: User
) -> None:
    response = login_as(specialist).get(reverse("offline"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "No connection" in page
    assert specialist.username not in page
    assert "data-device-key" not in page
    assert "csrfmiddlewaretoken" not in page


def test_a_logged_in_page_carries_the_users_own_device_key(
    client: Client, login_as: Callable[[User], Client], specialist: User, supervisor: User
) -> None:
    assert "data-device-key" not in client.get(reverse("login")).content.decode()

    page = login_as(specialist).get(reverse("home")).content.decode()

    key = device_key(specialist.pk)
    assert f'data-user="{specialist.pk}" data-device-key="{key}"' in page
    assert key == device_key(specialist.pk)  # the same after the next login
    assert key != device_key(supervisor.pk)
