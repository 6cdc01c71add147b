"""The error answers of the API, documented on every operation of the OpenAPI schema.

drf-spectacular documents what a view answers when all goes well; this postprocessing hook adds
what every view of this API answers otherwise, from the shape of the operation:

- 403 `{"detail": …}` on every operation: not logged in (session authentication comes first,
  so there is no 401 challenge), or a role that may not do this;
- 404 `{"detail": …}` on a record's routes (a path with an id), on paginated lists (a page
  past the end) and on the numbers of a program (`?program=ID` of another agency);
- 400 with the field errors on every operation that takes a body or query parameters;
- 409 with the version now saved (`StaleVersion`) on every PUT and PATCH;
- 413 `{"detail": …}` on every operation that takes a body;
- 422 (a key reused for other input) and 404 (the record a key made is gone) on every create
  that takes an `Idempotency-Key` header.

It also marks every object a request body takes (and the objects nested in it) with
`additionalProperties: false`: the API refuses keys it does not take (`InputSerializer`).
Answers a view documents itself are left as they are.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

METHODS = {"get", "post", "put", "patch", "delete"}
REF = "#/components/schemas/"

VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "What is wrong with the input, nothing having changed. Each key names a field with its "
        "messages, or the input as a whole (`non_field_errors`, `__all__`, `detail`). A key the "
        'write does not take is named with "Unknown field.", or, for a field the resource only '
        'shows, "This field is read-only here; leave it out."; the rows of a list are keyed by '
        "their index."
    ),
    "additionalProperties": {},
    "example": {
        "ended_on_typo": ["Unknown field."],
        "hours_per_week": ["Hours per week cannot be more than 80."],
    },
}
ERROR_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
STALE_VERSION = {
    "type": "object",
    "description": "The 409 answer to a write carrying a stale version; nothing was changed.",
    "properties": {"detail": {"type": "string"}, "current_version": {"type": "integer"}},
    "required": ["current_version", "detail"],
}


def _answer(component: str, description: str) -> dict[str, Any]:
    return {
        "content": {"application/json": {"schema": {"$ref": REF + component}}},
        "description": description,
    }


def document_errors(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    schemas.setdefault("ErrorDetail", ERROR_DETAIL)
    schemas.setdefault("StaleVersion", STALE_VERSION)
    request_objects: set[str] = set()
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            _document(path, method, operation)
            body = operation.get("requestBody")
            if body:
                request_objects |= _refs(body)
    for name in _reachable(request_objects, schemas):
        if schemas[name].get("type") == "object":
            schemas[name]["additionalProperties"] = False
    return result


def _document(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    body = bool(operation.get("requestBody"))
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    add = responses.setdefault
    add("403", _answer("ErrorDetail", "Not logged in, or a role that may not do this."))
    if "{" in path:
        add("404", _answer("ErrorDetail", "No such record among those the caller may see."))
    elif "page" in query:
        add("404", _answer("ErrorDetail", "No such page."))
    elif "program" in query:
        add("404", _answer("ErrorDetail", "No such program among those the caller may see."))
    if body or query - {"page"}:
        add("400", _answer("ValidationError", "Bad input; nothing was changed."))
    if method in {"put", "patch"}:
        add("409", _answer("StaleVersion", "A stale version; nothing was changed."))
    if body:
        add("413", _answer("ErrorDetail", f"A request body over {limit} bytes."))
    headers = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "header"}
    if "Idempotency-Key" in headers:
        add("404", _answer("ErrorDetail", "The record this key made is no longer there."))
        add("422", _answer("ValidationError", "This key was used for another request."))


def _refs(schema: Any) -> set[str]:
    """The components `schema` names, directly."""
    found: set[str] = set()
    pending = [schema]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF):
                found.add(ref.removeprefix(REF))
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return found


def _reachable(names: set[str], schemas: dict[str, Any]) -> set[str]:
    """`names` and every component they name, however deeply."""
    seen: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        pending.extend(_refs(schemas[name]))
    return seen
