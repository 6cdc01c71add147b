"""Factories of job development: the people at an employer and contacts with employers.

Related records stay consistent: a contact's specialist holds a specialist role in the
employer's program, and its person (if any) works for its employer. Clients are named with
`clients=[...]` after creation, as the service does.
"""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from employers.models import EmployerContact, EmployerPerson
from ips.models import Role
from tests.clients.factories import EmployerFactory, days_ago
from tests.factories import StaffRoleFactory


class EmployerPersonFactory(DjangoModelFactory[EmployerPerson]):
    """Someone at an employer; `hiring_manager=True` makes them decide on hiring."""

    class Meta:
        model = EmployerPerson

    class Params:
        hiring_manager = factory.Trait(role="Hiring manager", makes_hiring_decisions=True)

    employer = factory.SubFactory(EmployerFactory)
    name = factory.Faker("name")
    role = "Shift lead"
    email = factory.Sequence(lambda n: f"person{n:03d}@example.com")


def _specialist_of(contact: Any) -> Any:
    """A new specialist of the employer's program."""
    return StaffRoleFactory(role=Role.SPECIALIST, program=contact.employer.program).user


class EmployerContactFactory(DjangoModelFactory[EmployerContact]):
    """A face-to-face contact three days ago; `archived=True` archives it."""

    class Meta:
        model = EmployerContact
        skip_postgeneration_save = True

    class Params:
        archived = factory.Trait(
            archived_at=factory.LazyFunction(timezone.now),
            archive_reason="Logged twice by mistake.",
        )

    employer = factory.SubFactory(EmployerFactory)
    specialist = factory.LazyAttribute(_specialist_of)
    person = None
    contacted_on = factory.LazyFunction(lambda: days_ago(3))
    face_to_face = True
    with_hiring_manager = False
    purpose = EmployerContact.Purpose.INTRODUCE

    @factory.post_generation
    def clients(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.clients.set(extracted)
