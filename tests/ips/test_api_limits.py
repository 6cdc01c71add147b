"""Limits on API request bodies: their size (413) and how deeply JSON nests (400), never a 500."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.fixtures import Settings
from rest_framework.exceptions import ParseError

from clients.models import Client, Contact
from ips.api.parsers import MAX_JSON_DEPTH, JSONParser, RequestTooLarge, json_depth
from ips.models import Program, User
from tests.clients.factories import ClientFactory, api_as, days_ago

pytestmark = pytest.mark.django_db

CONTACTS = reverse("api:contact-list")


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    return ClientFactory(program=program, specialist=specialist)


def nested(depth: int) -> str:
    """A JSON array `depth` levels deep."""
    return "[" * depth + "]" * depth


def contact_body(client: Client, note: str = "") -> dict[str, object]:
    return {
        "client": client.pk,
        "contacted_on": days_ago(1).isoformat(),
        "minutes": 30,
        "purpose": "job_search",
        "note": note,
    }


# --- Nesting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 100_000])
def test_json_nested_too_deeply_is_refused_with_400_and_records_nothing(
    specialist: User, client_: Client, depth: int
) -> None:
    body = f'{{"client": {client_.pk}, "note": {nested(depth - 1)}}}'

    response = api_as(specialist).post(CONTACTS, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"JSON nested more than {MAX_JSON_DEPTH} levels deep is not accepted."
    }
    assert not Contact.objects.exists()


def test_json_nested_to_the_limit_reaches_the_fields_check(
    specialist: User, client_: Client
) -> None:
    body = f'{{"client": {client_.pk}, "note": {nested(MAX_JSON_DEPTH - 1)}}}'

    response = api_as(specialist).post(CONTACTS, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["note"] == ["Not a valid string."]


def test_depth_counts_objects_and_arrays_without_recursing() -> None:
    deep: list[object] = []
    for _ in range(50_000):
        deep = [deep]

    assert json_depth(3) == 0
    assert json_depth({"a": [1, {"b": []}]}) == 4
    assert json_depth(deep) == MAX_JSON_DEPTH + 1  # stops counting past the limit


def test_malformed_json_is_a_400_naming_the_parse_error(specialist: User) -> None:
    response = api_as(specialist).post(CONTACTS, '{"client": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


# --- Size ---------------------------------------------------------------------------------------


def test_a_json_body_over_the_upload_limit_is_refused_with_413(
    specialist: User, client_: Client, settings: Settings
) -> None:
    note = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = api_as(specialist).post(
        CONTACTS, contact_body(client_, note), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    }
    assert not Contact.objects.exists()


def test_the_limit_is_the_upload_setting(
    specialist: User, client_: Client, settings: Settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    http = api_as(specialist)

    small = http.post(CONTACTS, contact_body(client_, "x" * 500), content_type="application/json")
    large = http.post(CONTACTS, contact_body(client_, "x" * 1_000), content_type="application/json")

    assert (small.status_code, large.status_code) == (201, 413)


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz"]
)
def test_a_form_body_over_the_upload_limit_is_refused_with_413(
    specialist: User, client_: Client, settings: Settings, content_type: str
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    response = api_as(specialist).post(CONTACTS, "note=" + "x" * 2_000, content_type=content_type)

    assert response.status_code == 413
    assert not Contact.objects.exists()


def test_a_form_of_too_many_fields_is_refused_with_400(
    specialist: User, client_: Client, settings: Settings
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5

    response = api_as(specialist).post(
        CONTACTS,
        "&".join(f"field{n}=x" for n in range(10)),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in response.json()["detail"]


def test_a_body_longer_than_its_declared_length_is_not_read_past_the_limit(
    settings: Settings,
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    request = SimpleNamespace(META={"CONTENT_LENGTH": "10"})
    stream = io.BytesIO(b'{"note": "' + b"x" * 500 + b'"}')

    with pytest.raises(RequestTooLarge):
        JSONParser().parse(stream, parser_context={"request": request})
    assert stream.tell() == 101


def test_json_that_is_not_text_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        JSONParser().parse(io.BytesIO(b'{"note": "\xff"}'), parser_context={})


def test_a_page_form_over_the_upload_limit_is_refused_with_400(
    login_as: object, specialist: User, client_: Client, settings: Settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    browser: HttpClient = login_as(specialist)  # type: ignore[operator]

    response = browser.post(
        reverse("clients:contact_quick", kwargs={"pk": client_.pk}),
        f"contacted_on={days_ago(1)}&minutes=30&purpose=job_search&note={'x' * 2_000}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert not Contact.objects.exists()
