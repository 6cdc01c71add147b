"""Least privilege in PostgreSQL: what the application's role may do, granted by the owner.

The schema belongs to the role migrations run as (MIGRATE_DATABASE_URL). The web and the worker
connect as another role (DATABASE_URL) that owns nothing, so it can neither TRUNCATE nor ALTER a
table nor disable its triggers, and it may only INSERT and SELECT the audit trail: the
append-only triggers then hold against the application itself, not only against its ORM.

`grant_app_privileges` runs after every `migrate` (a `post_migrate` receiver), so tables added
by later migrations are covered too; granting again is harmless.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

# The audit trail: the application's role inserts and reads, never changes or removes.
AUDIT_TABLES = ("ips_auditevent", "ips_auditeventclient", "auditlog_logentry")


def app_role_for(connection: BaseDatabaseWrapper) -> str | None:
    """The application's role when `connection` (the migrating one) is another role on the same
    PostgreSQL database; None when one role does everything (development, tests, SQLite)."""
    if connection.vendor != "postgresql":
        return None
    app = settings.DATABASES["default"]
    own = connection.settings_dict
    if not app.get("USER") or app.get("USER") == own.get("USER"):
        return None
    if app.get("NAME") != own.get("NAME"):
        return None
    return str(app["USER"])


def grant_app_privileges(connection: BaseDatabaseWrapper, role: str) -> None:
    """Give `role` what the application needs in the public schema, and no more on the audit
    trail: INSERT and SELECT only. It never gets TRUNCATE, REFERENCES or TRIGGER, and owns no
    table (only an owner may ALTER one or disable its triggers)."""
    quoted = connection.ops.quote_name(role)
    audit = ", ".join(connection.ops.quote_name(table) for table in AUDIT_TABLES)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"REVOKE UPDATE, DELETE ON {audit} FROM {quoted}",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def grant_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """`post_migrate`: when migrations ran as the owner, grant the application's role."""
    connection = connections[using]
    role = app_role_for(connection)
    if role is not None:
        grant_app_privileges(connection, role)
