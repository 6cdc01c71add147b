"""Parsing one row's cells into values, gathering a message per column a person understands.

Dates are ISO (`2024-03-31`) or the agency's order (`03/31/2024` month first, or `31/03/2024`
day first, as chosen on upload); choices by value (`job_search`) or label (`Job search`);
booleans yes/no, true/false, 1/0 (empty is no). The model's own field checks and check
constraints then run on the built record (`model_problems`), so an import refuses what the
pages and the API refuse, with the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from ips.calendar import today as calendar_today

DATE_ORDERS = {"mdy": "MM/DD/YYYY (month first)", "dmy": "DD/MM/YYYY (day first)"}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_LOCAL = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
TRUE = {"yes", "y", "true", "t", "1"}
FALSE = {"no", "n", "false", "f", "0", ""}


class Row:
    """One data row: its number in the spreadsheet, its cells, and the problems found so far
    (one message per column)."""

    # A large file holds tens of thousands of rows at once: no per-instance dict.
    __slots__ = ("date_order", "errors", "number", "today", "values")

    def __init__(
        self,
        number: int,
        values: dict[str, str],
        *,
        date_order: str = "mdy",
        today: dt.date | None = None,
    ) -> None:
        self.number = number
        self.values = values
        self.date_order = date_order
        # The file's rows share one "today" (asked once, not once per date cell).
        self.today = today or calendar_today()
        self.errors: dict[str, str] = {}

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, message)

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.values.get(column, "").strip()
        if required and not value:
            self.error(column, "This cell is empty; it is needed.")
        return value

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        parsed = parse_date(value, self.date_order)
        if parsed is None:
            example = "2024-03-31" if self.date_order == "dmy" else "2024-03-31 or 03/31/2024"
            if self.date_order == "dmy":
                example = "2024-03-31 or 31/03/2024"
            self.error(column, f"“{value}” is not a date: write it as {example}.")
        return parsed

    def past_date(self, column: str, what: str, *, required: bool = False) -> dt.date | None:
        """A date that cannot be in the future (everything but a job start)."""
        day = self.date(column, required=required)
        if day is not None and day > self.today:
            self.error(column, f"{what} cannot be in the future.")
        return day

    def boolean(self, column: str) -> bool:
        value = self.text(column).lower()
        if value in TRUE:
            return True
        if value not in FALSE:
            self.error(column, f"“{value}” is not yes or no (write yes/no, true/false or 1/0).")
        return False

    def choice(
        self, column: str, choices: type[models.TextChoices], *, required: bool = False
    ) -> str:
        value = self.text(column, required=required)
        if not value:
            return ""
        found = _choice_keys(choices).get(value.casefold())
        if found is not None:
            return found
        allowed = ", ".join(str(label) for label in choices.labels)
        self.error(column, f"“{value}” is not one of: {allowed}.")
        return ""

    def decimal(self, column: str, *, required: bool = False) -> Decimal | None:
        value = self.text(column, required=required)
        if not value:
            return None
        cleaned = value.replace("$", "").replace(",", "").strip()
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(column, f"“{value}” is not a number.")
            return None
        return number

    def whole_number(self, column: str, *, required: bool = False) -> int | None:
        number = self.decimal(column, required=required)
        if number is None:
            return None
        if number != number.to_integral_value():
            self.error(column, f"“{self.values.get(column)}” is not a whole number.")
            return None
        return int(number)

    def add_problems(self, error: ValidationError, columns: dict[str, str]) -> None:
        """Record a model's ValidationError, each field's message under its column."""
        for field, messages in error.message_dict.items():
            self.error(columns.get(field, field if field != "__all__" else ""), messages[0])


@cache
def _choice_keys(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each choice's value by its value and by its label, case-folded (fixed data, built once)."""
    keys: dict[str, str] = {}
    for key, label in reversed(choices.choices):
        keys[str(label).casefold()] = str(key)
        keys[str(key).casefold()] = str(key)
    return keys


def parse_date(value: str, date_order: str) -> dt.date | None:
    """An ISO date, or a date in the agency's order (`mdy` or `dmy`); None when neither."""
    try:
        if match := _ISO.match(value):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _LOCAL.match(value):
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            month, day = (second, first) if date_order == "dmy" else (first, second)
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def model_problems(
    record: models.Model, row: Row, columns: dict[str, str], *, exclude: list[str] | None = None
) -> None:
    """Run the model's field checks, its `clean()` and its check constraints on `record` (no
    query), recording every problem under the row's column for the field at fault."""
    try:
        record.clean_fields(exclude=exclude)
        record.clean()
    except ValidationError as error:
        row.add_problems(error, columns)
        return
    for constraint in record._meta.constraints:
        checked = isinstance(constraint, models.CheckConstraint)
        if checked and _holds(constraint.condition, record) is False:
            field = _last_field(constraint.condition)
            row.error(columns.get(field, field), str(constraint.violation_error_message))


# --- Check constraints, evaluated in Python -----------------------------------------------------
# The constraints of the imported models compare a row's own fields (`closed_on >= referred_on`,
# `minutes > 0`). Evaluating them here, with SQL's rule that a comparison with NULL passes,
# checks each row without the query per constraint and row that `validate_constraints` costs.

_COMPARE = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _holds(node: Any, record: models.Model) -> bool | None:
    """True, False, or None (unknown, as SQL's NULL) for `node` on the record."""
    if isinstance(node, Q):
        results = [_holds(child, record) for child in node.children]
        if node.connector == Q.AND:
            value = False if False in results else (None if None in results else True)
        else:
            value = True if True in results else (None if None in results else False)
        return (None if value is None else not value) if node.negated else value
    lookup, expected = node
    name, _, operator = lookup.partition("__")
    # A relation by its id (`employer_id`): reading `employer` would load the record, a query.
    actual = getattr(record, record._meta.get_field(name).attname)
    if operator == "isnull":
        return (actual is None) == expected
    if isinstance(expected, F):
        expected = getattr(record, expected.name)
    if actual is None or expected is None:
        return None
    return _COMPARE[operator or "exact"](actual, expected)


def _last_field(node: Any) -> str:
    if isinstance(node, Q):
        return _last_field(node.children[-1])
    return node[0].partition("__")[0]
