"""`manage.py send_digests [--date YYYY-MM-DD]`: make the weekly digests for the date (today by
default) and send them now, in this process. Run again for the same date, it sends nothing
twice; an e-mail the mail server refuses stays to be retried by the worker's sweep."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ips.calendar import date_out_of_range, today
from ips.notices import services
from ips.notices.models import Delivery


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError("Give the date as YYYY-MM-DD, such as 2026-03-09.") from None
    if message := date_out_of_range(day):
        raise CommandError(message)
    return day


class Command(BaseCommand):
    help = "Make the weekly digests for a date (today by default) and send them now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="The digests' date, YYYY-MM-DD.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = _date(options["date"]) if options["date"] else today()
        made = services.digests_build(on=day)
        waiting = Delivery.objects.filter(
            key=f"digest:{day.isoformat()}",
            status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED],
        ).values_list("pk", flat=True)
        sent = failed = 0
        for delivery_id in waiting:
            try:
                sent += services.delivery_send(delivery_id)
            except Exception:  # kept to retry by the sweep; the log says what kind of failure
                failed += 1
        self.stdout.write(
            f"Digests for {day.isoformat()}: {len(made)} made, {sent} sent, "
            f"{failed} failed (to be retried)."
        )
