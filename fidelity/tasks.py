"""Fidelity tasks: thin wrappers taking ids only (JSON), acknowledged after they finish."""

from __future__ import annotations

from celery import shared_task

from fidelity import services
from fidelity.models import ReviewReport


# Queued by name (`ReviewReport.render_task`): the services that queue it do not import it.
@shared_task(name=ReviewReport.render_task, acks_late=True, ignore_result=True)
def review_report_task(review_id: int) -> None:
    """Render and store a signed-off review's report PDF (its row's id is the review's); a
    second run, or a run after the report was made, does nothing."""
    services.review_report_render(review_id=review_id)
