"""Factories of the clients and employers domains, and an API client authenticating by token.

Dates are relative to today, so every record is valid whenever the suite runs: a client was
referred 90 days ago and enrolled a week later, and records about them fall inside that episode.
Related records stay consistent: a job's employer is of the client's program, a contact's
specialist works for the client's agency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.test import Client as HttpClient
from django.utils import timezone
from factory.django import DjangoModelFactory

from clients import services
from clients.models import (
    BenefitsReferral,
    Client,
    ClosureReason,
    Contact,
    Episode,
    Job,
    JobEndReason,
    JobType,
    ReferralSource,
    Support,
)
from employers.models import Employer
from ips.models import User
from ips.services import api_token_create, record_archive
from tests.factories import ProgramFactory, UserFactory


def days_ago(days: int) -> dt.date:
    """The local date `days` days before today (negative: in the future)."""
    return timezone.localdate() - dt.timedelta(days=days)


def api_token(user: User) -> str:
    """A new API token of the user, as an integration sends it after `Token `."""
    _, key = api_token_create(user=user, name="Tests")
    return key


def api_as(user: User) -> HttpClient:
    """A test client that authenticates every request with the user's API token (no session)."""
    return HttpClient(headers={"Authorization": f"Token {api_token(user)}"})


class ClientFactory(DjangoModelFactory[Client]):
    """A client enrolled through `services.client_enroll`, so the current episode and the career
    profile exist. Traits: `referred` (not enrolled yet), `closed` (current episode closed),
    `archived` (archived through `ips.services.record_archive`)."""

    class Meta:
        model = Client
        skip_postgeneration_save = True

    class Params:
        referred = factory.Trait(enrolled_on=None)
        closed = factory.Trait(
            closed_on=factory.LazyFunction(lambda: days_ago(10)),
            closure_reason=ClosureReason.MOVED,
        )
        archived = factory.Trait(archive_reason="Entered twice by mistake.")

    program = factory.SubFactory(ProgramFactory)
    specialist = None
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    birth_date = dt.date(1990, 5, 17)
    referred_on = factory.LazyFunction(lambda: days_ago(90))
    referral_source = ReferralSource.MH_PRACTITIONER
    enrolled_on = factory.LazyAttribute(lambda o: o.referred_on + dt.timedelta(days=7))
    closed_on = None
    closure_reason = ""
    archive_reason = ""

    @classmethod
    def _create(cls, model_class: type[Client], *args: Any, **kwargs: Any) -> Client:
        closed_on = kwargs.pop("closed_on")
        closure_reason = kwargs.pop("closure_reason")
        archive_reason = kwargs.pop("archive_reason")
        client = services.client_enroll(**kwargs)
        if closed_on is not None:
            client = services.client_close(
                client=client,
                version=client.version,
                closed_on=closed_on,
                closure_reason=closure_reason,
            )
        if archive_reason:
            client = record_archive(
                record=client, version=client.version, reason=archive_reason, actor=None
            )
        return client


class EpisodeFactory(DjangoModelFactory[Episode]):
    """An earlier, closed episode of a client (the current one comes with ClientFactory)."""

    class Meta:
        model = Episode

    client = factory.SubFactory(ClientFactory)
    referred_on = factory.LazyFunction(lambda: days_ago(400))
    referral_source = ReferralSource.SELF
    enrolled_on = factory.LazyAttribute(lambda o: o.referred_on + dt.timedelta(days=3))
    closed_on = factory.LazyAttribute(lambda o: o.referred_on + dt.timedelta(days=200))
    closure_reason = ClosureReason.CHOSE_TO_STOP


def _in_episode(record: Any) -> dt.date:
    """A day inside the client's current episode: the day after enrollment (or referral)."""
    episode = record.client.current_episode
    return (episode.enrolled_on or episode.referred_on) + dt.timedelta(days=1)


class _ArchivableRecord(DjangoModelFactory):
    """Common to records about a client: an `archived` trait."""

    class Params:
        archived = factory.Trait(
            archived_at=factory.LazyFunction(timezone.now),
            archive_reason="Entered twice by mistake.",
        )


class ContactFactory(_ArchivableRecord, DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    specialist = factory.SubFactory(
        UserFactory, home_agency=factory.SelfAttribute("..client.program.agency")
    )
    contacted_on = factory.LazyAttribute(_in_episode)
    minutes = 45
    purpose = Contact.Purpose.JOB_SEARCH


class EmployerFactory(DjangoModelFactory[Employer]):
    class Meta:
        model = Employer

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Harbourside Bakery {n:03d}")
    industry = "Food service"


class JobFactory(_ArchivableRecord, DjangoModelFactory[Job]):
    """A job; `ended=True` gives it an end date and reason."""

    class Meta:
        model = Job

    class Params:
        ended = factory.Trait(
            ended_on=factory.LazyAttribute(lambda o: o.started_on + dt.timedelta(days=14)),
            end_reason=JobEndReason.QUIT,
        )

    client = factory.SubFactory(ClientFactory)
    employer = factory.SubFactory(
        EmployerFactory, program=factory.SelfAttribute("..client.program")
    )
    title = "Barista"
    job_type = JobType.FOOD_SERVICE
    started_on = factory.LazyAttribute(_in_episode)
    hours_per_week = Decimal("20.00")
    hourly_wage = Decimal("16.50")


class SupportFactory(_ArchivableRecord, DjangoModelFactory[Support]):
    class Meta:
        model = Support

    client = factory.SubFactory(ClientFactory)
    specialist = factory.SubFactory(
        UserFactory, home_agency=factory.SelfAttribute("..client.program.agency")
    )
    provided_on = factory.LazyAttribute(_in_episode)
    kind = Support.Kind.ON_THE_JOB


class BenefitsReferralFactory(_ArchivableRecord, DjangoModelFactory[BenefitsReferral]):
    class Meta:
        model = BenefitsReferral

    client = factory.SubFactory(ClientFactory)
    referred_on = factory.LazyAttribute(_in_episode)
    counselor = "Work Incentives Planning Office"
    benefits = factory.LazyFunction(lambda: ["ssi", "medicaid"])
