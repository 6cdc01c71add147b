"""A review's report PDF becomes a row of its own (`ReviewReport`), made through the stored-PDF
pipeline; the report files already stored are carried over as done reports, then the review's
`report` field goes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def carry_over_reports(apps, schema_editor):
    """Every stored report file becomes a done report of its review (asked for by whoever signed
    the review off, when it was signed off)."""
    db = schema_editor.connection.alias  # the migrating role's connection
    Review = apps.get_model("fidelity", "Review")
    ReviewReport = apps.get_model("fidelity", "ReviewReport")
    now = timezone.now()
    reviews = Review.objects.db_manager(db).exclude(report="").only("pk", "report", "finalised_at", "finalised_by")
    ReviewReport.objects.db_manager(db).bulk_create(
        ReviewReport(
            review_id=review.pk,
            status="done",
            file=review.report.name,
            requested_by_id=review.finalised_by_id,
            requested_at=review.finalised_at or now,
            finished_at=review.finalised_at or now,
        )
        for review in reviews.iterator()
    )


def restore_report_fields(apps, schema_editor):
    """Back: each review's field names its report's stored file again."""
    db = schema_editor.connection.alias  # the migrating role's connection
    Review = apps.get_model("fidelity", "Review")
    ReviewReport = apps.get_model("fidelity", "ReviewReport")
    for report in ReviewReport.objects.db_manager(db).exclude(file="").iterator():
        Review.objects.db_manager(db).filter(pk=report.review_id).update(report=report.file.name)


class Migration(migrations.Migration):
    dependencies = [
        ("fidelity", "0002_scale_2008"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewReport",
            fields=[
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Queued"),
                            ("running", "Being generated"),
                            ("done", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=7,
                    ),
                ),
                ("requested_at", models.DateTimeField()),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("error", models.CharField(blank=True, max_length=200)),
                (
                    "review",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="stored_report",
                        serialize=False,
                        to="fidelity.review",
                    ),
                ),
                ("file", models.FileField(blank=True, upload_to="fidelity/reports/")),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.RunPython(carry_over_reports, restore_report_fields),
        migrations.RemoveField(
            model_name="review",
            name="report",
        ),
    ]
