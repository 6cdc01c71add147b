"""The REST API under /api/v1/: one router, the same access rules as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ips.api.parsers import RequestTooLarge
from ips.versioning import StaleVersionError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a stale version is 409 Conflict; a service's ValidationError is 400;
    a body over `DATA_UPLOAD_MAX_MEMORY_SIZE` is 413 and a form of too many fields 400, in JSON
    like every other error of the API (Django alone would answer them with its HTML page)."""
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = ParseError(str(exc))
    if isinstance(exc, StaleVersionError):
        return Response(
            {"detail": str(exc), "current_version": exc.current.version},  # type: ignore[attr-defined]
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
