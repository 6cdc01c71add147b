"""Strict input: every write of the API takes only the fields it documents.

A key it does not take (a typo, or a field the resource only shows, such as `id`) is refused
with 400 naming it, and nothing changes: no record is created, the version is not bumped, nothing
is archived. Each case also sends the same body without the stray key, which succeeds, so the
refusal is the stray key's doing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model
from django.test import Client as HttpClient
from django.urls import reverse
from rest_framework import serializers

from ips.api.mixins import READ_ONLY_FIELD, UNKNOWN_FIELD, InputSerializer
from supervision.models import TeamMeeting
from tests.api_world import ARCHIVED, RESOURCES, UPDATED, Resource, World, iso
from tests.api_world import world as world  # the fixture
from tests.clients.factories import api_as, days_ago

pytestmark = pytest.mark.django_db

TYPO = "ended_on_typo"


def _ids(resources: list[Resource]) -> list[str]:
    return [r.basename for r in resources]


def _as(w: World, persona: str) -> HttpClient:
    return api_as(getattr(w, persona))


def _send(http: HttpClient, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(http, method)(url, body, content_type="application/json")


def _detail(resource: Resource, record: Model) -> str:
    return reverse(f"api:{resource.basename}-detail", kwargs={"pk": record.pk})


def _version(record: Model) -> int:
    return type(record).objects.get(pk=record.pk).version  # type: ignore[attr-defined]


@pytest.mark.parametrize("resource", RESOURCES, ids=_ids(RESOURCES))
def test_a_create_with_an_unknown_field_is_refused_naming_it_and_creates_nothing(
    world: World, resource: Resource
) -> None:
    http, url = _as(world, resource.writer), reverse(f"api:{resource.basename}-list")
    body = resource.create(world)
    before = resource.model.objects.count()

    refused = _send(http, "post", url, {**body, TYPO: "2026-01-01"})

    assert refused.status_code == 400
    assert refused.json() == {TYPO: [UNKNOWN_FIELD]}
    assert resource.model.objects.count() == before
    assert _send(http, "post", url, body).status_code == 201


@pytest.mark.parametrize("resource", UPDATED, ids=_ids(UPDATED))
def test_a_patch_carrying_only_a_misspelt_field_is_refused_and_keeps_the_version(
    world: World, resource: Resource
) -> None:
    record = getattr(world, resource.record)
    http, url = _as(world, resource.updater or resource.writer), _detail(resource, record)
    version = _version(record)

    refused = _send(http, "patch", url, {"version": version, TYPO: "2026-01-01"})

    assert refused.status_code == 400
    assert refused.json() == {TYPO: [UNKNOWN_FIELD]}
    assert _version(record) == version


@pytest.mark.parametrize("resource", UPDATED, ids=_ids(UPDATED))
def test_a_put_with_an_unknown_field_is_refused_and_changes_nothing(
    world: World, resource: Resource
) -> None:
    record = getattr(world, resource.record)
    http, url = _as(world, resource.updater or resource.writer), _detail(resource, record)
    version = _version(record)
    body = {**resource.put(world), "version": version}  # type: ignore[misc]

    refused = _send(http, "put", url, {**body, TYPO: "2026-01-01"})

    assert refused.status_code == 400
    assert refused.json() == {TYPO: [UNKNOWN_FIELD]}
    assert _version(record) == version
    accepted = _send(http, "put", url, body)
    assert accepted.status_code == 200, accepted.json()
    assert _version(record) == version + 1


@pytest.mark.parametrize("resource", UPDATED, ids=_ids(UPDATED))
def test_fields_the_resource_only_shows_are_refused_as_read_only_in_an_update(
    world: World, resource: Resource
) -> None:
    record = getattr(world, resource.record)
    http, url = _as(world, resource.updater or resource.writer), _detail(resource, record)
    version = _version(record)
    shown = http.get(url).json()

    refused = _send(http, "put", url, {**shown, **resource.put(world), "version": version})  # type: ignore[misc]

    assert refused.status_code == 400
    assert "id" in refused.json()
    assert all(messages == [READ_ONLY_FIELD] for messages in refused.json().values())
    assert _version(record) == version


@pytest.mark.parametrize("resource", ARCHIVED, ids=_ids(ARCHIVED))
def test_an_archive_with_an_unknown_field_is_refused_and_archives_nothing(
    world: World, resource: Resource
) -> None:
    record = getattr(world, resource.record)
    http = _as(world, resource.writer)
    url = reverse(f"api:{resource.basename}-archive", kwargs={"pk": record.pk})
    body = {"version": _version(record), "reason": "Entered twice by mistake."}

    refused = _send(http, "post", url, {**body, "archive_reason": "Entered twice."})

    assert refused.status_code == 400
    assert refused.json() == {"archive_reason": [UNKNOWN_FIELD]}
    assert type(record).objects.get(pk=record.pk).archived_at is None
    assert _send(http, "post", url, body).status_code == 200


def test_a_version_sent_with_a_create_is_refused_as_read_only(world: World) -> None:
    body = {"client": world.client.pk, "provided_on": iso(days_ago(1)), "kind": "on_the_job"}

    refused = _send(
        api_as(world.specialist), "post", reverse("api:support-list"), {**body, "version": 1}
    )

    assert refused.status_code == 400
    assert refused.json() == {"version": [READ_ONLY_FIELD]}


def test_unknown_fields_are_named_beside_the_other_errors(world: World) -> None:
    response = _send(
        api_as(world.specialist),
        "post",
        reverse("api:contact-list"),
        {"client": world.client.pk, "minutes": 30, "purpose": "job_search", TYPO: 1},
    )

    assert response.status_code == 400
    assert response.json() == {
        "contacted_on": ["This field is required."],
        TYPO: [UNKNOWN_FIELD],
    }


def test_a_nested_row_with_an_unknown_key_is_refused_and_records_no_meeting(
    world: World,
) -> None:
    before = TeamMeeting.objects.count()
    body = {
        "team": world.team.pk,
        "held_on": iso(days_ago(1)),
        "discussed": [{"client": world.client.pk, "note": "Interview Friday.", "notes": "x"}],
    }

    response = _send(api_as(world.specialist), "post", reverse("api:team-meeting-list"), body)

    assert response.status_code == 400
    assert response.json() == {"discussed": {"0": {"notes": [UNKNOWN_FIELD]}}}
    assert TeamMeeting.objects.count() == before


def test_a_form_encoded_write_is_held_to_the_same_fields(world: World) -> None:
    response = api_as(world.specialist).post(
        reverse("api:support-list"),
        f"client={world.client.pk}&provided_on={iso(days_ago(1))}&kind=on_the_job&kindd=x",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert response.json() == {"kindd": [UNKNOWN_FIELD]}


# --- Every Input serializer is strict ----------------------------------------------------------


def _serializers_within(serializer: serializers.Serializer) -> list[serializers.Serializer]:
    """The serializer and every serializer nested in its fields (lists of rows included)."""
    found = [serializer]
    for field in serializer.fields.values():
        child = getattr(field, "child", field)
        if isinstance(child, serializers.Serializer):
            found.extend(_serializers_within(child))
    return found


def test_every_input_serializer_of_the_api_refuses_unknown_fields() -> None:
    from config.api import router
    from ips.api.mixins import ArchiveInputSerializer
    from ips.api.serializers import ProgramCreateSerializer, ProgramUpdateSerializer

    inputs = [ArchiveInputSerializer, ProgramCreateSerializer, ProgramUpdateSerializer]
    for _, viewset, _ in router.registry:
        inputs.extend(getattr(viewset, "input_serializers", {}).values())

    assert len(inputs) > 20
    lax = {
        type(nested).__name__
        for serializer_class in inputs
        for nested in _serializers_within(serializer_class())
        if not isinstance(nested, InputSerializer)
    }
    assert lax == set()
