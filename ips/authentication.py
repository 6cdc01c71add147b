"""`Authorization: Token <key>`: the API's key authentication, against stored digests.

DRF's header parsing, with `ips.models.ApiToken` behind it: the key presented is hashed and its
digest looked up (one query, the user joined). An unknown key, an expired token and a
deactivated account are refused (403, as DRF answers every failed authentication here: session
authentication comes first, so no 401 challenge).

Not under `ips.api`: DRF imports the authentication classes while `rest_framework.views` loads,
and `ips.api` imports that module.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from ips.models import ApiToken, User

# `last_used_at` is written when it is older than this: a busy integration costs one UPDATE a
# minute, not one per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        try:
            token = ApiToken.objects.select_related("user").get(digest=ApiToken.digest_of(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("Token expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            # An UPDATE of the one column: no change-history entry for every use.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class UserBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions), with the session's user loaded by one plain
    statement: every request loads it, and building the ORM's query cost more than running it."""

    def get_user(self, user_id: Any) -> User | None:
        user = _user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def _user_by_id(user_id: Any) -> User | None:
    with connection.cursor() as cursor:
        cursor.execute(_user_sql(), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return User.from_db(connection.alias, [field.attname for field in _USER_FIELDS], row)


_USER_FIELDS = User._meta.concrete_fields


@functools.cache
def _user_sql() -> str:
    """The statement, written once (the database's quoting is known only once it is set up)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _USER_FIELDS)
    return (
        f"SELECT {columns} FROM {quote(User._meta.db_table)} "  # noqa: S608 (names only)
        f"WHERE {quote(User._meta.pk.column)} = %s"
    )
