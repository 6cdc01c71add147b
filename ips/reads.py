"""Reads of client records, recorded by construction for every request.

Every read of a client record is audited (protected health information). Rather than asking
each view to remember it, the request carries a read log (`ReadAuditMiddleware`):

- Querysets of records that name a client (`ReadAuditedQuerySet`: clients, their contacts, jobs,
  supports, referrals, …) note the client of every row they fetch once they come from
  `visible_to(user)`: a list page, a search, a drill-down, an API list, an export, a form that
  shows the client. Counts, sums and subqueries fetch no rows and note nothing.
- The page and API helpers that fetch one record for a user (`ips.pages.record_for`, the API's
  retrieve) note it as *viewed*.

When the response is ready, the log is written: one event per viewed record and one bulk event
(with its list of clients) for everything else the request showed, per agency. A response that
shows nothing (403, 404, 405, or an error) records nothing. Outside a request (tasks, commands)
nothing is noted: those act for no user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
)
from django.utils import timezone

from ips import access
from ips.models import AuditEvent, AuditEventClient

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from ips.access import AnyUser

# Answers that show no record: nothing was read.
SHOWS_NOTHING = frozenset({403, 404, 405})


@dataclass(frozen=True)
class Viewed:
    """One record a page or API call showed in full, and the client it is about."""

    content_type: ContentType
    object_id: str
    agency_id: int
    client_id: int | None
    action: str


@dataclass
class ReadLog:
    """What one request read: records viewed in full, and the clients its lists named."""

    viewed: dict[tuple[int, str], Viewed] = field(default_factory=dict)
    # Client ids in the order first seen (a dict keeps the order and drops repeats).
    listed: dict[int, None] = field(default_factory=dict)
    listed_model: type[models.Model] | None = None


_current: ContextVar[ReadLog | None] = ContextVar("ips_read_log", default=None)

# Agencies of clients, for a reader holding client roles in more than one agency: filled by the
# clients app when it starts (the base floor does not import it).
ClientAgencies = Callable[[list[int]], dict[int, int]]
_client_agencies: list[ClientAgencies] = []


@contextmanager
def recording() -> Iterator[ReadLog]:
    """A read log for the code run inside (the middleware gives one to each request)."""
    log = ReadLog()
    token = _current.set(log)
    try:
        yield log
    finally:
        _current.reset(token)


def register_client_agencies(resolver: ClientAgencies) -> None:
    """Tell the read log how to find the agency of clients by id (one query for many)."""
    _client_agencies[:] = [resolver]


def note_viewed(
    record: models.Model,
    *,
    agency_id: int,
    client_id: int | None,
    action: str = AuditEvent.Action.VIEW,
) -> None:
    """Record that the current request shows `record` (about `client_id`) in full."""
    content_type = ContentType.objects.get_for_model(record)
    read = Viewed(content_type, str(record.pk), agency_id, client_id, action)
    log = _current.get()
    if log is None:
        return
    log.viewed[(content_type.pk, read.object_id)] = read


def note_record(record: models.Model, *, action: str = AuditEvent.Action.VIEW) -> None:
    """Record that the current request shows `record` in full, when it is about a client
    (`type(record).client_id_path` leads to the client's id; records about no client, such as
    an employer, note nothing here: the clients their pages list are noted by their querysets)."""
    path = getattr(record, "client_id_path", None)
    if path is None:
        return
    client_id = attrgetter(path)(record)
    agency_id = access.program_of(record).agency_id
    note_viewed(record, agency_id=agency_id, client_id=client_id, action=action)


def note_listed(model: type[models.Model], client_ids: Iterable[int | None]) -> None:
    """Record that the current request shows these clients (rows of `model` about them)."""
    log = _current.get()
    if log is None:
        return
    for client_id in client_ids:
        if client_id is not None:
            log.listed[client_id] = None
    if log.listed_model is None and log.listed:
        log.listed_model = model


class ReadAuditedQuerySet(models.QuerySet):
    """A queryset of records that name a client. Once `recording_reads()` marks it (each model's
    `visible_to` does), the rows it fetches during a request are noted in the read log.

    `audited_client_field` is the attribute (or `values()` key) holding the client's id.
    """

    audited_client_field: ClassVar[str] = "client_id"
    _records_reads: bool = False

    def recording_reads(self) -> Self:
        """This queryset, noting the clients of the rows it fetches."""
        clone = self._chain()
        clone._records_reads = True
        return clone

    def _clone(self) -> Self:
        clone = super()._clone()
        clone._records_reads = self._records_reads
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._records_reads and self._result_cache:
            note_listed(self.model, self._client_ids(self._result_cache))

    def _iterator(self, use_chunked_fetch: bool, chunk_size: int | None) -> Iterator[Any]:
        rows = super()._iterator(use_chunked_fetch, chunk_size)
        if not self._records_reads:
            yield from rows
            return
        for row in rows:
            note_listed(self.model, self._client_ids([row]))
            yield row

    def _client_ids(self, rows: list[Any]) -> Iterator[int | None]:
        """The client id of each row, whatever shape the rows were fetched in. Rows without it
        (grouped counts) name no client."""
        attname = self.audited_client_field
        keys = (attname, "pk") if attname == "id" else (attname, attname.removesuffix("_id"))
        iterable = self._iterable_class
        if issubclass(iterable, ModelIterable):
            # Only what was loaded: a deferred field would cost a query per row.
            return (row.__dict__.get(attname) for row in rows)
        if issubclass(iterable, ValuesIterable):
            key = next((k for k in keys if rows and k in rows[0]), None)
            return (row[key] for row in rows) if key else iter(())
        fields = tuple(self._fields or ())
        index = next((fields.index(k) for k in keys if k in fields), None)
        if index is None:
            return iter(())
        if issubclass(iterable, FlatValuesListIterable):
            return iter(rows)
        if issubclass(iterable, ValuesListIterable):
            return (row[index] for row in rows)
        return iter(())


def _agencies_of(actor: AnyUser, client_ids: list[int]) -> dict[int, list[int]]:
    """The listed clients by agency. A reader whose client roles are all in one agency (nearly
    everyone) needs no query: every client they could list is of that agency."""
    grants = access.grants(actor)
    programs = grants.programs[access.Capability.VIEW_CLIENTS]
    agencies = {grants.program_agencies[program] for program in programs}
    if len(agencies) == 1:
        return {agencies.pop(): client_ids}
    by_agency: dict[int, list[int]] = {}
    resolved = _client_agencies[0](client_ids) if _client_agencies else {}
    for client_id in client_ids:
        agency_id = resolved.get(client_id)
        if agency_id is not None:
            by_agency.setdefault(agency_id, []).append(client_id)
    return by_agency


def write(log: ReadLog, *, actor: AnyUser, path: str) -> None:
    """Store what the request read: one event per record viewed, one per agency for the rest."""
    if not access.is_active_user(actor) or not (log.viewed or log.listed):
        return
    path = path[:300]
    events = [
        AuditEvent(
            actor=actor,
            action=read.action,
            agency_id=read.agency_id,
            content_type=read.content_type,
            object_id=read.object_id,
            subject_client_id=read.client_id,
            path=path,
        )
        for read in log.viewed.values()
    ]
    shown = {read.client_id for read in log.viewed.values()}
    listed = [client_id for client_id in log.listed if client_id not in shown]
    lists: list[tuple[AuditEvent, list[int]]] = []
    if listed and log.listed_model is not None:
        content_type = ContentType.objects.get_for_model(log.listed_model)
        for agency_id, ids in _agencies_of(actor, listed).items():
            event = AuditEvent(
                actor=actor,
                action=AuditEvent.Action.LIST,
                agency_id=agency_id,
                content_type=content_type,
                object_id=f"{len(ids)} client{'' if len(ids) == 1 else 's'}",
                path=path,
            )
            lists.append((event, ids))
    if not events and not lists:
        return  # listed clients whose agency could not be found: nothing to write
    if connection.vendor == "postgresql":
        _insert_in_one_statement(events, lists)
        return
    # No savepoint: inside a caller's transaction a failure here fails it whole.
    with transaction.atomic(savepoint=False):
        AuditEvent.objects.bulk_create([*events, *(event for event, _ in lists)])
        AuditEventClient.objects.bulk_create(
            AuditEventClient(event=event, client_id=client_id)
            for event, ids in lists
            for client_id in ids
        )


def _insert_in_one_statement(
    events: list[AuditEvent], lists: list[tuple[AuditEvent, list[int]]]
) -> None:
    """The events and the clients of each list in one statement (data-modifying CTEs): one
    round trip, atomic by itself, no transaction to open; a tenth of the ORM's CPU time, which
    every page reading a client pays."""
    at = timezone.now()
    columns = ", ".join(("at", *_EVENT_FIELDS))
    row = f"({', '.join(['%s'] * (1 + len(_EVENT_FIELDS)))})"
    parts: list[str] = []
    params: list[Any] = []

    def values(event: AuditEvent) -> list[Any]:
        return [at, *(getattr(event, name) for name in _EVENT_FIELDS)]

    if events:
        parts.append(
            f"viewed AS (INSERT INTO {EVENTS} ({columns}) "  # noqa: S608 (names and %s only)
            f"VALUES {', '.join([row] * len(events))})"
        )
        params.extend(value for event in events for value in values(event))
    for number, (event, ids) in enumerate(lists):
        parts.append(
            f"list{number} AS (INSERT INTO {EVENTS} ({columns}) VALUES {row} RETURNING id), "  # noqa: S608
            f"named{number} AS (INSERT INTO {EVENT_CLIENTS} (event_id, client_id) "
            f"SELECT list{number}.id, unnest(%s::bigint[]) FROM list{number})"
        )
        params.extend([*values(event), ids])
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT 1", params)


EVENTS = AuditEvent._meta.db_table
EVENT_CLIENTS = AuditEventClient._meta.db_table
# What a read event records besides its time (columns and attributes share these names).
_EVENT_FIELDS = (
    "actor_id",
    "action",
    "agency_id",
    "content_type_id",
    "object_id",
    "subject_client_id",
    "path",
)


class ReadAuditMiddleware:
    """Gives every request a read log and writes it once the response is ready."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with recording() as log:
            response = self.get_response(request)
        if response.status_code < 500 and response.status_code not in SHOWS_NOTHING:
            # The API authenticates inside the view and sets the user on the request then.
            write(log, actor=request.user, path=request.path)
        return response
