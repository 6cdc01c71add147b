"""ips/constraints.py: check constraints answered in Python, the same as the database answers."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import CheckConstraint, F, Q
from django.test.utils import CaptureQueriesContext

from clients.models import Episode
from ips.constraints import ChecksInPython, NotInPython, condition_holds

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"a": None, "b": dt.date(2024, 1, 1)}, True),  # a IS NULL
        ({"a": dt.date(2024, 2, 1), "b": dt.date(2024, 1, 1)}, True),
        ({"a": dt.date(2023, 2, 1), "b": dt.date(2024, 1, 1)}, False),
        ({"a": dt.date(2023, 2, 1), "b": None}, None),  # compared with NULL: unknown
    ],
)
def test_three_valued_logic_as_in_sql(values: dict[str, Any], expected: bool | None) -> None:
    condition = Q(a__isnull=True) | Q(a__gte=F("b"))

    assert condition_holds(condition, values) is expected


def test_negation_of_unknown_is_unknown_and_of_an_equality_its_opposite() -> None:
    assert condition_holds(~Q(a__gt=1), {"a": None}) is None
    assert condition_holds(~Q(reason=""), {"reason": ""}) is False
    assert condition_holds(~Q(reason=""), {"reason": "Moved"}) is True


@pytest.mark.parametrize("condition", [Q(name__gt="b"), Q(name__icontains="x"), Q(a__b__gt=1)])
def test_what_python_does_not_decide_is_left_to_the_database(condition: Q) -> None:
    with pytest.raises(NotInPython):
        condition_holds(condition, {"name": "c", "a": 2})


# Values tried for each field a constraint reads, by the field's type.
SAMPLES: list[tuple[type[models.Field], list[Any]]] = [
    (models.DateTimeField, [None, dt.datetime(2024, 1, 1, tzinfo=dt.UTC)]),
    (models.DateField, [None, dt.date(2024, 1, 1), dt.date(2024, 6, 1)]),
    (models.BooleanField, [True, False]),
    (models.DecimalField, [None, Decimal("-1"), Decimal("0"), Decimal("2000")]),
    (models.IntegerField, [None, -1, 0, 2000]),
    (models.CharField, ["", "x"]),
    (models.TextField, ["", "x"]),
    (models.ForeignKey, [None, 1]),
]


def _samples(field: models.Field) -> list[Any]:
    if field.choices:
        return [*(value for value, _ in field.flatchoices), ""]
    for kind, values in SAMPLES:
        if isinstance(field, kind):
            return [value for value in values if value is not None or field.null]
    raise AssertionError(f"no samples for {field!r}")


def _fields_read(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _fields_read(child)
        else:
            key, value = child
            names.add(key.split("__")[0])
            if isinstance(value, F):
                names.add(value.name)
    return names


CHECKED = [
    pytest.param(model, constraint, id=f"{model._meta.label}.{constraint.name}")
    for model in apps.get_models()
    if issubclass(model, ChecksInPython)
    for constraint in model._meta.constraints
    if isinstance(constraint, CheckConstraint)
]


def test_every_model_with_check_constraints_that_is_full_cleaned_is_covered() -> None:
    assert {"clients.Episode", "clients.Job", "clients.Contact"} <= {
        param.values[0]._meta.label for param in CHECKED
    }


@pytest.mark.parametrize(("model", "constraint"), CHECKED)
def test_python_answers_each_constraint_as_the_database_does(
    model: type[models.Model], constraint: CheckConstraint
) -> None:
    fields = sorted(_fields_read(constraint.condition))
    choices = [_samples(model._meta.get_field(name)) for name in fields]
    for combination in itertools.product(*choices):
        instance = model(
            **{
                model._meta.get_field(n).attname: v
                for n, v in zip(fields, combination, strict=True)
            }
        )
        against = instance._get_field_expression_map(meta=model._meta)
        in_database = Q(constraint.condition).check(against)
        in_python = condition_holds(constraint.condition, _values(instance))

        assert (in_python is not False) == in_database, dict(zip(fields, combination, strict=True))


def _values(instance: models.Model) -> dict[str, Any]:
    return {f.name: getattr(instance, f.attname) for f in instance._meta.local_concrete_fields}


def test_full_clean_refuses_with_the_constraints_message_and_no_query(client_: Any) -> None:
    episode = Episode(
        client=client_,
        referred_on=dt.date(2024, 3, 1),
        referral_source="self",
        enrolled_on=dt.date(2024, 2, 1),
    )

    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refused:
        episode.validate_constraints()

    assert len(queries) == 0
    expected = next(
        c for c in Episode._meta.constraints if c.name == "episode_enrolled_after_referral"
    )
    assert refused.value.messages == [expected.get_violation_error_message()]


@pytest.fixture
def client_(program: Any) -> Any:
    from tests.clients.factories import ClientFactory

    return ClientFactory(program=program)
