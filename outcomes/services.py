"""Writes of the outcomes app: storing the roll-ups."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import JSONField
from django.utils import timezone
from psycopg.types.json import Jsonb

from ips.calendar import Period
from ips.models import Program
from outcomes.models import ROLLUP_NUMBERS, OutcomeRollup
from outcomes.numbers import Outcome
from outcomes.selectors import (
    NoMinimumWage,
    program_outcomes,
    program_outcomes_by_period,
    without_minimum_wage,
)

logger = logging.getLogger(__name__)

ROLLUP_KINDS = ("month", "quarter")
BAD_PERIOD = "Give the period as a month (2026-03) or a quarter (2026-Q1)."


def rollup_period(label: str) -> Period:
    """The month or quarter a label names; ValueError with a message a user can act on."""
    try:
        period = Period.parse(label)
    except ValueError:
        raise ValueError(BAD_PERIOD) from None
    if period.kind not in ROLLUP_KINDS:
        raise ValueError(BAD_PERIOD)
    return period


def open_periods(today: dt.date) -> list[Period]:
    """The month and the quarter holding `today` (still open: their numbers change daily)."""
    return [Period.containing(kind, today) for kind in ROLLUP_KINDS]


def last_closed_periods(today: dt.date) -> list[Period]:
    """The last month and the last quarter that ended before `today`."""
    return [Period.containing(kind, today).previous() for kind in ROLLUP_KINDS]


@transaction.atomic
def outcome_rollup(*, period: Period, program_ids: Iterable[int] | None = None) -> int:
    """Compute and store the period's outcome numbers for the programs (every program when
    None); returns how many rows were stored.

    The numbers for all the programs are computed first (one grouped query per number) and
    stored in one INSERT ... ON CONFLICT UPDATE inside one transaction: a run stopped halfway
    stores nothing, and a second run replaces the rows with the same numbers (only
    `computed_at` moves), so running it twice or again after late data entry is safe.

    A program without a minimum-wage schedule has no rate: named, it is refused
    (NoMinimumWage, with the reason); in a run for every program, it is left out.
    """
    _check_kinds([period])
    return _store(program_outcomes(_rolled_up_ids(program_ids), period).values())


@transaction.atomic
def outcome_rollups(*, periods: Iterable[Period], program_ids: Iterable[int] | None = None) -> int:
    """`outcome_rollup` for many periods at once (a backfill): one grouped query per number for
    all the programs and periods, stored in one transaction; returns how many rows were stored."""
    periods = list(periods)
    _check_kinds(periods)
    every = program_outcomes_by_period(_rolled_up_ids(program_ids), periods)
    return _store(every.values())


def _check_kinds(periods: list[Period]) -> None:
    if any(period.kind not in ROLLUP_KINDS for period in periods):
        raise ValueError(BAD_PERIOD)


def _program_ids(program_ids: Iterable[int] | None) -> list[int]:
    if program_ids is None:
        return list(Program.objects.order_by("pk").values_list("pk", flat=True))
    return sorted(set(program_ids))


def rollup_left_out(program_ids: Iterable[int] | None = None) -> list[Program]:
    """The programs a roll-up of `program_ids` (every program when None) cannot store: those
    without a minimum-wage schedule."""
    return without_minimum_wage(_program_ids(program_ids))


def _rolled_up_ids(program_ids: Iterable[int] | None) -> list[int]:
    """The programs to roll up: refuses named programs without a schedule, and leaves out of
    a run for every program those without one (logged by id)."""
    ids = _program_ids(program_ids)
    refused = without_minimum_wage(ids)
    if refused and program_ids is not None:
        raise NoMinimumWage(refused)
    if refused:
        logger.warning(
            "Programs without a minimum-wage schedule left out of the roll-up: %s",
            ", ".join(str(program.pk) for program in refused),
        )
    left_out = {program.pk for program in refused}
    return [pk for pk in ids if pk not in left_out]


# What a run replaces in a stored row; the program and the period are its key.
_REPLACED = ("kind", "first_day", "last_day", *ROLLUP_NUMBERS, "computed_at")
# From this many rows on (a backfill), PostgreSQL is fed by COPY; a temporary table costs more
# than it saves for the rows of a period or two.
COPY_FROM_ROWS = 2000


def _store(outcomes: Iterable[Outcome]) -> int:
    now = timezone.now()
    rows = [OutcomeRollup.from_outcome(outcome, now) for outcome in outcomes]
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        _upsert_by_copy(rows)
    else:
        OutcomeRollup.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["program", "period"],
            update_fields=list(_REPLACED),
            batch_size=1000,
        )
    return len(rows)


def _upsert_by_copy(rows: list[OutcomeRollup]) -> None:
    """The INSERT ... ON CONFLICT UPDATE of `bulk_create(update_conflicts=True)`, fed by COPY
    through a temporary table: for the tens of thousands of rows of a backfill, preparing every
    value one by one took longer than computing the numbers. The table's constraints still
    check every row (a bad one fails the whole run)."""
    meta = OutcomeRollup._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in ("program", "period", *_REPLACED)]
    columns = ", ".join(quote(field.column) for field in fields)
    replaced = ", ".join(
        f"{quote(column)} = EXCLUDED.{quote(column)}"
        for column in (meta.get_field(name).column for name in _REPLACED)
    )
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS outcome_rollup_in")
        cursor.execute(
            f"CREATE TEMPORARY TABLE outcome_rollup_in ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY outcome_rollup_in ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        Jsonb(value) if isinstance(field, JSONField) else value
                        for field, value in ((f, getattr(row, f.attname)) for f in fields)
                    ]
                )
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM outcome_rollup_in "  # noqa: S608
            f"ON CONFLICT (program_id, period) DO UPDATE SET {replaced}"
        )
        cursor.execute("DROP TABLE outcome_rollup_in")
