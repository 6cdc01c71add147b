"""Fidelity tasks: thin wrappers taking ids only (JSON), acknowledged after they finish."""

from __future__ import annotations

from celery import shared_task

from fidelity import services


@shared_task(acks_late=True)
def review_report_task(review_id: int) -> int:
    """Render and store a signed-off review's report PDF; safe to run twice (it replaces it)."""
    return services.review_report_render(review_id=review_id).pk
