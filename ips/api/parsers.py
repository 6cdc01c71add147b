"""The API's parsers: DRF's own, with limits on what a request body may be.

Size: no body over `DATA_UPLOAD_MAX_MEMORY_SIZE` is read. DRF 3.18 reads JSON and form bodies
through `request.body`, where Django enforces the limit (`RequestDataTooBig`, which the API's
exception handler answers with 413); these parsers also refuse a body whose Content-Length is
over it and never read a stream past it, so the limit holds however the body reaches them.

Depth: JSON is nested at most `MAX_JSON_DEPTH` levels. No write of the API needs more than three;
a deeper document is refused with 400 instead of exhausting the parser's recursion (a 500).
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.utils import json

# Objects and arrays inside each other, the outermost counting as one.
MAX_JSON_DEPTH = 20


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self) -> None:
        super().__init__(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )


def max_body_size() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _check_declared_size(parser_context: dict[str, Any] | None) -> None:
    """413 before reading a body whose Content-Length is over the limit."""
    limit = max_body_size()
    request = (parser_context or {}).get("request")
    if limit is None or request is None:
        return
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise RequestTooLarge


def read_body(stream: IO[bytes], parser_context: dict[str, Any] | None) -> bytes:
    """The whole body, at most the limit (413 past it, whatever Content-Length said)."""
    _check_declared_size(parser_context)
    limit = max_body_size()
    body = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(body) > limit:
        raise RequestTooLarge
    return body


def json_depth(document: Any) -> int:
    """How deeply objects and arrays nest in `document` (a scalar is 0), without recursion."""
    deepest, pending = 0, [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        pending.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    """JSON of at most `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes (413), nested at most
    `MAX_JSON_DEPTH` levels (400)."""

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        encoding = parsers.get_encoding(parser_context or {})
        body = read_body(stream, parser_context)
        parse_constant = json.strict_constant if self.strict else None
        try:
            document = json.loads(body.decode(encoding), parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(_too_deep()) from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if json_depth(document) > MAX_JSON_DEPTH:
            raise ParseError(_too_deep())
        return document


def _too_deep() -> str:
    return f"JSON nested more than {MAX_JSON_DEPTH} levels deep is not accepted."


class FormParser(parsers.FormParser):
    """A form-encoded body of at most `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes (413)."""

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> QueryDict:
        encoding = parsers.get_encoding(parser_context or {})
        return QueryDict(read_body(stream, parser_context), encoding=encoding)


class MultiPartParser(parsers.MultiPartParser):
    """A multipart body declared at most `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes long (413); Django's
    parser holds its fields to the same limit as it reads them."""

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        _check_declared_size(parser_context)
        return super().parse(stream, media_type, parser_context)
