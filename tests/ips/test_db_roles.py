"""Least privilege: the application's database role reads and adds to the audit trail and can
do nothing else to it; the application refuses to flush or delete audit rows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from pytest_django.fixtures import Settings

from clients.models import Client
from ips.db_roles import AUDIT_TABLES, app_role_for, grant_after_migrate, grant_app_privileges
from ips.models import AuditEvent, Program, User
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db

ROLE = f"ips_app_test_{os.getpid()}"


@pytest.fixture
def app_role() -> str:
    """A role like production's application role, granted as after a migration (created inside
    the test's transaction, so it is gone afterwards)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
    grant_app_privileges(connection, ROLE)
    return ROLE


@contextmanager
def as_role(role: str) -> Iterator[None]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        yield


def run_as(role: str, statement: str) -> None:
    with as_role(role), connection.cursor() as cursor:
        cursor.execute(statement)


@pytest.mark.parametrize("table", AUDIT_TABLES)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET id = id",
        "DELETE FROM {table}",
        "TRUNCATE {table}",
        "ALTER TABLE {table} DISABLE TRIGGER ALL",
        "DROP TABLE {table}",
    ],
)
def test_the_application_role_cannot_change_or_remove_audit_rows(
    app_role: str, table: str, statement: str
) -> None:
    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
        run_as(app_role, statement.format(table=table))


def test_the_application_role_cannot_switch_the_triggers_off(app_role: str) -> None:
    with pytest.raises(DatabaseError, match="permission denied"):
        run_as(app_role, "SET session_replication_role = replica")


def test_the_application_role_reads_and_adds_audit_rows_and_does_its_work(
    app_role: str, specialist: User, program: Program
) -> None:
    client = ClientFactory(program=program, specialist=specialist)

    with as_role(app_role):
        AuditEvent.objects.create(
            actor=specialist,
            action=AuditEvent.Action.VIEW,
            agency_id=program.agency_id,
            content_type_id=1,
            object_id=str(client.pk),
        )
        count = AuditEvent.objects.count()
        Client.objects.filter(pk=client.pk).update(phone="555-0100")

    assert count == 1
    assert Client.objects.get(pk=client.pk).phone == "555-0100"


# The default connection keeps its own settings; only the comparison reads the overridden ones.
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_migrations_grant_only_when_the_application_runs_as_another_role(
    settings: Settings,
) -> None:
    assert app_role_for(connection) is None  # one role does everything (development, tests)

    settings.DATABASES = {
        **settings.DATABASES,
        "default": {**settings.DATABASES["default"], "USER": "ips_app"},
    }

    assert app_role_for(connection) == "ips_app"


# The default connection keeps its own settings; only the comparison reads the overridden ones.
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_post_migrate_grants_the_application_role(settings: Settings, app_role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app_role}")
    settings.DATABASES = {
        **settings.DATABASES,
        "default": {**settings.DATABASES["default"], "USER": app_role},
    }

    grant_after_migrate(sender=None, using="default")

    with as_role(app_role):
        assert Program.objects.count() >= 0  # may read the tables again


def test_auditlogflush_refuses() -> None:
    with pytest.raises(CommandError, match="append-only"):
        call_command("auditlogflush", "--yes", "--truncate")


def test_deleting_change_history_through_the_orm_is_refused(program: Program) -> None:
    program.name = "Renamed"
    program.save()
    assert LogEntry.objects.exists()

    with pytest.raises(ValidationError, match="append-only"), transaction.atomic():
        LogEntry.objects.all().delete()
    with pytest.raises(ValidationError, match="append-only"), transaction.atomic():
        LogEntry.objects.first().delete()
    assert LogEntry.objects.exists()
