"""ips.reads: what a request reads of client records is recorded, whatever shape the rows come in;
counts and answers that show nothing record nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db.models import Count
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client, Contact
from ips.models import AuditEvent, Program, User
from ips.reads import ReadLog, recording, write
from tests.clients.factories import ClientFactory, ContactFactory
from tests.helpers import clients_read_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def log() -> Iterator[ReadLog]:
    """A read log, as the middleware gives each request."""
    with recording() as read_log:
        yield read_log


@pytest.fixture
def two(program: Program, specialist: User) -> list[Client]:
    return [ClientFactory(program=program, specialist=specialist) for _ in range(2)]


Read = Callable[[User], object]


@pytest.mark.parametrize(
    "read",
    [
        lambda user: list(Client.objects.visible_to(user)),
        lambda user: list(Client.objects.visible_to(user).values("first_name", "id")),
        lambda user: list(Client.objects.visible_to(user).values_list("last_name", "id")),
        lambda user: list(Client.objects.visible_to(user).values_list("pk", flat=True)),
        lambda user: list(Client.objects.visible_to(user).iterator()),
        lambda user: [Client.objects.visible_to(user).get(pk=pk) for pk in user.test_ids],
    ],
    ids=["models", "values", "values_list", "flat", "iterator", "get"],
)
def test_rows_read_through_visible_to_are_noted(
    read: Read, log: ReadLog, specialist: User, two: list[Client]
) -> None:
    specialist.test_ids = [client.pk for client in two]  # type: ignore[attr-defined]

    read(specialist)

    assert set(log.listed) == {client.pk for client in two}


def test_records_about_clients_note_their_clients(
    log: ReadLog, specialist: User, two: list[Client]
) -> None:
    ContactFactory(client=two[0], specialist=specialist)

    list(Contact.objects.visible_to(specialist).select_related("client"))

    assert set(log.listed) == {two[0].pk}


def test_counts_sums_and_unscoped_reads_note_nothing(
    log: ReadLog, specialist: User, two: list[Client]
) -> None:
    visible = Client.objects.visible_to(specialist)

    visible.count()
    visible.exists()
    list(visible.values("specialist").annotate(n=Count("id")))
    list(Client.objects.filter(pk__in=visible.values("id")))
    list(Client.objects.all())

    assert log.listed == {}


def test_the_log_is_written_as_one_bulk_event_per_agency(
    log: ReadLog, specialist: User, two: list[Client]
) -> None:
    list(Client.objects.visible_to(specialist))

    write(log, actor=specialist, path="/clients/")

    event = AuditEvent.objects.get()
    assert (event.action, event.agency_id, event.path) == (
        AuditEvent.Action.LIST,
        two[0].program.agency_id,
        "/clients/",
    )
    assert clients_read_by(specialist) == {client.pk for client in two}
    assert event.object_id == "2 clients"


def test_a_list_of_one_client_says_one_client(
    log: ReadLog, specialist: User, two: list[Client]
) -> None:
    list(Client.objects.visible_to(specialist).filter(pk=two[0].pk))

    write(log, actor=specialist, path="/clients/")

    assert AuditEvent.objects.get().object_id == "1 client"


def test_a_page_that_shows_nothing_records_nothing(
    login_as: Callable[[User], HttpClient], outsider_director: User, two: list[Client]
) -> None:
    response = login_as(outsider_director).get(reverse("clients:detail", args=[two[0].pk]))

    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_a_client_page_records_one_view_of_the_client(
    login_as: Callable[[User], HttpClient], specialist: User, two: list[Client]
) -> None:
    response = login_as(specialist).get(reverse("clients:detail", args=[two[0].pk]))

    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.subject_client_id) == (AuditEvent.Action.VIEW, two[0].pk)
