"""`python manage.py seed_demo`: the synthetic demo agency, reproducibly; twice changes nothing."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from clients.demo import seed_caseloads, seed_today
from employers.demo import seed_job_development
from fidelity.demo import seed_reviews
from ips.calendar import Period, today
from ips.demo import DEMO_PASSWORD, HEADLINE_LOGINS, seed_organisation
from outcomes.services import outcome_rollups
from supervision.demo import seed_supervision


class Command(BaseCommand):
    help = "Create the synthetic Demo Agency (and a second agency) with demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        programs = seed_organisation()
        clients = seed_caseloads(today=today())
        if clients:  # Today's list of each demo specialist, on the caseloads just built
            seed_today(today=today())
        contacts = seed_job_development(today=today())
        supervision = seed_supervision(today=today())
        reviews = seed_reviews(today=today())
        if connection.vendor == "postgresql":
            # Statistics for the tables just filled, as after any bulk load: without them the
            # planner misjudges row counts (it expected 1 employer contact of 2,412) and picks
            # poor plans; a client's employer contacts took 2.4 ms instead of 0.1. Autovacuum
            # gathers them eventually, where it is on.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # Stored outcome numbers for the last 8 quarters and 12 months, as the beat schedule
        # keeps them; the same upsert, so a second run stores the same rows again.
        day = today()
        periods = [
            *Period.containing("quarter", day).recent(8),
            *Period.containing("month", day).recent(12),
        ]
        outcome_rollups(periods=periods)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(programs)} programs, {clients} new clients, "
                f"{contacts} new employer contacts, "
                f"{supervision} new team meetings and supervision sessions, "
                f"{reviews} new fidelity reviews."
            )
        )
        self.stdout.write(f"Logins: {', '.join(HEADLINE_LOGINS)} — password {DEMO_PASSWORD}")
