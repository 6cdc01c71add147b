"""One assignment spell per existing client: its current specialist (or none), since the start
of its record. The history before this migration is not known; from here on every
reassignment keeps it."""

from django.db import migrations


def backfill(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    SpecialistAssignment = apps.get_model("clients", "SpecialistAssignment")
    alias = schema_editor.connection.alias
    has_one = SpecialistAssignment.objects.using(alias).values("client_id")
    missing = Client.objects.using(alias).exclude(pk__in=has_one).values_list("pk", "specialist_id")
    SpecialistAssignment.objects.using(alias).bulk_create(
        [
            SpecialistAssignment(client_id=pk, specialist_id=specialist)
            for pk, specialist in missing.iterator(chunk_size=2000)
        ],
        batch_size=2000,
    )


def forget(apps, schema_editor):
    SpecialistAssignment = apps.get_model("clients", "SpecialistAssignment")
    SpecialistAssignment.objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("clients", "0007_specialist_assignment")]

    operations = [migrations.RunPython(backfill, forget)]
