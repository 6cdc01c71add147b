"""Idempotent creates: the same `Idempotency-Key` sent again gives the first answer, never a
second record.

A phone that logs a contact without signal keeps it in an outbox and sends it when the signal
returns; if the answer is lost on the way back it sends it again, with the same key. The first
create stores (caller, key, path, a fingerprint of the input, the record made) in the same
transaction as the record. A second request with that key:
- with the same input, answers with the record first made (the caller's scope still applies);
- with other input, is refused (422): a key names one request, not one client;
- sent while the first is still running, waits on the key's unique index and then answers as
  above (the first committed) or runs itself (the first rolled back).
A create that failed (bad input, refused) stored nothing, so sending it again runs it again.
Keys are kept `IDEMPOTENCY_KEY_HOURS` (24); `purge_expired` (beat, nightly) removes older ones,
and an older key found before that is treated as new.

The quick-log forms (a client's contact, an employer contact) use the same store: each form is
rendered with a fresh key in a hidden field (`FORM_FIELD`; the header is honoured too), so a tap
sent twice, or sent again after the answer was lost, logs one record and shows the first answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from ips.models import IdempotencyKey, User

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
# What a form sends beside its input: the token changes with every login, the key is the key.
_NOT_INPUT = frozenset({"csrfmiddlewaretoken", FORM_FIELD})
MAX_LENGTH = 255
INVALID = f"{HEADER} must be 1 to {MAX_LENGTH} printable ASCII characters."
REUSED = f"This {HEADER} was used for a different request; use a new key for a new record."


class KeyRefused(Exception):
    """The key is malformed, or names another request; `message` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def key_of(headers: Any) -> str | None:
    """The request's key, None without one; `KeyRefused` for a malformed one."""
    key = headers.get(HEADER)
    if key is None:
        return None
    return checked(key)


def checked(key: str) -> str:
    """`key` if it is 1 to MAX_LENGTH printable ASCII characters; `KeyRefused` otherwise."""
    if not (0 < len(key) <= MAX_LENGTH) or not all(" " <= ch <= "~" for ch in key):
        raise KeyRefused(INVALID)
    return key


def form_key(request: HttpRequest) -> str | None:
    """The key a quick-log form carries (its hidden field, else the header), None without one;
    `KeyRefused` for a malformed one."""
    key = request.POST.get(FORM_FIELD) or request.headers.get(HEADER)
    return checked(key) if key else None


def form_create(*, request: HttpRequest, create: Callable[[], Model]) -> tuple[Model | int, bool]:
    """`create_once` for a form post: keyed by the form's key (a plain create without one), the
    input being the posted fields but the CSRF token and the key itself."""
    key = form_key(request)
    if key is None:
        return create(), False
    data = {name: values for name, values in request.POST.lists() if name not in _NOT_INPUT}
    return create_once(
        user=request.user,  # type: ignore[arg-type]
        key=key,
        path=request.path,
        digest=fingerprint(request.path, data),
        create=create,
    )


def fingerprint(path: str, data: Any) -> str:
    """A SHA-256 of the path and the input as sent (keys in order), so that a key sent again with
    other input is told apart."""
    if hasattr(data, "lists"):  # a QueryDict: every value of every key
        data = dict(data.lists())
    text = json.dumps([path, data], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def prior(user: User, key: str, path: str, digest: str) -> int | None:
    """The id of the record a live key made, None when the key is new (or expired, which frees it);
    `KeyRefused` when the key was used for other input or another path."""
    row = IdempotencyKey.objects.filter(user=user, key=key).first()
    if row is None:
        return None
    if row.created_at < _window_start():
        row.delete()
        return None
    if row.path != path or row.fingerprint != digest:
        raise KeyRefused(REUSED)
    return row.object_id


def create_once(
    *, user: User, key: str, path: str, digest: str, create: Callable[[], Model]
) -> tuple[Model | int, bool]:
    """Run `create` under the key: (the record made, False), or, when the key already made one,
    (that record's id, True)."""
    found = prior(user, key, path, digest)
    if found is not None:
        return found, True
    try:
        with transaction.atomic():
            instance = create()
            IdempotencyKey.objects.create(
                user=user,
                key=key,
                path=path,
                fingerprint=digest,
                content_type=ContentType.objects.get_for_model(instance),
                object_id=instance.pk,
            )
    except IntegrityError:
        # Another request with this key committed first (the insert waited for it).
        found = prior(user, key, path, digest)
        if found is None:
            raise
        return found, True
    return instance, False


def purge_expired() -> int:
    """Remove the keys older than the window; how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=_window_start()).delete()
    return deleted
