"""Stored PDFs: made from HTML by WeasyPrint in a Celery task, kept in `MEDIA_ROOT`, downloaded
once ready. Outcome reports and fidelity review reports both go this one way.

A stored PDF is a row of a concrete `StoredPdf` that moves pending → running → done, or failed:

- Asking for it (`pdf_request`) creates the row, or queues it again, and sends its task by name
  once the transaction commits. Asking while it is queued or being made changes nothing, unless
  the data it shows has changed (`renew`): a render already running may have read the old data.
- The task (`pdf_render`) claims the row with a conditional UPDATE, so two workers never both
  render it; renders to a new file; and swaps the file in with a second conditional UPDATE that
  only the run holding the claim can make. Only then is the old file deleted, so a download
  always gets a complete file: the new one, or during a re-render or after a failed one, the
  last good one.
- A row queued or running for longer than `STALE_AFTER` lost its message or its worker (a
  flushed broker, a killed worker): it may be claimed again, by the redelivered task or after a
  new request. Running the task twice, or again after it failed halfway, is safe.
- Nothing waits for a user to ask again, though: the sweep (`pdf_sweep`, a beat task every two
  minutes) sends again every row queued for longer than `RESEND_AFTER` (its message never
  reached the broker, which was down, or was lost with it) and queues again every row running
  for longer than `STALE_AFTER` (its worker was killed), up to `MAX_ATTEMPTS` runs.
- While no worker has taken a queued row (the broker unreachable, every worker busy or
  stopped), it is `waiting_for_worker`, and pages and the API say it will be made once the
  worker is back.
- A failure is stored as the kind of error only, never its message, which could quote client
  data.
- A download (`pdf_download`) answers the stored file, recorded in the audit trail as an export.
  With no file yet it queues the PDF (once) and answers 202 Accepted with `Location` (the same
  URL) and `Retry-After`. A request never renders.

Report templates carry their own print CSS inline and draw charts as inline SVG, so rendering
never fetches anything over the network or from disk.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from ips.audit import audit_read
from ips.models import AuditEvent
from ips.queue import broker_unavailable, send_on_commit

if TYPE_CHECKING:
    from django.core.files import File

    from ips.models import User

logger = logging.getLogger(__name__)

# A report renders in seconds; one queued or running for longer lost its message or its worker.
STALE_AFTER = dt.timedelta(minutes=10)
# A row still queued after this long is waiting for a worker: every one is busy, or none runs,
# or the broker could not be reached when it was sent.
WAITING_AFTER = dt.timedelta(seconds=30)
# The sweep sends again a row queued for longer than this: its message may have been lost.
RESEND_AFTER = dt.timedelta(minutes=2)
# Runs started since the row was last asked for, after which the sweep gives up on a row whose
# runs keep being interrupted (a PDF that kills its worker, out of memory) instead of queueing
# it again forever.
MAX_ATTEMPTS = 3
# The most rows of each kind one sweep sends again; the next sweep takes the rest.
SWEEP_BATCH = 200
# How long a client should wait before asking for a PDF that is being made again; longer while
# it waits for a worker.
RETRY_AFTER_SECONDS = 2
WAITING_RETRY_AFTER_SECONDS = 15


# --- HTML to PDF -------------------------------------------------------------------------------


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError("PDF templates are self-contained; nothing is fetched while rendering.")


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render `template_name` with `context` and return the PDF bytes."""
    from weasyprint import HTML  # imported here: loading Pango costs start-up time everywhere

    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


# --- The stored PDF ----------------------------------------------------------------------------


class StoredPdf(models.Model):
    """A PDF made in the background and kept, with where its making stands.

    A concrete kind adds what the PDF is of (its key), gives `file` the folder of its files,
    names the task that renders one row (`render_task`, given the row's id), and says how its
    files are named and whom a download is recorded against.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        RUNNING = "running", "Being generated"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    render_task: ClassVar[str]

    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="pdf/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What went wrong, in words that never carry client data (the kind of error only).
    error = models.CharField(max_length=200, blank=True)
    # Runs started since it was last asked for (the sweep gives up after MAX_ATTEMPTS).
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def in_progress(self) -> bool:
        """Queued or being made, and not stuck."""
        return self.status in {self.Status.PENDING, self.Status.RUNNING} and not self.is_stuck

    @property
    def is_stuck(self) -> bool:
        """Queued or running for longer than a PDF ever takes: the worker or the message was
        lost. Asking again queues it afresh."""
        since = timezone.now() - STALE_AFTER
        if self.status == self.Status.PENDING:
            return self.requested_at < since
        if self.status == self.Status.RUNNING:
            return self.started_at is None or self.started_at < since
        return False

    @property
    def waiting_for_worker(self) -> bool:
        """Queued, and not taken by a worker: the broker could not be reached when it was sent,
        or it has waited for longer than a PDF takes. It stays queued, and is made once a
        worker is back (the sweep sends it again)."""
        if self.status != self.Status.PENDING:
            return False
        return broker_unavailable() or self.requested_at < timezone.now() - WAITING_AFTER

    @property
    def retry_after(self) -> int:
        """Seconds a client should wait before asking again."""
        return WAITING_RETRY_AFTER_SECONDS if self.waiting_for_worker else RETRY_AFTER_SECONDS

    def file_stem(self) -> str:
        """The start of a stored file's name; a random part follows, so that a new file never
        takes the name of the one a download may be reading."""
        raise NotImplementedError

    def download_name(self) -> str:
        """The file name a download is saved under."""
        raise NotImplementedError

    def export_subject(self) -> tuple[models.Model, int]:
        """The record a download is recorded against in the audit trail, and its agency."""
        raise NotImplementedError


J = TypeVar("J", bound=StoredPdf)
S = StoredPdf.Status


def stuck(now: dt.datetime) -> Q:
    """`StoredPdf.is_stuck` as a filter, for the conditional UPDATEs that claim a row."""
    since = now - STALE_AFTER
    return Q(status=S.PENDING, requested_at__lt=since) | Q(status=S.RUNNING, started_at__lt=since)


# --- Asking for a PDF, and making it (writes) ---------------------------------------------------


@transaction.atomic
def pdf_request(
    *,
    model: type[J],
    key: dict[str, Any],
    requested_by: User | None,
    fields: dict[str, Any] | None = None,
    renew: bool = False,
) -> tuple[J, bool]:
    """Ask for the PDF of the row `key` names (created with `fields` when there is none).

    Returns the row and whether this call queued it: a new row, or one done, failed or stuck.
    One queued or being made is left alone, unless `renew` (the data it shows changed): then it
    is queued again, and a render already running loses its claim, so what is stored shows the
    change. The task is sent once the transaction commits.
    """
    now = timezone.now()
    job, created = _get_or_create(model, key, fields or {}, requested_by, now)
    again = Q() if renew else Q(status__in=[S.DONE, S.FAILED]) | stuck(now)
    queued = created or bool(
        model.objects.filter(again, pk=job.pk).update(
            status=S.PENDING, requested_by=requested_by, requested_at=now, error="", attempts=0
        )
    )
    if queued:
        job.refresh_from_db()
        send_on_commit(model.render_task, job.pk)
    return job, queued


def _get_or_create(
    model: type[J],
    key: dict[str, Any],
    fields: dict[str, Any],
    requested_by: User | None,
    now: dt.datetime,
) -> tuple[J, bool]:
    found = model.objects.filter(**key).first()
    if found is not None:
        return found, False
    try:
        # Two people asking at the same moment: the unique key lets one row in.
        with transaction.atomic():
            created = model.objects.create(
                **key, **fields, requested_by=requested_by, requested_at=now
            )
            return created, True
    except IntegrityError:
        return model.objects.get(**key), False


def pdf_render(
    *, jobs: QuerySet[J], pk: Any, render: Callable[[J, dt.datetime], bytes]
) -> J | None:
    """Make the PDF of row `pk` and store it, if this call wins the claim on the row.

    `jobs` reads the row with what `render(row, started_at)` needs to make the bytes. Returns the
    row when this call made it (done, or failed with the old file kept), None when there was
    nothing to do (already made, or another worker is on it).
    """
    model = jobs.model
    started = timezone.now()
    claimed = model.objects.filter(Q(status=S.PENDING) | stuck(started), pk=pk).update(
        status=S.RUNNING, started_at=started, finished_at=None, error="", attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    job = jobs.get(pk=pk)
    storage = job.file.storage
    try:
        new_name = _store(job, render(job, started))
    except Exception as error:
        # Log and store the kind of error only: its message or traceback could quote client data.
        kind = type(error).__name__
        logger.error("Rendering %s %s failed: %s", model._meta.label, pk, kind)
        _finish(model, pk, started, status=S.FAILED, error=f"Generating failed ({kind}).")
        job.refresh_from_db()
        return job
    old_name = job.file.name
    if _finish(model, pk, started, status=S.DONE, file=new_name):
        if old_name and old_name != new_name:
            storage.delete(old_name)
    else:
        storage.delete(new_name)  # another run claimed the row since: its file wins
    job.refresh_from_db()
    return job


def _store(job: StoredPdf, pdf: bytes) -> str:
    """Save the PDF under a new name, beside the row's current file; returns the name."""
    name = f"{job.file_stem()}-{uuid.uuid4().hex[:12]}.pdf"
    return job.file.storage.save(job.file.field.generate_filename(job, name), ContentFile(pdf))


def _finish(model: type[StoredPdf], pk: Any, started: dt.datetime, **changes: Any) -> bool:
    """Record the outcome of the run that started at `started`, unless another run has claimed
    the row since (or it was asked for again with `renew`)."""
    updated = model.objects.filter(pk=pk, status=S.RUNNING, started_at=started).update(
        finished_at=timezone.now(), **changes
    )
    return bool(updated)


# --- Sending again what was lost (the sweep) ----------------------------------------------------


def stored_pdf_models() -> list[type[StoredPdf]]:
    """Every concrete kind of stored PDF (outcome reports, fidelity review reports)."""
    return [model for model in apps.get_models() if issubclass(model, StoredPdf)]


def pdf_sweep() -> dict[str, int]:
    """Send again, for every kind of stored PDF, the rows whose task may have been lost:

    - queued for longer than `RESEND_AFTER`: the message may never have reached the broker (it
      was unreachable) or was lost with it. It is sent again, and its `requested_at` moves to
      now, so the next sweep waits as long again before another send.
    - running for longer than `STALE_AFTER`: its worker was killed mid-run (out of memory, a
      restart). It is queued again, unless `MAX_ATTEMPTS` runs have started since it was asked
      for: then it fails, and can be asked for again.

    A duplicate message is harmless: the run that claims the row makes it, the others find
    nothing to do. Returns how many rows of each kind were sent again.
    """
    now = timezone.now()
    return {model._meta.label: _sweep(model, now) for model in stored_pdf_models()}


@transaction.atomic
def _sweep(model: type[StoredPdf], now: dt.datetime) -> int:
    rows = model.objects.select_for_update(skip_locked=True)
    lost = rows.filter(status=S.PENDING, requested_at__lt=now - RESEND_AFTER)
    interrupted = rows.filter(status=S.RUNNING, started_at__lt=now - STALE_AFTER)
    again = [
        *lost.values_list("pk", flat=True)[:SWEEP_BATCH],
        *interrupted.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)[:SWEEP_BATCH],
    ]
    given_up = list(
        interrupted.filter(attempts__gte=MAX_ATTEMPTS).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    model.objects.filter(pk__in=again).update(status=S.PENDING, requested_at=now)
    model.objects.filter(pk__in=given_up).update(
        status=S.FAILED,
        finished_at=now,
        error=f"Generating was interrupted {MAX_ATTEMPTS} times.",
    )
    for pk in again:
        send_on_commit(model.render_task, pk)
    if again or given_up:
        logger.warning(
            "Sweep of %s: sent again %s, gave up on %s",
            model._meta.label,
            sorted(again),
            sorted(given_up),
        )
    return len(again)


# --- Downloading it ----------------------------------------------------------------------------


def pdf_file_response(request: HttpRequest, job: StoredPdf) -> FileResponse:
    """The stored PDF as a download, recorded in the audit trail as an export; 404 while none
    has been made."""
    opened = _open(job)
    subject, agency_id = job.export_subject()
    audit_read(
        actor=request.user,
        obj=subject,
        agency_id=agency_id,
        action=AuditEvent.Action.EXPORT,
        request=request,
    )
    return FileResponse(
        opened, as_attachment=True, filename=job.download_name(), content_type="application/pdf"
    )


def _open(job: StoredPdf) -> File:
    """The stored file, opened. A re-render that swapped its file in after the row was read has
    deleted the file the row named: the row, read again, names the new one."""
    for _ in range(2):
        if not job.file:
            break
        try:
            return job.file.storage.open(job.file.name, "rb")
        except FileNotFoundError:
            job.refresh_from_db(fields=["status", "file"])
    raise Http404("This PDF has not been made yet.")


def accepted(response: HttpResponse, request: HttpRequest, job: StoredPdf) -> HttpResponse:
    """`response` as 202 Accepted: the PDF is being made; ask again at `Location` (the same
    URL) after `Retry-After` seconds."""
    response.status_code = 202
    response["Location"] = request.build_absolute_uri(request.path)
    response["Retry-After"] = str(job.retry_after)
    return response


def pdf_download(
    request: HttpRequest,
    job: J | None,
    *,
    ask: Callable[[], J],
    preparing: Callable[[J], HttpResponse],
    newest_only: bool = False,
) -> HttpResponse:
    """The answer to a download of a stored PDF: the stored file when there is one (during a
    re-render, the last complete one; with `newest_only`, only once nothing newer is on its way,
    as the reports API promises its pollers). Otherwise the PDF is asked for (`ask`), unless it
    is already on its way, and the answer is 202 Accepted with `preparing(row)` as its body."""
    ready = job is not None and bool(job.file)
    if ready and newest_only:
        ready = job.status == StoredPdf.Status.DONE  # type: ignore[union-attr]
    if ready:
        return pdf_file_response(request, job)  # type: ignore[arg-type]
    if job is None or not job.in_progress:
        job = ask()
    return accepted(preparing(job), request, job)


def preparing_page(request: HttpRequest, job: StoredPdf, *, title: str) -> HttpResponse:
    """For a browser: a page saying the PDF is being made (or waits for the worker), which
    reloads itself until it can be downloaded."""
    context = {"job": job, "title": title, "retry_after": job.retry_after}
    return HttpResponse(render_to_string("ips/pdf_preparing.html", context, request=request))
