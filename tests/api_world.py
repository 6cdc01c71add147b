"""A record of every kind the API writes, in one program, and how to write each (shared by the
tests of strict input and of bounds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import Model

from clients.models import BenefitsReferral, Client, Contact, Job, Support
from employers.models import Employer, EmployerContact, EmployerPerson
from fidelity.models import Review
from ips.models import Agency, Program, User
from supervision.models import SupervisionSession, TeamMeeting
from tests.clients.factories import (
    BenefitsReferralFactory,
    ClientFactory,
    ContactFactory,
    EmployerFactory,
    JobFactory,
    SupportFactory,
    days_ago,
)
from tests.employers.factories import EmployerContactFactory, EmployerPersonFactory
from tests.factories import MinimumWageFactory
from tests.fidelity.factories import WINDOW, ensure_scale, outside_reviewer, plan_review
from tests.supervision.factories import TreatmentTeamFactory, meeting, session

World = SimpleNamespace
Body = Callable[[World], dict[str, Any]]


def iso(day: dt.date) -> str:
    return day.isoformat()


@pytest.fixture
def world(
    agency: Agency,
    program: Program,
    specialist: User,
    supervisor: User,
    admin: User,
    reviewer: User,
) -> World:
    """A record of every kind in `program`, and the people who write them."""
    ensure_scale()
    # An ordinary program has a minimum-wage schedule (its outcomes and reports need one).
    MinimumWageFactory(program=program)
    client = ClientFactory(program=program, specialist=specialist)
    employer = EmployerFactory(program=program, name="Harbourside Bakery")
    team = TreatmentTeamFactory(program=program, specialists=[specialist])
    second_reviewer = outside_reviewer(program)
    return World(
        agency=agency,
        program=program,
        specialist=specialist,
        supervisor=supervisor,
        admin=admin,
        reviewer=reviewer,
        second_reviewer=second_reviewer,
        client=client,
        employer=employer,
        team=team,
        contact=ContactFactory(client=client, specialist=specialist),
        job=JobFactory(client=client, employer=employer),
        support=SupportFactory(client=client, specialist=specialist),
        referral=BenefitsReferralFactory(client=client),
        person=EmployerPersonFactory(employer=employer),
        employer_contact=EmployerContactFactory(employer=employer, specialist=specialist),
        meeting=meeting(team=team, recorded_by=specialist),
        session=session(supervisor=supervisor, program=program),
        review=plan_review(
            program=program, reviewer_a=reviewer, reviewer_b=second_reviewer, actor=supervisor
        ),
    )


@dataclass(frozen=True)
class Resource:
    """A resource of the API: who writes it, a valid create body, its record in the world and
    a valid PUT body for it (without `version`), and whether it is archived."""

    basename: str
    model: type[Model]
    writer: str
    create: Body
    record: str
    put: Body | None
    archive: bool = True
    updater: str | None = None


def _client_put(w: World) -> dict[str, Any]:
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "birth_date": "1990-05-17",
        "referred_on": iso(w.client.current_episode.referred_on),
        "referral_source": "self",
    }


def _job_body(w: World) -> dict[str, Any]:
    return {
        "employer": w.employer.pk,
        "title": "Line cook",
        "job_type": "food_service",
        "started_on": iso(days_ago(2)),
        "hours_per_week": "25.00",
        "hourly_wage": "17.25",
    }


RESOURCES = [
    Resource(
        "program",
        Program,
        "admin",
        lambda w: {"agency": w.agency.pk, "name": "Harbor East"},
        "program",
        lambda w: {"name": "Harbor Works", "site": "Main Street"},
        archive=False,
    ),
    Resource(
        "client",
        Client,
        "specialist",
        lambda w: {
            "program": w.program.pk,
            "first_name": "Grace",
            "last_name": "Hopper",
            "birth_date": "1988-12-09",
            "referred_on": iso(days_ago(3)),
            "referral_source": "self",
        },
        "client",
        _client_put,
    ),
    Resource(
        "contact",
        Contact,
        "specialist",
        lambda w: {
            "client": w.client.pk,
            "contacted_on": iso(days_ago(1)),
            "minutes": 30,
            "purpose": "job_search",
        },
        "contact",
        lambda w: {"contacted_on": iso(days_ago(2)), "minutes": 40, "purpose": "job_support"},
    ),
    Resource(
        "job",
        Job,
        "specialist",
        lambda w: {"client": w.client.pk, **_job_body(w)},
        "job",
        _job_body,
    ),
    Resource(
        "support",
        Support,
        "specialist",
        lambda w: {"client": w.client.pk, "provided_on": iso(days_ago(1)), "kind": "on_the_job"},
        "support",
        None,
    ),
    Resource(
        "benefits-referral",
        BenefitsReferral,
        "specialist",
        lambda w: {
            "client": w.client.pk,
            "referred_on": iso(days_ago(1)),
            "counselor": "Pat Benefits",
            "benefits": ["ssi"],
        },
        "referral",
        lambda w: {"counselor": "Pat Benefits", "benefits": ["ssdi"]},
    ),
    Resource(
        "employer",
        Employer,
        "specialist",
        lambda w: {"program": w.program.pk, "name": "Lighthouse Books"},
        "employer",
        lambda w: {"name": "Harbourside Bakery and Cafe"},
    ),
    Resource(
        "employer-person",
        EmployerPerson,
        "specialist",
        lambda w: {"employer": w.employer.pk, "name": "Hana Baker"},
        "person",
        lambda w: {"name": "Hana Baker"},
        archive=False,
    ),
    Resource(
        "employer-contact",
        EmployerContact,
        "specialist",
        lambda w: {
            "employer": w.employer.pk,
            "contacted_on": iso(days_ago(1)),
            "purpose": "introduce",
        },
        "employer_contact",
        lambda w: {"contacted_on": iso(days_ago(2)), "purpose": "follow_up"},
    ),
    Resource(
        "team-meeting",
        TeamMeeting,
        "specialist",
        lambda w: {"team": w.team.pk, "held_on": iso(days_ago(1))},
        "meeting",
        lambda w: {"held_on": iso(days_ago(2))},
    ),
    Resource(
        "supervision-session",
        SupervisionSession,
        "supervisor",
        lambda w: {"program": w.program.pk, "held_on": iso(days_ago(1))},
        "session",
        lambda w: {"held_on": iso(days_ago(2))},
    ),
    Resource(
        "fidelity-review",
        Review,
        "supervisor",
        lambda w: {
            "program": w.program.pk,
            "kind": "follow_up",
            "window_start": iso(WINDOW[0]),
            "window_end": iso(WINDOW[1]),
            "reviewer_a": w.reviewer.pk,
            "reviewer_b": w.second_reviewer.pk,
        },
        "review",
        lambda w: {"strengths": "A clear referral path."},
        archive=False,
        updater="reviewer",
    ),
]
RESOURCE_BY_NAME = {r.basename: r for r in RESOURCES}
UPDATED = [r for r in RESOURCES if r.put is not None]
ARCHIVED = [r for r in RESOURCES if r.archive]
