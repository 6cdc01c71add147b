"""Factories of the organisation domain.

Related objects stay consistent: a StaffRole's agency is its program's agency (agency roles get
their own agency and no program), and its user works for that agency unless told otherwise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from ips.models import Agency, MinimumWage, Program, Role, StaffRole, User

TEST_PASSWORD = "correct-horse-battery-9"  # every factory-made account logs in with this


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n:03d}")


class ProgramFactory(DjangoModelFactory[Program]):
    """A program; `with_wage=True` also gives it a one-entry minimum-wage schedule."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    class Params:
        with_wage = factory.Trait(
            wage=factory.RelatedFactory("tests.factories.MinimumWageFactory", "program")
        )

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Program {n:03d}")
    site = factory.Faker("city")


class MinimumWageFactory(DjangoModelFactory[MinimumWage]):
    class Meta:
        model = MinimumWage

    program = factory.SubFactory(ProgramFactory)
    effective_on = dt.date(2025, 1, 1)
    hourly = Decimal("15.00")


class UserFactory(DjangoModelFactory[User]):
    """A staff account of `home_agency`, with the password TEST_PASSWORD (set via set_password)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n:03d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    home_agency = factory.SubFactory(AgencyFactory)
    password = TEST_PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        password = kwargs.pop("password")
        user = model_class(*args, **kwargs)
        user.set_password(password)
        user.save()
        return user


class StaffRoleFactory(DjangoModelFactory[StaffRole]):
    """A role. Program roles (the default, specialist) take the program's agency; pass
    `program=None` with an agency role (director, admin) for an agency-wide role."""

    class Meta:
        model = StaffRole

    role = Role.SPECIALIST
    program = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in {Role.DIRECTOR, Role.ADMIN}),
        yes_declaration=None,
        no_declaration=factory.SubFactory(ProgramFactory),
    )
    agency = factory.Maybe(
        "program",
        yes_declaration=factory.SelfAttribute("program.agency"),
        no_declaration=factory.SubFactory(AgencyFactory),
    )
    user = factory.SubFactory(UserFactory, home_agency=factory.SelfAttribute("..agency"))
