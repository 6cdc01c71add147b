"""PDF report benchmark: seconds and peak memory to build a monthly and a quarterly report.

Run by hand against the demo data (`make run` once, or `manage.py seed_demo`):

    .venv/bin/python bench/reports.py [--specialists 8] [--clients 25] [--runs 3]

It adds a synthetic "Bench IPS Team" to the demo agency (specialists x clients, each client with
a year of contacts, jobs and supports, as `seed_demo` makes them), renders the last closed month's
and quarter's reports the way the Celery task does (numbers, trend of 12 months or 8 quarters,
per-specialist table, job starts, definitions, WeasyPrint), and rolls everything back. Peak
memory is the Python heap's peak during one render (tracemalloc) and the process's maximum
resident size. Targets: monthly <= 1.5 s, quarterly <= 12 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONTHLY_TARGET = 1.5
QUARTERLY_TARGET = 12.0


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


class Rollback(Exception):
    """Raised to undo the synthetic program once measured."""


def bench_program(specialists: int, clients: int):
    """A program of the demo agency with `specialists` x `clients` synthetic clients."""
    from clients.demo import seed_caseloads
    from ips.calendar import today
    from ips.models import Agency, MinimumWage, Program, Role, StaffRole, User

    agency = Agency.objects.get(name="Demo Agency")
    program = Program.objects.create(agency=agency, name="Bench IPS Team", site="Bench Street")
    for wage in MinimumWage.objects.filter(program__agency=agency).order_by("effective_on"):
        MinimumWage.objects.get_or_create(
            program=program, effective_on=wage.effective_on, defaults={"hourly": wage.hourly}
        )
    if not program.minimum_wages.exists():
        MinimumWage.objects.create(program=program, effective_on=today(), hourly=Decimal("15"))
    for n in range(specialists):
        user = User.objects.create_user(
            username=f"demo-bench-{n + 1}",
            first_name="Bench",
            last_name=f"Specialist {n + 1}",
            home_agency=agency,
        )
        StaffRole.objects.create(user=user, role=Role.SPECIALIST, program=program, agency=agency)
    seed_caseloads(today=today(), clients_per_specialist=clients)
    return program


def render_once(program, period, *, trace: bool = False) -> tuple[float, float, int, int]:
    """Seconds to gather the numbers, seconds to make the PDF, heap peak (bytes, when traced:
    tracing slows Python several times, so timed runs are not traced) and PDF size."""
    from django.utils import timezone

    from ips.pdf import render_pdf
    from outcomes.reports.context import Scope, report_context
    from outcomes.reports.services import TEMPLATE

    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    context = report_context(
        Scope(agency=program.agency, program=program), period, generated_at=timezone.now()
    )
    gathered = time.perf_counter()
    pdf = render_pdf(TEMPLATE, context)
    done = time.perf_counter()
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return gathered - started, done - gathered, peak, len(pdf)


def measure(program, periods, runs: int) -> None:
    for label, period, target in periods:
        timed = [render_once(program, period) for _ in range(runs)]
        numbers = statistics.median(run[0] for run in timed)
        pdf = statistics.median(run[1] for run in timed)
        total = statistics.median(run[0] + run[1] for run in timed)
        peak = render_once(program, period, trace=True)[2]
        verdict = "ok" if total <= target else "OVER TARGET"
        print(
            f"  {label:9} {period.label}: {total:.2f} s (numbers {numbers:.2f} s + PDF {pdf:.2f} s"
            f", median of {runs}; target <= {target} s: {verdict}); heap peak "
            f"{peak / 2**20:.1f} MiB; PDF {timed[0][3] / 1024:.0f} KiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specialists", type=int, default=8)
    parser.add_argument("--clients", type=int, default=25, help="clients per specialist")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup()
    from django.db import transaction

    from clients.models import Client, Job
    from ips.calendar import Period, today
    from outcomes.reports.context import TREND_LENGTH
    from outcomes.services import outcome_rollup

    month = Period.containing("month", today()).previous()
    quarter = Period.containing("quarter", today()).previous()
    periods = (("monthly", month, MONTHLY_TARGET), ("quarterly", quarter, QUARTERLY_TARGET))
    try:
        with transaction.atomic():
            started = time.perf_counter()
            program = bench_program(args.specialists, args.clients)
            print(
                f"Bench IPS Team: {Client.objects.filter(program=program).count()} clients, "
                f"{Job.objects.filter(client__program=program).count()} jobs "
                f"(built in {time.perf_counter() - started:.1f} s)"
            )
            render_once(program, month)  # warm-up: fonts, templates, WeasyPrint's first import
            print("No roll-ups stored (every number of the trend computed live):")
            measure(program, periods, args.runs)
            for _, period, _ in periods:
                for past in period.recent(TREND_LENGTH[period.kind]):
                    outcome_rollup(period=past, program_ids=[program.pk])
            print("Roll-ups stored, as the beat schedule leaves them:")
            measure(program, periods, args.runs)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"process max resident size: {rss:.0f} MiB")
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"machine load (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
            raise Rollback
    except Rollback:
        print("(the bench program was rolled back)")


if __name__ == "__main__":
    main()
