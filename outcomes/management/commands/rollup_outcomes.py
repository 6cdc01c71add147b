"""`python manage.py rollup_outcomes [--period 2026-Q1|2026-03] [--program ID]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ips.calendar import Period
from ips.models import Program
from outcomes.selectors import NoMinimumWage, check_minimum_wage
from outcomes.services import (
    last_closed_periods,
    open_periods,
    outcome_rollup,
    rollup_left_out,
    rollup_period,
)


class Command(BaseCommand):
    help = (
        "Compute and store outcome roll-ups now, with the same code as the scheduled tasks. "
        "Without --period: the open month and quarter and the last closed ones. Re-run a closed "
        "period to pick up data entered late."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="A month (2026-03) or a quarter (2026-Q1).")
        parser.add_argument("--program", type=int, help="One program's id (default: every one).")

    def handle(self, *args: Any, period: str | None, program: int | None, **options: Any) -> None:
        # Check everything before storing anything: bad input changes nothing.
        try:
            periods = [rollup_period(period)] if period is not None else self._default_periods()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if program is not None and not Program.objects.filter(pk=program).exists():
            raise CommandError(f"There is no program with id {program}.")
        programs = None if program is None else [program]
        if programs is not None:
            try:
                check_minimum_wage(programs)
            except NoMinimumWage as error:
                raise CommandError(str(error)) from error
        for each in periods:
            stored = outcome_rollup(period=each, program_ids=programs)
            self.stdout.write(f"{each.label}: {stored} program roll-up(s) stored.")
        for left_out in rollup_left_out(programs):
            self.stdout.write(f"Not rolled up: {NoMinimumWage([left_out])}")

    def _default_periods(self) -> list[Period]:
        today = timezone.localdate()
        return [*last_closed_periods(today), *open_periods(today)]
