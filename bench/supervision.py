"""Supervision dashboard benchmark: a 10-specialist program with a year of data.

Run by hand against the demo database (`manage.py seed_demo` first, for the demo agency):

    .venv/bin/python bench/supervision.py [--runs 30] [--week 2026-W12]

Inside one transaction that is rolled back at the end (the database is left as it was), it adds
a "Bench IPS Team" with ten specialists to the demo agency and gives it what `seed_demo` gives
the demo programs: 18 clients per specialist with a year of contacts, jobs and referrals, a year
of employer contacts, treatment teams with weekly meetings and weekly supervision sessions. It
then times the dashboard page (`/supervision/?program=ID&week=...`, rendered by Django's test
client as the supervisor, DEBUG off) and the selector alone, and prints p50/p95 and the queries.
Target: the page within 300 ms.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECIALISTS = 10


class Rollback(Exception):
    pass


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def build_program() -> tuple[object, object]:
    """The bench program, its specialists and supervisor, and a year of demo data."""
    from clients.demo import seed_caseloads
    from employers.demo import seed_job_development
    from ips.calendar import today
    from ips.demo import MINIMUM_WAGES
    from ips.models import Agency, MinimumWage, Program, Role, StaffRole, User
    from supervision.demo import seed_supervision

    agency = Agency.objects.get(name="Demo Agency")
    program = Program.objects.create(agency=agency, name="Bench IPS Team", site="Bench")
    for effective_on, hourly in MINIMUM_WAGES:
        MinimumWage.objects.create(program=program, effective_on=effective_on, hourly=hourly)
    supervisor = User.objects.create(username="demo-bench-supervisor", home_agency=agency)
    StaffRole.objects.create(user=supervisor, role=Role.SUPERVISOR, agency=agency, program=program)
    for n in range(1, SPECIALISTS + 1):
        user = User.objects.create(
            username=f"demo-bench-{n:02d}",
            first_name="Bench",
            last_name=f"Specialist {n:02d}",
            home_agency=agency,
        )
        StaffRole.objects.create(user=user, role=Role.SPECIALIST, agency=agency, program=program)
    started = time.perf_counter()
    seed_caseloads(today=today())
    seed_job_development(today=today())
    seed_supervision(today=today())
    print(f"Seeded the bench program in {time.perf_counter() - started:.1f} s")
    return program, supervisor


def timings(run: object, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--week", default="")
    args = parser.parse_args()
    setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from clients.models import Client as CaseloadClient
    from employers.models import EmployerContact
    from supervision import selectors
    from supervision.models import TeamMeeting

    try:
        with transaction.atomic():
            program, supervisor = build_program()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            week = args.week or selectors.Period.week(timezone.localdate()).label
            when = selectors.SupervisionWeek.parse(week, timezone.localdate())
            http = Client()
            http.force_login(supervisor, backend="ips.authentication.UserBackend")
            url = f"/supervision/?program={program.pk}&week={week}"
            assert http.get(url).status_code == 200  # warm: session, two-factor gate
            with CaptureQueriesContext(connection) as queries:
                response = http.get(url)
            assert response.status_code == 200, response.status_code
            print(
                f"Program: {SPECIALISTS} specialists, "
                f"{CaseloadClient.objects.filter(program=program).count()} clients, "
                f"{EmployerContact.objects.filter(employer__program=program).count()} "
                f"employer contacts, "
                f"{TeamMeeting.objects.filter(team__program=program).count()} team meetings"
            )
            print(f"Week {week}: {len(queries)} queries per page")
            p50, p95 = timings(lambda: http.get(url), args.runs)
            print(f"Dashboard page: p50 {p50:.0f} ms, p95 {p95:.0f} ms (target 300 ms)")
            p50, p95 = timings(lambda: selectors.dashboard(program=program, when=when), args.runs)
            print(f"Selector alone: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
            raise Rollback
    except Rollback:
        print("Rolled back: the database is as it was.")


if __name__ == "__main__":
    main()
