"""Outcome tasks: the roll-ups (thin wrappers over `outcomes.services.outcome_rollup`) and the
stored PDF reports (`outcomes.reports.services.report_generate`).

They take period labels and ids only (JSON), are acknowledged after they finish (`acks_late`: a
worker killed mid-run leaves the message to be run again), and are idempotent: each period is
stored in one transaction that replaces the period's rows, and a report is made by whichever
run claims its row.

The report task is also given back to the broker at once when its worker process dies
(`reject_on_worker_lost`): the run delivered again either takes the row or finds another run
holding it and does nothing, so a report that kills its worker cannot loop (the sweep gives up
on it after `ips.pdf.MAX_ATTEMPTS` runs). The roll-ups are not: nothing would stop a roll-up
that kills its worker from being delivered again and again; they run again on schedule.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from outcomes.models import OutcomeReport
from outcomes.reports import services as report_services
from outcomes.services import last_closed_periods, open_periods, outcome_rollup, rollup_period


@shared_task(acks_late=True)
def outcome_rollup_task(period: str, program_ids: list[int] | None = None) -> int:
    """Roll up one month or quarter (`2026-03`, `2026-Q1`) for the programs (all when None)."""
    return outcome_rollup(period=rollup_period(period), program_ids=program_ids)


@shared_task(acks_late=True)
def outcome_rollup_closed_task(kind: str) -> str:
    """Roll up the month or quarter (`kind`) that has just closed, for every program, then ask
    for its reports (`reports_prepare`), so they are ready when the director arrives. Beat runs
    it on the 1st after the period ends; it works out which period that is from today."""
    closed = {p.kind: p for p in last_closed_periods(timezone.localdate())}
    if kind not in closed:
        raise ValueError(f"kind must be one of {sorted(closed)}")
    period = closed[kind]
    outcome_rollup(period=period)
    report_services.reports_prepare(periods=[period])
    return period.label


@shared_task(acks_late=True)
def outcome_rollup_open_task() -> list[str]:
    """Refresh the still-open month and quarter for every program (nightly), and ask for the
    reports of the last closed month and quarter that are not made yet (a program added since,
    a report that failed)."""
    today = timezone.localdate()
    periods = open_periods(today)
    for period in periods:
        outcome_rollup(period=period)
    report_services.reports_prepare(periods=last_closed_periods(today))
    return [period.label for period in periods]


# Queued by name (`OutcomeReport.render_task`): the services that queue it do not import it.
@shared_task(
    name=OutcomeReport.render_task, acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def report_generate_task(report_id: int) -> None:
    """Render and store one outcome report (see `report_services.report_generate`); a second
    run, or a run after the row was made, does nothing."""
    report_services.report_generate(report_id=report_id)
