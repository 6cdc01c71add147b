"""Make the audit tables append-only in PostgreSQL: UPDATE and DELETE raise an error.

TRUNCATE stays possible for operators (and for test-database resets); the application never issues
it. On SQLite (the development fallback) the models' own guards are the only protection.
"""

from django.db import migrations

TABLES = ["ips_auditevent", "auditlog_logentry"]

FUNCTION = """
CREATE OR REPLACE FUNCTION ips_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ips_refuse_audit_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS ips_refuse_audit_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("ips", "0001_initial"),
        ("auditlog", "__latest__"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
