"""The audit trail, in one place the rest of the code calls.

- Changes: django-auditlog records every create/update/delete of a registered model, with who,
  when and before → after (`register_changes` below is the one list of audited models).
- Reads: every read of a client record is recorded by construction (`ips.reads`: a read log per
  request, filled by the client querysets and the record-fetching helpers); `audit_read` records
  a read at once (exports). All audit tables are append-only (PostgreSQL enforces it with a
  trigger).
- `history_page` merges the two into one timeline for the admin page, a page at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from ips import access
from ips.models import (
    Agency,
    ApiToken,
    AuditEvent,
    MinimumWage,
    Program,
    RoleRequest,
    StaffRole,
    User,
)

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class AuditedKind:
    """A kind of record whose history the audit page shows, and which of them a user may audit."""

    label: str
    scope: Callable[[User], QuerySet]
    # Client records are protected health information: auditors see which fields changed and by
    # whom, not the values.
    show_values: bool = True


AUDITED_KINDS: dict[str, AuditedKind] = {}


def register_audited_kind(
    key: str, label: str, scope: Callable[[User], QuerySet], *, show_values: bool = True
) -> None:
    """Make a kind of record searchable on the audit page, within `scope(user)` only."""
    AUDITED_KINDS[key] = AuditedKind(label=label, scope=scope, show_values=show_values)


def record_for_audit(user: User, key: str, object_id: str) -> Model:
    """The record whose history the user asked for, or 404 if unknown or outside their scope."""
    kind = AUDITED_KINDS.get(key)
    if kind is None or not object_id.isdigit():
        raise Http404("No such record.")
    record = kind.scope(user).filter(pk=int(object_id)).first()
    if record is None:
        raise Http404("No such record.")
    return record


def register_changes() -> None:
    """Register every organisation model whose changes are audited (from `IpsConfig.ready`)."""
    auditlog.register(Agency)
    auditlog.register(Program)
    auditlog.register(MinimumWage)
    auditlog.register(StaffRole)
    auditlog.register(RoleRequest)
    auditlog.register(User, exclude_fields=["password", "last_login"])
    # Issued and revoked, by whom, for whom, until when; never the key's digest (nor each use).
    auditlog.register(ApiToken, exclude_fields=["digest", "last_used_at"])

    def audited_programs(user: User) -> QuerySet:
        return Program.objects.filter(
            agency_id__in=access.agency_ids_for(user, access.Capability.VIEW_AUDIT)
        )

    register_audited_kind("program", "Program", audited_programs)
    register_audited_kind("staff", "Staff account", User.objects.visible_to)


def audit_read(
    *,
    actor: User,
    obj: Model,
    agency_id: int,
    action: str = AuditEvent.Action.VIEW,
    subject_client_id: int | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Record that `actor` read `obj` (which belongs to agency `agency_id`).

    `subject_client_id` names the client a record is about, so a client's history includes reads
    of their jobs and contacts. The path stored is the request path: URLs carry ids only.
    """
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        agency_id=agency_id,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        subject_client_id=subject_client_id,
        path=request.path[:300] if request is not None else "",
    )


def read_label(event: AuditEvent) -> str:
    """What a read event names: the record, or how many clients a list showed."""
    if event.action == AuditEvent.Action.LIST:
        return f"{event.object_id} ({event.content_type.name} list)"
    return f"{event.content_type.name} #{event.object_id}"


# Changes before reads at one instant; then the newer row first.
CHANGE, READ = 1, 0
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(frozen=True, order=True)
class Position:
    """Where a row stands in a history, newest first: its time, whether it is a change or a
    read, and its id (many reads of one request share their time). The page after a row starts
    just below its position, so no row is shown twice or skipped, however many share a time."""

    at: dt.datetime
    source: int
    pk: int

    @property
    def token(self) -> str:
        """For the address: digits only (microseconds since 1970, source, id)."""
        return f"{(self.at - _EPOCH) // _MICROSECOND}-{self.source}-{self.pk}"

    @classmethod
    def parse(cls, token: str) -> Position:
        """The position a `token` names; ValueError for anything else."""
        parts = token.split("-")
        if len(parts) != 3 or not all(part.isdigit() for part in parts):
            raise ValueError(token)
        microseconds, source, pk = (int(part) for part in parts)
        if source not in (CHANGE, READ) or microseconds > 2**62:
            raise ValueError(token)
        return cls(_EPOCH + microseconds * _MICROSECOND, source, pk)

    def older(self, source: int, at: str) -> Q:
        """Rows of `source` (timed by the field `at`) that come after this position."""
        if source == self.source:
            return Q(**{f"{at}__lt": self.at}) | Q(**{at: self.at, "id__lt": self.pk})
        return Q(**{f"{at}__lt" if source > self.source else f"{at}__lte": self.at})


@dataclass(frozen=True)
class HistoryRow:
    """One line of a record's history: a read or a change."""

    at: dt.datetime
    actor: str
    kind: str
    what: str
    changes: dict[str, Any]
    position: Position


@dataclass(frozen=True)
class HistoryPage:
    """Up to a page of history, newest first, and where the next (older) page starts, if any."""

    rows: list[HistoryRow]
    older: Position | None


def history_for(obj: Model, *, limit: int = 200) -> list[HistoryRow]:
    """The latest `limit` reads and changes of `obj` (see `history_page`)."""
    return history_page(obj, size=limit).rows


def history_page(obj: Model, *, size: int = 200, before: Position | None = None) -> HistoryPage:
    """Reads and changes of `obj` (and, for a client, of records about that client), newest
    first, `size` at a time: the page below `before`, or the latest.

    Two queries, whatever the length of the history.
    """
    content_type = ContentType.objects.get_for_model(obj)
    object_id = str(obj.pk)
    reads = Q(content_type=content_type, object_id=object_id)
    changes = Q(content_type=content_type, object_pk=object_id)
    if content_type.model == "client":
        # Reads of records about the client, and lists that named them.
        reads |= Q(subject_client_id=obj.pk) | Q(clients__client_id=obj.pk)
        changes |= Q(additional_data__client_id=obj.pk)
    elif content_type.model == "user":
        # The API tokens issued to the account and revoked.
        api_tokens = ContentType.objects.get_for_model(ApiToken)
        changes |= Q(content_type=api_tokens, additional_data__user_id=obj.pk)
        # A staff account's roles and role requests: who asked, who approved, who removed.
        changes |= Q(additional_data__staff_id=obj.pk)
    if before is not None:
        reads &= before.older(READ, "at")
        changes &= before.older(CHANGE, "timestamp")
    # One more of each than a page: whether an older page exists.
    events = AuditEvent.objects.filter(reads).select_related("actor", "content_type")
    read_rows = [
        HistoryRow(
            at=event.at,
            actor=str(event.actor),
            kind=event.get_action_display(),
            what=read_label(event),
            changes={},
            position=Position(event.at, READ, event.pk),
        )
        for event in events.order_by("-at", "-id")[: size + 1]
    ]
    entries = LogEntry.objects.filter(changes).select_related("actor", "content_type")
    change_rows = [
        HistoryRow(
            at=entry.timestamp,
            actor=str(entry.actor) if entry.actor else "system",
            kind=entry.get_action_display(),
            what=f"{entry.content_type.name} #{entry.object_pk}",
            changes=entry.changes_dict,
            position=Position(entry.timestamp, CHANGE, entry.pk),
        )
        for entry in entries.order_by("-timestamp", "-id")[: size + 1]
    ]
    rows = sorted(read_rows + change_rows, key=lambda row: row.position, reverse=True)
    return HistoryPage(rows[:size], rows[size - 1].position if len(rows) > size else None)


@dataclass(frozen=True)
class ReadsPage:
    """Up to a page of reads, newest first, and where the next (older) page starts, if any."""

    events: list[AuditEvent]
    older: Position | None


def reads_page(
    reader: User, *, actor_id: int | None = None, size: int = 100, before: Position | None = None
) -> ReadsPage:
    """Reads recorded in the agencies whose trail `reader` may read (`actor_id`: by that person
    only), newest first, `size` at a time: the page below `before`, or the latest. One query."""
    events = AuditEvent.objects.visible_to(reader).select_related("actor", "content_type")
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if before is not None:
        events = events.filter(before.older(READ, "at"))
    shown = list(events.order_by("-at", "-id")[: size + 1])
    last = shown[size - 1] if len(shown) > size else None
    return ReadsPage(shown[:size], Position(last.at, READ, last.pk) if last else None)
