"""Tasks of the base, all sent by beat (`CELERY_BEAT_SCHEDULE`): the worker's heartbeat, the
sweep that sends again the stored PDFs whose task may have been lost, and the nightly removal of
expired idempotency keys.

None takes arguments, all are acknowledged after they finish, and a run that waited past
the next one's time expires (the next one does the same work).
"""

from __future__ import annotations

from celery import shared_task

from ips import idempotency
from ips.health import record_heartbeat
from ips.pdf import pdf_sweep


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
