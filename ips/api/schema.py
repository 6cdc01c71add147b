"""The answers every operation may give besides its own, written into the OpenAPI schema.

Views document what they return on success (and 409 on a stale version). The errors below come
from the framework around them for any operation: a body or query that does not parse (400), no
or a bad credential (401/403), a record outside the caller's reach (404), a method or media type
the operation does not take (405, 406, 415), too large a body (413), too many requests (429).
Documenting them once, here, keeps the schema true to what clients receive; Schemathesis checks
that it is (`tests/api/test_fuzz.py`).
"""

from __future__ import annotations

from typing import Any

ERROR_BODY = {
    "type": "object",
    "description": "`detail` with a message, or each field's messages under the field's name.",
    "additionalProperties": True,
}

STANDARD_ERRORS = {
    "400": "The input does not parse or breaks a rule; nothing was changed.",
    "401": "No credentials or a bad token.",
    "403": "Not logged in, or the caller's role does not allow this.",
    "404": "No such record among those the caller may see.",
    "405": "The operation does not take this method.",
    "406": "No answer in the media type asked for.",
    "413": "The body is too large.",
    "415": "The body's media type is not JSON.",
    "429": "Too many requests: wait for `Retry-After` seconds.",
}


def add_standard_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents the standard errors it
    does not document itself."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, description in STANDARD_ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_BODY}},
                    },
                )
    return result
