"""Imports of a program's records from a spreadsheet, and the agency's ids of what they wrote.

An `ImportRun` is one uploaded file of one kind (clients, jobs, …) into one program. It moves
previewed → running → done (or failed); a file too large to check in the request starts
checking (the worker previews it) and then moves on the same way. The file's content is kept
with the run while it may still be written (to confirm, or to resume after a worker died) and
dropped once it is done; the errors, which quote the rows' values (client data), stay with the
run only, behind the same access rules as its pages, never in logs, task arguments or
addresses.

`ImportedRecord` maps the agency's own id of a row (`external_id`) to the record it became, so
the same file imported again after corrections updates or skips those rows instead of adding
them twice. The domain models carry no trace of the agency's ids.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from ips import access

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from ips.models import User

# A run whose worker has not recorded a batch for this long was interrupted (a killed worker):
# the sweep, or the next visit of its page, sends it again and it continues where it stopped.
STALE_AFTER = dt.timedelta(minutes=5)


class Kind(models.TextChoices):
    CLIENTS = "clients", "Clients (with their enrollment)"
    JOBS = "jobs", "Jobs"
    CONTACTS = "contacts", "Client contacts"
    EMPLOYERS = "employers", "Employers (with a person to contact)"
    EMPLOYER_CONTACTS = "employer_contacts", "Employer contacts"


class ImportRunQuerySet(models.QuerySet["ImportRun"]):
    def visible_to(self, user: User | AnonymousUser) -> ImportRunQuerySet:
        """Runs of the programs the user may see at all; what they may do with one is checked
        against `Capability.IMPORT_RECORDS` in its program (403 for the program's other roles,
        404 for everyone else)."""
        return self.filter(program_id__in=access.program_ids_for(user))

    def stale(self, now: dt.datetime) -> ImportRunQuerySet:
        """Being checked or written, with no batch recorded for longer than `STALE_AFTER`: the
        worker died."""
        return self.filter(status__in=IN_WORKER, heartbeat_at__lt=now - STALE_AFTER)


class ImportRun(models.Model):
    """One spreadsheet of one kind of record, previewed and then written into one program."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file: nothing written yet"
        PREVIEWED = "previewed", "Previewed: nothing written yet"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    program = models.ForeignKey("ips.Program", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    # Asked to import at once (the API's `commit=true`) a file too large to check in the
    # request: confirmed, for whoever uploaded it, as soon as the worker has checked it.
    commit_when_checked = models.BooleanField(default=False)
    file_name = models.CharField(max_length=255)
    # The upload itself, while it may still be written; emptied once the run is done.
    content = models.BinaryField(null=True, blank=True, editable=False)
    # How the file was read: `csv` or `xlsx`, and a CSV's text encoding.
    file_format = models.CharField(max_length=4)
    encoding = models.CharField(max_length=20, blank=True)
    date_order = models.CharField(max_length=3, default="mdy")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the last batch was written (or the run claimed): a running run silent for longer
    # than `STALE_AFTER` lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    # Data rows written (or found in error) so far, in file order: where a resumed run
    # continues. Moved forward in the transaction that writes each batch. While the worker
    # checks a file: the rows checked so far (the progress bar's), back to 0 once it is done.
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    # [{"row", "column", "message", "values"}], in row order; `values` is the original row.
    errors = models.JSONField(default=list, blank=True)
    # [[row, external_id, action]] for every valid row: what the preview lists; kept while the
    # run is written (the rows already checked), emptied once it is done.
    plan = models.JSONField(default=list, blank=True)
    # The earliest date the written rows carry (a referral, a job start): the outcome roll-ups
    # from its period on are recomputed once the run is done.
    earliest_on = models.DateField(null=True, blank=True)
    # Why the run failed, in words that never quote client data.
    failure = models.CharField(max_length=300, blank=True)
    # The audit event of the confirmed import: the clients each batch touched are added to it.
    audit_event = models.ForeignKey(
        "ips.AuditEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"Import of {self.get_kind_display().lower()} from {self.file_name}"

    @property
    def is_stale(self) -> bool:
        since = timezone.now() - STALE_AFTER
        return self.status in IN_WORKER and (self.heartbeat_at is None or self.heartbeat_at < since)

    @property
    def progress(self) -> int:
        """Per cent of the rows checked (while checking) or written so far."""
        if not self.rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.rows_done / self.rows))

    @property
    def error_count(self) -> int:
        return len(self.errors)


# The states in which a worker has the run in hand (and may die with it).
IN_WORKER = (ImportRun.Status.CHECKING, ImportRun.Status.RUNNING)


class ImportedRecord(models.Model):
    """The record that a row with the agency's id `external_id` became, per program and kind.

    `kind` is the import's kind, or a part of one (`episodes`: the enrollment written with a
    client; `employer_people`: the person written with an employer). `digest` is a hash of the
    row as last written, so a row imported again unchanged is skipped.
    """

    program = models.ForeignKey("ips.Program", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    external_id = models.CharField(max_length=100)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    digest = models.CharField(max_length=64, blank=True)
    run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "external_id"], name="imported_record_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} → #{self.object_id}"
