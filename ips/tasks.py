"""Tasks of the base, sent by beat (`CELERY_BEAT_SCHEDULE`): the sweep that sends again the
stored PDFs whose task may have been lost.

It takes no arguments, is acknowledged after it finishes, and a run that waited past the next
one's time expires (the next one does the same work).
"""

from __future__ import annotations

from celery import shared_task

from ips.pdf import pdf_sweep


@shared_task(acks_late=True, ignore_result=True)
def pdf_sweep_task() -> dict[str, int]:
    """Send again the stored PDFs queued too long (their message lost: the broker was down) and
    queue again those running too long (their worker killed); see `ips.pdf.pdf_sweep`."""
    return pdf_sweep()
