"""Property-based fuzzing of the whole API against its own OpenAPI schema (Schemathesis).

Every operation of `/api/v1/schema/` is called with generated input — valid and invalid — as two
roles (a specialist, who writes client records, and a director, who reads the agency's and its
outcome numbers), in-process through the WSGI application, on a small world of real records.
A run fails on any server error (5xx) and on any answer that the schema does not describe
(status code, body or content type). The number of examples per operation is bounded and the
generation derandomised, so a run takes the same path every time and `make test` stays fast;
`FUZZ_EXAMPLES` raises it for a deeper run by hand.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.clients.factories import (
    BenefitsReferralFactory,
    ClientFactory,
    ContactFactory,
    EmployerFactory,
    JobFactory,
    SupportFactory,
    api_token,
)
from tests.conftest import make_organisation, make_persona

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _api_schema() -> schemathesis.BaseSchema:
    """The schema `/api/v1/schema/` serves (built by the same generator and renderer), called
    through the WSGI application in this process: one test per operation."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    # The coverage phase's exhaustive boundary cases take minutes; `make test` runs the examples
    # and a bounded fuzzing phase (FUZZ_COVERAGE=1 adds it, for a deeper run by hand).
    config = schemathesis.Config.from_dict(
        {"phases": {"coverage": {"enabled": os.environ.get("FUZZ_COVERAGE") == "1"}}}
    )
    body = json.loads(OpenApiJsonRenderer().render(document))
    loaded = schemathesis.openapi.from_dict(body, config=config)
    loaded.app = application
    return loaded


schema = _api_schema()


@pytest.fixture(autouse=True)
def connection_kept_across_requests() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end the
    test's transaction: as Django's test client does, keep it open while the test runs."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["specialist", "director"])
def persona(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """A client with a contact, a job, a support and a referral, and the two callers' tokens:
    built once for the module inside a transaction rolled back at its end. Each case runs in a
    savepoint of it, so what a case writes is gone before the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        organisation = make_organisation()
        program = organisation.program
        specialist = make_persona("specialist", program=program)
        director = make_persona("director", agency=organisation.agency)
        employer = EmployerFactory(program=program)
        client = ClientFactory(program=program, specialist=specialist)
        ContactFactory(client=client, specialist=specialist)
        JobFactory(client=client, employer=employer)
        SupportFactory(client=client, specialist=specialist)
        BenefitsReferralFactory(client=client)
        yield {"specialist": api_token(specialist), "director": api_token(director)}
        transaction.set_rollback(True)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_input_as_its_schema_says(
    case: schemathesis.Case, persona: str, world: dict[str, str]
) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {world[persona]}"}, checks=CHECKS)
