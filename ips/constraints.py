"""Check constraints validated in Python by `full_clean`, with the database's answer.

Django validates each `CheckConstraint` with a query of its own (`SELECT 1 WHERE <condition>`
inside a savepoint: three round trips), on every `full_clean`: two dozen for a job. The
conditions here compare a field with a value, another field or NULL, joined by AND, OR and NOT.
Python evaluates those with SQL's three-valued logic (a comparison with NULL is unknown, and a
CHECK holds unless its condition is false), so `ChecksInPython` answers them without a query
and leaves any other condition to Django's query.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models import CheckConstraint, F, Q

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
# Values whose order Python and PostgreSQL agree on (text order is the collation's).
ORDERED = (int, Decimal, float, dt.date, dt.datetime)


class NotInPython(Exception):
    """The condition uses something this module does not evaluate: the database decides."""


class Excluded(Exception):
    """The condition reads a field left out of the validation (as Django, skip the check)."""


def condition_holds(condition: Q, values: dict[str, Any]) -> bool | None:
    """True, False or None (unknown) for `condition` over the field values `values` (by field
    name; a field missing from it was excluded)."""
    results = [
        condition_holds(child, values) if isinstance(child, Q) else _lookup(*child, values)
        for child in condition.children
    ]
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    else:
        result = True if True in results else (None if None in results else False)
    if condition.negated:
        return None if result is None else not result
    return result


def _lookup(key: str, expected: Any, values: dict[str, Any]) -> bool | None:
    name, _, lookup = key.partition("__")
    lookup = lookup or "exact"
    if "__" in lookup or (lookup not in COMPARISONS and lookup not in {"isnull", "in"}):
        raise NotInPython(key)
    value = _read(name, values)
    if lookup == "in":
        if not isinstance(expected, list | tuple | set | frozenset) or None in expected:
            raise NotInPython(key)
        return None if value is None else value in expected
    if lookup == "isnull":
        if not isinstance(expected, bool):
            raise NotInPython(key)
        return (value is None) == expected
    if isinstance(expected, F):
        expected = _read(expected.name, values)
    elif hasattr(expected, "resolve_expression") or isinstance(expected, models.Model):
        raise NotInPython(key)
    if value is None or expected is None:
        return None
    if lookup != "exact" and not (isinstance(value, ORDERED) and isinstance(expected, ORDERED)):
        raise NotInPython(key)
    try:
        return bool(COMPARISONS[lookup](value, expected))
    except TypeError as error:
        raise NotInPython(key) from error


def _read(name: str, values: dict[str, Any]) -> Any:
    if name not in values:
        raise Excluded(name)
    return values[name]


class ChecksInPython:
    """Mixed into models that `full_clean` validates: their check constraints are evaluated in
    Python where possible (see the module), the rest by Django as usual."""

    def validate_constraints(self, exclude: Any = None) -> None:
        left_out = set(exclude or ())
        using = router.db_for_write(self.__class__, instance=self)
        errors: dict[str, Any] = {}
        for model_class, constraints in self.get_constraints():  # type: ignore[attr-defined]
            values = {
                field.name: getattr(self, field.attname)
                for field in model_class._meta.local_concrete_fields
                if field.name not in left_out and not field.generated
            }
            if "pk" not in left_out:
                values["pk"] = self.pk  # type: ignore[attr-defined]
            for constraint in constraints:
                try:
                    self._validate(constraint, model_class, values, left_out, using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _validate(
        self,
        constraint: models.BaseConstraint,
        model_class: type[models.Model],
        values: dict[str, Any],
        exclude: set[str],
        using: str,
    ) -> None:
        if isinstance(constraint, CheckConstraint) and isinstance(constraint.condition, Q):
            try:
                holds = condition_holds(constraint.condition, values)
            except Excluded:
                return
            except NotInPython:
                pass
            else:
                if holds is False:
                    raise ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
                return
        constraint.validate(model_class, self, exclude=exclude, using=using)
