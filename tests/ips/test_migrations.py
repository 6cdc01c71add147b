"""Migration 0007: DRF's plain-text keys become digests that keep working until they expire, and
the plain-text table is gone."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from ips.models import ApiToken, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("ips", "0006_apitoken")]
# Keys as DRF made them (`secrets.token_hex(20)`).
OLD_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
OLD_KEY_OF_A_DEACTIVATED_ACCOUNT = "401f7ac837da42b97f613d789819ff93537bee6a"
ISSUED = dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)


def _migrate(targets: list[tuple[str, str]]) -> None:
    MigrationExecutor(connection).migrate(targets)


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


@pytest.fixture
def drf_tokens(specialist: User) -> Iterator[User]:
    """The database as the previous release left it: DRF's `authtoken_token` with a key of the
    specialist's and one of a deactivated account, and DRF's migrations recorded as applied."""
    gone = UserFactory(username="gone", is_active=False)
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
                "created timestamp with time zone NOT NULL, "
                "user_id bigint NOT NULL UNIQUE REFERENCES ips_user (id))"
            )
            cursor.executemany(
                "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
                [
                    (OLD_KEY, ISSUED, specialist.pk),
                    (OLD_KEY_OF_A_DEACTIVATED_ACCOUNT, ISSUED, gone.pk),
                ],
            )
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES "
                "('authtoken', '0001_initial', now()), "
                "('authtoken', '0004_alter_tokenproxy_options', now())"
            )
        yield specialist
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS authtoken_token")
            cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_old_keys_become_digests_that_expire_and_the_plain_text_is_gone(
    drf_tokens: User, settings: Settings
) -> None:
    """One migration run (going back and forth through the whole graph takes seconds), every
    consequence of it checked."""
    settings.API_TOKEN_DAYS = 90
    before = timezone.now()

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # An active account's old key keeps working until API_TOKEN_DAYS after the migration.
    response = Client(headers={"Authorization": f"Token {OLD_KEY}"}).get(reverse("api:me"))
    assert response.status_code == 200
    assert response.json()["username"] == drf_tokens.username
    token = ApiToken.objects.get()
    assert token.user == drf_tokens
    assert token.digest == ApiToken.digest_of(OLD_KEY)
    assert token.created_at == ISSUED
    assert before + dt.timedelta(days=90) <= token.expires_at
    assert token.expires_at <= timezone.now() + dt.timedelta(days=90)
    # The key of a deactivated account is not carried over.
    client = Client(headers={"Authorization": f"Token {OLD_KEY_OF_A_DEACTIVATED_ACCOUNT}"})
    assert client.get(reverse("api:me")).status_code == 403
    assert not ApiToken.objects.filter(user__username="gone").exists()
    # The plain-text keys are gone, with DRF's table and its migration records.
    assert "authtoken_token" not in _tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT * FROM ips_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert OLD_KEY not in stored
    assert OLD_KEY_OF_A_DEACTIVATED_ACCOUNT not in stored


@pytest.mark.django_db
def test_without_drfs_table_the_migration_does_nothing(specialist: User) -> None:
    """The migration's operation run directly against today's schema, which has no DRF table."""
    migration = importlib.import_module("ips.migrations.0007_hash_drf_tokens")
    assert "authtoken_token" not in _tables()

    with connection.schema_editor() as editor:
        migration.hash_drf_tokens(django_apps, editor)

    assert not ApiToken.objects.exists()
