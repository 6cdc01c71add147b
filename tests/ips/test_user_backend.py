"""The session's user, loaded by plain SQL (`ips.authentication.UserBackend`), is the user the
ORM loads, and an inactive or missing account is nobody."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.test import Client

from ips.authentication import UserBackend
from ips.models import User
from tests.factories import UserFactory
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db


def _fields(user: User) -> dict[str, object]:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_the_loaded_user_is_the_orm_user_field_by_field() -> None:
    made = UserFactory(first_name="Ana", must_enrol_two_factor=True)
    User.objects.filter(pk=made.pk).update(last_login="2026-11-02T09:30:00Z")

    loaded = UserBackend().get_user(made.pk)

    assert loaded is not None
    assert _fields(loaded) == _fields(User.objects.get(pk=made.pk))
    assert loaded._state.adding is False
    assert loaded._state.db == "default"


def test_an_inactive_or_missing_account_is_nobody() -> None:
    inactive = UserFactory(is_active=False)

    assert UserBackend().get_user(inactive.pk) is None
    assert UserBackend().get_user(inactive.pk + 1000) is None


def test_a_session_of_a_changed_password_is_ended(client: Client) -> None:
    user = UserFactory()
    client.force_login(user, backend=MODEL_BACKEND)
    request = type("Request", (), {"session": client.session})()
    assert get_user(request).pk == user.pk

    user.set_password("another long passphrase 2026")
    user.save()

    assert get_user(request).is_authenticated is False
