"""Import tasks: checking a large upload for its preview, writing a confirmed run (given its
id only: the file and its rows stay in the database, never in the message) and the sweep that
sends again the runs whose worker died.

`acks_late`: a worker killed mid-run leaves the message to be delivered again, and the run
continues at its last written batch (`imports.services.import_write`); a second delivery while
the first still runs takes turns with it batch by batch, writing nothing twice.
"""

from __future__ import annotations

from celery import shared_task

from imports.services import import_check, import_sweep, import_write


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def import_write_task(run_id: int) -> None:
    """Write a confirmed import run from where it stands."""
    import_write(run_id=run_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def import_check_task(run_id: int) -> None:
    """Check (preview) an uploaded file too large to check in the request."""
    import_check(run_id=run_id)


@shared_task(acks_late=True, ignore_result=True)
def import_sweep_task() -> int:
    """Send again the import runs whose worker died (beat, every two minutes)."""
    return import_sweep()
