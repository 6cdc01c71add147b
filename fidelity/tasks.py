"""Fidelity tasks: thin wrappers taking ids only (JSON), acknowledged after they finish, and
given back to the broker when their worker process dies (a run delivered again takes the row,
or finds another run holding it and does nothing: see `outcomes.tasks`)."""

from __future__ import annotations

from celery import shared_task

from fidelity import services
from fidelity.models import ReviewReport


# Queued by name (`ReviewReport.render_task`): the services that queue it do not import it.
@shared_task(
    name=ReviewReport.render_task, acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def review_report_task(review_id: int) -> None:
    """Render and store a signed-off review's report PDF (its row's id is the review's); a
    second run, or a run after the report was made, does nothing."""
    services.review_report_render(review_id=review_id)
