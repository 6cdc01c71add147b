"""The OpenAPI schema documents what the API answers: its error answers on every operation, the
strictness of its inputs, and bodies that match what the views send."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from tests.api_world import RESOURCE_BY_NAME, World, iso
from tests.api_world import world as world  # the fixture
from tests.clients.factories import api_as, days_ago

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@cache
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _nullable(value: Any) -> Any:
    """OpenAPI 3.0's `nullable` as JSON Schema: the type or null."""
    if isinstance(value, list):
        return [_nullable(v) for v in value]
    if not isinstance(value, dict):
        return value
    converted = {k: _nullable(v) for k, v in value.items() if k != "nullable"}
    if value.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def assert_conforms(path: str, method: str, status: int, body: Any) -> None:
    """`body` is valid against the schema of the answer `status` of the operation."""
    answer = schema()["paths"][path][method]["responses"][str(status)]
    body_schema = answer["content"]["application/json"]["schema"]
    document = _nullable({**body_schema, "components": schema()["components"]})
    jsonschema.validate(body, document)


# --- Every operation documents its error answers ------------------------------------------------


def test_every_operation_documents_403_and_the_writes_their_errors() -> None:
    missing = []
    for path, method, operation in operations():
        expected = {"403"}
        if operation.get("requestBody"):
            expected |= {"400", "413"}
        if method in {"put", "patch"}:
            expected |= {"409"}
        if "{" in path:
            expected |= {"404"}
        absent = expected - set(operation["responses"])
        if absent:
            missing.append((method, path, sorted(absent)))

    assert missing == []
    assert len(operations()) > 50


def test_every_object_a_write_takes_refuses_other_properties() -> None:
    components = schema()["components"]["schemas"]

    for name in ("JobCreate", "PatchedJobUpdate", "ArchiveInput", "DiscussedInput"):
        assert components[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in components["Job"]


def test_request_dates_say_their_range_and_a_date_of_birth_its_own() -> None:
    components = schema()["components"]["schemas"]

    assert "2000-01-01" in components["ContactCreate"]["properties"]["contacted_on"]["description"]
    assert "120 years" in components["ClientCreate"]["properties"]["birth_date"]["description"]


def test_the_report_pdf_is_documented_as_a_pdf_and_its_progress_as_json() -> None:
    responses = schema()["paths"]["/api/v1/programs/{id}/reports/{period}.pdf"]["get"]["responses"]

    assert list(responses["200"]["content"]) == ["application/pdf"]
    assert list(responses["202"]["content"]) == ["application/json"]
    assert set(responses["202"]["headers"]) == {"Location", "Retry-After"}


# --- Answers match their documented schemas -----------------------------------------------------


def test_a_400_for_unknown_and_bad_fields_matches_its_schema(world: World) -> None:
    response = api_as(world.specialist).post(
        reverse("api:job-list"),
        {**RESOURCE_BY_NAME["job"].create(world), "hours_per_week": "999", "titel": "x"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert_conforms("/api/v1/jobs/", "post", 400, response.json())


def test_a_400_for_a_nested_row_matches_its_schema(world: World) -> None:
    response = api_as(world.specialist).post(
        reverse("api:team-meeting-list"),
        {"team": world.team.pk, "held_on": iso(days_ago(1)), "discussed": [{"client": 0}]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert_conforms("/api/v1/team-meetings/", "post", 400, response.json())


def test_a_409_matches_its_schema(world: World) -> None:
    response = api_as(world.specialist).patch(
        reverse("api:job-detail", kwargs={"pk": world.job.pk}),
        {"version": 99, "title": "Baker"},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert_conforms("/api/v1/jobs/{id}/", "patch", 409, response.json())


def test_a_stale_program_update_is_a_documented_409(world: World) -> None:
    response = api_as(world.admin).patch(
        reverse("api:program-detail", kwargs={"pk": world.program.pk}),
        {"version": 99, "name": "Harbor East"},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert_conforms("/api/v1/programs/{id}/", "patch", 409, response.json())


def test_a_201_with_possible_duplicates_matches_its_schema(world: World) -> None:
    response = api_as(world.specialist).post(
        reverse("api:employer-list"),
        {"program": world.program.pk, "name": "Harbourside Bakery Ltd"},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["possible_duplicates"] == [
        {"id": world.employer.pk, "name": "Harbourside Bakery"}
    ]
    assert_conforms("/api/v1/employers/", "post", 201, response.json())


def test_a_413_and_a_403_and_a_404_match_their_schemas(
    world: World, director: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    http = api_as(world.specialist)
    detail = reverse("api:job-detail", kwargs={"pk": world.job.pk})

    too_large = http.post(
        reverse("api:job-list"), {"title": "x" * 200}, content_type="application/json"
    )
    refused = api_as(director).patch(detail, {"version": 1}, content_type="application/json")
    missing = http.get(reverse("api:job-detail", kwargs={"pk": world.job.pk + 1000}))

    assert (too_large.status_code, refused.status_code, missing.status_code) == (413, 403, 404)
    assert_conforms("/api/v1/jobs/", "post", 413, too_large.json())
    assert_conforms("/api/v1/jobs/{id}/", "patch", 403, refused.json())
    assert_conforms("/api/v1/jobs/{id}/", "get", 404, missing.json())


def test_the_202_progress_matches_its_schema(
    world: World, director: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("api:program-report", kwargs={"pk": world.program.pk, "period": "2025-Q1"})

    with django_capture_on_commit_callbacks(execute=False):
        response = api_as(director).get(url, headers={"Accept": "application/pdf"})

    assert response.status_code == 202
    assert_conforms("/api/v1/programs/{id}/reports/{period}.pdf", "get", 202, response.json())


def test_the_served_schema_is_generated_once_and_is_the_generators(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/api/v1/schema/` is generated once by the process (it describes code, which does not
    change while the process runs) and is what the generator makes."""
    from config.api import SchemaView

    expected_paths = schema()["paths"].keys()
    monkeypatch.setattr(SchemaView, "_generated", {})
    generated = []
    real = SchemaGenerator.get_schema

    def counted(self: SchemaGenerator, *args: Any, **kwargs: Any) -> dict[str, Any]:
        generated.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    client = api_as(world.specialist)
    url = reverse("api:schema")

    first = client.get(url, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    second = client.get(url, HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["paths"].keys() == expected_paths
    assert len(generated) == 1
