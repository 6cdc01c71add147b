"""Tasks of the base, sent by beat (`CELERY_BEAT_SCHEDULE`): the worker's heartbeat, the
sweep that sends again the stored PDFs whose task may have been lost, the nightly removal of
expired idempotency keys, and the notices (event sources, weekly digests, e-mails to retry).

Only `delivery_send_task` takes an argument (an e-mail's id, never its content); all are
acknowledged after they finish, and a run that waited past the next one's time expires (the next
one does the same work). Each is idempotent: run twice, it records and sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from smtplib import SMTPException

from celery import shared_task

from ips import idempotency
from ips.calendar import today
from ips.health import record_heartbeat
from ips.notices import services as notices
from ips.pdf import pdf_sweep
from ips.queue import send_on_commit


@shared_task(acks_late=True, ignore_result=True)
def worker_heartbeat_task() -> None:
    """Record that a worker runs tasks now (read by `/readyz`)."""
    record_heartbeat()


@shared_task(acks_late=True, ignore_result=True)
def pdf_sweep_task() -> dict[str, int]:
    """Send again the stored PDFs queued too long (their message lost: the broker was down) and
    queue again those running too long (their worker killed); see `ips.pdf.pdf_sweep`."""
    return pdf_sweep()


@shared_task(acks_late=True, ignore_result=True)
def idempotency_purge_task() -> int:
    """Remove the `Idempotency-Key`s older than their window (nightly)."""
    return idempotency.purge_expired()


@shared_task(acks_late=True, ignore_result=True)
def notices_collect_task() -> int:
    """Record the event notices due today (reports ready, reviews assigned, scores due) and
    queue the e-mails of those wanted at once."""
    return len(notices.notices_collect(on=today()))


@shared_task(acks_late=True, ignore_result=True)
def digests_send_task(on: str = "") -> int:
    """Make every user's weekly digest for `on` (an ISO date; today when empty) and queue the
    e-mails. Run again for the same date, it makes and sends nothing twice."""
    day = dt.date.fromisoformat(on) if on else today()
    made = notices.digests_build(on=day)
    for delivery in made:
        send_on_commit(notices.SEND_TASK, delivery.pk)
    return len(made)


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=notices.MAX_ATTEMPTS - 1,
)
def delivery_send_task(delivery_id: int) -> bool:
    """Send one e-mail (by id); a mail server that fails is tried again later."""
    return notices.delivery_send(delivery_id)


@shared_task(acks_late=True, ignore_result=True)
def deliveries_sweep_task() -> int:
    """Queue again the e-mails that failed, whose message was lost, or whose worker died."""
    due = notices.deliveries_due()
    for delivery_id in due:
        send_on_commit(notices.SEND_TASK, delivery_id)
    return len(due)
