"""Migration 0007 (clients): every client gets one assignment spell, its current specialist's,
since the start of its record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clients.models import Client, SpecialistAssignment
from ips.models import Program, User
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("clients", "0007_specialist_assignment")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    MigrationExecutor(connection).migrate(targets)


@pytest.fixture
def before_backfill(program: Program, specialist: User) -> Iterator[tuple[Client, Client]]:
    """Two clients (one assigned, one not) as the release before the history left them."""
    assigned = ClientFactory(program=program, specialist=specialist)
    unassigned = ClientFactory(program=program)
    try:
        _migrate(BEFORE)
        yield assigned, unassigned
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_every_client_gets_its_current_specialist_since_the_start(
    before_backfill: tuple[Client, Client], specialist: User
) -> None:
    assigned, unassigned = before_backfill
    assert not SpecialistAssignment.objects.exists()

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    spells = SpecialistAssignment.objects.order_by("client_id").values_list(
        "client_id", "specialist_id", "started_on", "ended_on"
    )
    assert list(spells) == [
        (assigned.pk, specialist.pk, None, None),
        (unassigned.pk, None, None, None),
    ]
