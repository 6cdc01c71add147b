"""The API keys issued before keys were stored hashed (DRF's `authtoken_token`, keys in plain
text, no expiry) become `ApiToken` rows holding each key's digest, expiring API_TOKEN_DAYS after
this migration runs, so that integrators' keys keep working until then; then the plain-text table
is dropped. `rest_framework.authtoken` is no longer installed: its rows in `django_migrations` go
too, so that installing it again would create an empty table rather than expect this one.

Keys of deactivated accounts are not carried over (they could not authenticate). Going back
cannot restore a key from its digest: it leaves the tokens behind.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

DRF_TABLE = "authtoken_token"
NAME = "Key issued before keys were stored hashed"


def hash_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if DRF_TABLE not in connection.introspection.table_names(cursor):
            return
        cursor.execute(
            f"SELECT t.key, t.user_id, t.created FROM {DRF_TABLE} t "  # noqa: S608
            "JOIN ips_user u ON u.id = t.user_id WHERE u.is_active"
        )
        rows = cursor.fetchall()
    ApiToken = apps.get_model("ips", "ApiToken")
    expires_at = timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name=NAME,
            digest=hashlib.sha256(key.encode()).hexdigest(),
            created_at=created,
            expires_at=expires_at,
        )
        for key, user_id, created in rows
    )
    schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(DRF_TABLE)}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [
        ("ips", "0006_apitoken"),
    ]

    operations = [
        migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop, elidable=False),
    ]
