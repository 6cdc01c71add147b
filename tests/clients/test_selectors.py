"""The client reads (clients/selectors.py): what the pages' querysets are built from."""

from __future__ import annotations

import datetime as dt

import pytest

from clients.selectors import caseload_rows
from ips.models import User

pytestmark = pytest.mark.django_db

CASELOAD_ANNOTATIONS = (
    "last_contact_on",
    "working",
    "current_job",
    "next_step",
    "employer_contact_since_enrollment",
)


def test_each_caseload_builds_its_own_subqueries(specialist: User) -> None:
    """Two requests on the same day share no part of their query: compiling a query changes
    its subqueries' state for a moment, so a part kept between requests (or threads) is a race."""
    day = dt.date(2026, 3, 2)

    first = caseload_rows(user=specialist, today=day)
    second = caseload_rows(user=specialist, today=day)

    assert str(first.query) == str(second.query)
    for name in CASELOAD_ANNOTATIONS:
        assert first.query.annotations[name] is not second.query.annotations[name], name
