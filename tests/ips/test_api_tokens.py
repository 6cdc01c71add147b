"""API tokens (`ips.models.ApiToken`): stored as digests, expiring, and revoked by every path that
changes a password or deactivates an account; issued by operators with `drf_create_token`."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from ips.models import ApiToken, User
from ips.services import api_token_create, api_token_revoke, user_password_reset
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-different-long-passphrase-42"


def with_key(key: str) -> Client:
    return Client(headers={"Authorization": f"Token {key}"})


def me(key: str) -> tuple[int, dict[str, object]]:
    response = with_key(key).get(reverse("api:me"))
    return response.status_code, response.json()


# --- Authenticating -----------------------------------------------------------------------------


def test_token_authenticates_as_its_user(specialist: User) -> None:
    _, key = api_token_create(user=specialist, name="Payroll export")

    status, body = me(key)

    assert status == 200
    assert body["username"] == specialist.username


def test_the_authorization_keyword_is_token_and_nothing_else(specialist: User) -> None:
    _, key = api_token_create(user=specialist, name="Payroll export")

    response = Client(headers={"Authorization": f"Bearer {key}"}).get(reverse("api:me"))

    assert response.status_code == 403
    assert "credentials were not provided" in response.json()["detail"]


def test_unknown_key_is_refused(specialist: User) -> None:
    api_token_create(user=specialist, name="Payroll export")

    status, body = me("0" * 64)

    assert status == 403
    assert body["detail"] == "Invalid token."


def test_expired_token_is_refused(specialist: User) -> None:
    token, key = api_token_create(user=specialist, name="Payroll export", days=1)

    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1)):
        status, body = me(key)

    assert status == 403
    assert body["detail"] == "Token expired."


def test_token_works_until_the_moment_it_expires(specialist: User) -> None:
    token, key = api_token_create(user=specialist, name="Payroll export", days=1)

    with time_machine.travel(token.expires_at - dt.timedelta(seconds=1)):
        status, _ = me(key)

    assert status == 200


def test_token_of_an_account_deactivated_behind_the_models_back_is_refused(
    specialist: User,
) -> None:
    _, key = api_token_create(user=specialist, name="Payroll export")
    User.objects.filter(pk=specialist.pk).update(is_active=False)  # no save(): the row stays

    status, body = me(key)

    assert status == 403
    assert body["detail"] == "User inactive or deleted."


def test_last_use_is_recorded_at_most_once_a_minute(specialist: User) -> None:
    token, key = api_token_create(user=specialist, name="Payroll export")
    assert token.last_used_at is None
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        me(key)
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        me(key)
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        me(key)
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(minutes=2)


# --- What is stored -----------------------------------------------------------------------------


def _stored_row(token: ApiToken) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM ips_apitoken WHERE id = %s", [token.pk])
        return [str(value) for value in cursor.fetchone()]


def test_the_stored_row_holds_no_part_of_the_key(specialist: User) -> None:
    token, key = api_token_create(user=specialist, name="Payroll export")

    row = _stored_row(token)

    assert len(key) == 64
    for value in row:
        assert key not in value
        # Not a recognisable part of it either (a "prefix" column, say).
        assert not any(key[i : i + 16] in value for i in range(0, 64 - 16 + 1))
    assert ApiToken.digest_of(key) in row


def test_the_change_history_records_issue_and_revocation_without_the_secret(
    specialist: User,
) -> None:
    token, key = api_token_create(user=specialist, name="Payroll export")
    pk, digest = token.pk, token.digest
    api_token_revoke(token=token)

    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ApiToken), object_pk=str(pk)
    )

    assert [entry.get_action_display() for entry in entries.order_by("timestamp")] == [
        "create",
        "delete",
    ]
    for entry in entries:
        stored = " ".join(
            str(value)
            for value in (
                entry.changes,
                entry.object_repr,
                entry.additional_data,
                entry.serialized_data,
            )
        )
        assert key not in stored
        assert digest not in stored
        assert entry.additional_data == {"user_id": specialist.pk}
        assert "Payroll export" in stored


def test_a_token_lives_api_token_days_by_default(specialist: User, settings: Settings) -> None:
    settings.API_TOKEN_DAYS = 30
    before = timezone.now()

    token, _ = api_token_create(user=specialist, name="Payroll export")

    assert before + dt.timedelta(days=30) <= token.expires_at
    assert token.expires_at <= timezone.now() + dt.timedelta(days=30)


@pytest.mark.parametrize("days", [0, 91])
def test_a_token_lives_one_to_api_token_days(specialist: User, days: int) -> None:
    with pytest.raises(ValidationError):
        api_token_create(user=specialist, name="Payroll export", days=days)

    assert not ApiToken.objects.exists()


def test_a_deactivated_account_is_given_no_token(specialist: User) -> None:
    specialist.is_active = False
    specialist.save()

    with pytest.raises(ValidationError):
        api_token_create(user=specialist, name="Payroll export")


# --- Revocation: every path that changes a password or deactivates ----------------------------


@pytest.fixture
def keys(specialist: User, other_specialist: User) -> dict[str, str]:
    """Two tokens of the specialist, and one of a colleague that must survive."""
    return {
        "first": api_token_create(user=specialist, name="Payroll export")[1],
        "second": api_token_create(user=specialist, name="Calendar sync")[1],
        "colleague": api_token_create(user=other_specialist, name="Own script")[1],
    }


def _assert_specialists_tokens_dead(keys: dict[str, str], specialist: User) -> None:
    assert me(keys["first"])[0] == 403
    assert me(keys["second"])[0] == 403
    assert not ApiToken.objects.filter(user=specialist).exists()
    assert me(keys["colleague"])[0] == 200


def test_own_password_change_revokes_the_users_tokens(
    keys: dict[str, str], specialist: User, login_as: Callable[[User], Client]
) -> None:
    response = login_as(specialist).post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    _assert_specialists_tokens_dead(keys, specialist)


def test_a_refused_password_change_keeps_the_tokens(
    keys: dict[str, str], specialist: User, login_as: Callable[[User], Client]
) -> None:
    login_as(specialist).post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert me(keys["first"])[0] == 200


def test_an_admins_password_reset_revokes_the_users_tokens(
    keys: dict[str, str], specialist: User, admin: User, login_as: Callable[[User], Client]
) -> None:
    response = login_as(admin).post(
        reverse("staff_password", kwargs={"pk": specialist.pk}),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    _assert_specialists_tokens_dead(keys, specialist)


def test_deactivation_revokes_the_users_tokens(
    keys: dict[str, str], specialist: User, admin: User, login_as: Callable[[User], Client]
) -> None:
    response = login_as(admin).post(
        reverse("staff_set_active", kwargs={"pk": specialist.pk}), {"active": "0"}
    )

    assert response.status_code == 302
    _assert_specialists_tokens_dead(keys, specialist)


def test_any_other_set_password_and_save_revokes_the_users_tokens(
    keys: dict[str, str], specialist: User
) -> None:
    # As `manage.py changepassword`, the Django admin and the password services do.
    specialist.set_password(NEW_PASSWORD)
    specialist.save()

    _assert_specialists_tokens_dead(keys, specialist)


def test_the_password_reset_service_revokes_the_users_tokens(
    keys: dict[str, str], specialist: User
) -> None:
    user_password_reset(user=specialist, password=NEW_PASSWORD)

    _assert_specialists_tokens_dead(keys, specialist)


def test_a_hash_upgrade_at_login_is_no_password_change(
    keys: dict[str, str], specialist: User, settings: Settings
) -> None:
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    User.objects.filter(pk=specialist.pk).update(
        password=make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
    )
    specialist.refresh_from_db()

    assert specialist.check_password(TEST_PASSWORD)  # re-hashed with MD5 and saved

    specialist.refresh_from_db()
    assert specialist.password.startswith("md5$")
    assert me(keys["first"])[0] == 200


def test_other_saves_of_an_active_account_keep_the_tokens(
    keys: dict[str, str], specialist: User
) -> None:
    specialist.first_name = "Samantha"
    specialist.save()

    assert me(keys["first"])[0] == 200


def test_revocations_by_password_change_are_in_the_change_history(
    keys: dict[str, str], specialist: User
) -> None:
    specialist.set_password(NEW_PASSWORD)
    specialist.save()

    deletions = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ApiToken),
        action=LogEntry.Action.DELETE,
        additional_data__user_id=specialist.pk,
    )
    assert deletions.count() == 2


# --- drf_create_token ---------------------------------------------------------------------------

OUTPUT = re.compile(r"^Generated token ([0-9a-f]{64}) for user (\S+)\n$")


def create_token(*args: str) -> str:
    out = io.StringIO()
    call_command("drf_create_token", *args, stdout=out)
    return out.getvalue()


def test_drf_create_token_prints_a_working_key_once_in_drfs_words(specialist: User) -> None:
    output = create_token(specialist.username)

    match = OUTPUT.match(output)
    assert match is not None, output
    key, username = match.groups()
    assert username == specialist.username
    assert me(key)[0] == 200
    token = ApiToken.objects.get(user=specialist)
    assert token.digest == ApiToken.digest_of(key)
    assert token.name == "Issued by an operator"
    assert key not in _stored_row(token)


def test_drf_create_token_issues_a_token_expiring_after_api_token_days(
    specialist: User, settings: Settings
) -> None:
    settings.API_TOKEN_DAYS = 60

    create_token(specialist.username)

    token = ApiToken.objects.get(user=specialist)
    assert token.expires_at - token.created_at == dt.timedelta(days=60)


def test_drf_create_token_takes_fewer_days_and_a_name(specialist: User) -> None:
    create_token(specialist.username, "--days", "7", "--name", "Nightly export")

    token = ApiToken.objects.get(user=specialist)
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    assert token.name == "Nightly export"


def test_drf_create_token_issues_a_new_key_each_time_and_reset_revokes_the_others(
    specialist: User,
) -> None:
    first = OUTPUT.match(create_token(specialist.username)).group(1)  # type: ignore[union-attr]
    second = OUTPUT.match(create_token(specialist.username)).group(1)  # type: ignore[union-attr]
    assert first != second
    assert me(first)[0] == me(second)[0] == 200

    third = OUTPUT.match(create_token(specialist.username, "--reset")).group(1)  # type: ignore[union-attr]

    assert me(first)[0] == me(second)[0] == 403
    assert me(third)[0] == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "user nobody does not exist"),
        (["sam.specialist", "--days", "91"], "from 1 to 90 days"),
        (["sam.specialist", "--days", "0"], "from 1 to 90 days"),
    ],
)
def test_drf_create_token_refuses(specialist: User, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        create_token(*args)

    assert not ApiToken.objects.exists()


def test_drf_create_token_refuses_a_deactivated_account(specialist: User) -> None:
    specialist.is_active = False
    specialist.save()

    with pytest.raises(CommandError, match="deactivated"):
        create_token(specialist.username)
