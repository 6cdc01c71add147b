"""What every kind of import shares: the run's context, the batch of rows, and the one way a
batch is planned (created, updated, skipped or in error) and, when confirmed, written.

A batch costs a fixed number of queries whatever its length: the mappings of its external ids,
the kind's own look-ups (`ImportKind.load`), then the bulk writes. No query runs per row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, models
from django.utils.functional import cached_property

from clients.models import Client, Episode
from employers.models import Employer, normalise_employer_name
from imports.cells import Row
from imports.models import ImportedRecord
from ips import access
from ips.models import Program, Role, StaffRole, User


@dataclass
class Context:
    """One run's settings and what it has seen so far (external ids, people), so a second row
    of the file with the same id or the same person is refused."""

    program: Program
    actor: User
    date_order: str = "mdy"
    write: bool = False
    seen_ids: dict[str, int] = field(default_factory=dict)
    seen: dict[Any, int] = field(default_factory=dict)
    # The rows the preview found valid. Their cells are the stored file's, unchanged, so the
    # model's field checks (which read only the cells) are not run on them again as they are
    # written; what depends on the records (clients, employers, mappings) is looked up again.
    checked: set[int] = field(default_factory=set)

    def needs_check(self, row: Row) -> bool:
        """Whether the model's field checks should run on the row's record."""
        return row.ok and row.number not in self.checked

    @cached_property
    def staff(self) -> dict[str, tuple[int, str]]:
        """The program's specialists and supervisors by username (lower case): (id, role)."""
        roles = StaffRole.objects.filter(
            program=self.program,
            role__in=[Role.SPECIALIST, Role.SUPERVISOR],
            user__is_active=True,
        ).values_list("user__username", "user_id", "role")
        found: dict[str, tuple[int, str]] = {}
        for username, user_id, role in roles:
            if found.get(username.lower(), (0, ""))[1] != Role.SPECIALIST:
                found[username.lower()] = (user_id, role)
        return found

    @cached_property
    def actor_records_work(self) -> bool:
        """Whether the importing user records client work in the program (a supervisor)."""
        return access.can(self.actor, access.Capability.EDIT_CLIENTS, program=self.program)

    @cached_property
    def employers(self) -> dict[str, list[tuple[int, bool]]]:
        """The program's employers by normalised name: [(id, archived)]."""
        found: dict[str, list[tuple[int, bool]]] = {}
        rows = Employer.objects.filter(program=self.program).values_list(
            "name_key", "id", "archived_at"
        )
        for key, pk, archived_at in rows:
            found.setdefault(key, []).append((pk, archived_at is not None))
        return found

    @cached_property
    def archived_employers(self) -> dict[int, bool]:
        """Whether each employer of the program is archived, by id."""
        return {pk: archived for found in self.employers.values() for pk, archived in found}

    @cached_property
    def employer_ids(self) -> dict[str, int]:
        """The agency's ids of the employers imported into the program."""
        return dict(
            ImportedRecord.objects.filter(program=self.program, kind="employers").values_list(
                "external_id", "object_id"
            )
        )


@dataclass
class Planned:
    """A valid row and what the run does with it; `payload` is the kind's built record(s)."""

    row: Row
    external_id: str
    digest: str
    action: str
    mapping: ImportedRecord | None = None
    payload: Any = None


@dataclass
class Outcome:
    """What one batch planned (or wrote)."""

    plan: list[list[Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: int = 0
    clients: set[int] = field(default_factory=set)
    earliest: dt.date | None = None

    def note_date(self, day: dt.date | None) -> None:
        if day is not None and (self.earliest is None or day < self.earliest):
            self.earliest = day


def row_digest(row: Row) -> str:
    """A hash of the row's cells: the same row imported again is skipped."""
    text = json.dumps(sorted(row.values.items()), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def relation_names(model: type[models.Model]) -> list[str]:
    """The model's foreign keys: left out of `clean_fields`, which would query each one (the
    import resolves them from its own look-ups)."""
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


_BY_EXTERNAL_ID = (
    " FROM imports_importedrecord record"
    " JOIN unnest(%s::text[]) AS wanted(external_id) ON record.external_id = wanted.external_id"
    " WHERE record.program_id = %s AND record.kind = %s"
)
MAPPINGS_SQL = "SELECT record.*" + _BY_EXTERNAL_ID
MAPPED_IDS_SQL = "SELECT record.external_id, record.object_id" + _BY_EXTERNAL_ID


def mappings(program: Program, kind: str, external_ids: Iterable[str]) -> dict[str, ImportedRecord]:
    """The records already imported into the program for these external ids of `kind`."""
    wanted = sorted({value for value in external_ids if value})
    if not wanted:
        return {}
    if connection.vendor == "postgresql":
        # One index probe per id. `external_id IN (…)` is a prepared statement after a few
        # batches, and PostgreSQL's generic plan for it scanned every mapping of the program
        # and kind, comparing each with every id of the batch: seconds per batch at 50,000.
        found: Iterable[ImportedRecord] = ImportedRecord.objects.raw(
            MAPPINGS_SQL, [wanted, program.pk, kind]
        )
    else:
        found = ImportedRecord.objects.filter(program=program, kind=kind, external_id__in=wanted)
    return {record.external_id: record for record in found}


@dataclass
class ImportedClient:
    """What the rows naming a client need of it: plain values, no model instance (a batch
    names up to a thousand clients, twice per run)."""

    pk: int
    specialist_id: int | None
    archived_at: dt.datetime | None
    episode_spans: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)


def mapped_ids(program: Program, kind: str, external_ids: Iterable[str]) -> dict[str, int]:
    """The ids of the records imported into the program for these external ids of `kind`."""
    wanted = sorted({value for value in external_ids if value})
    if not wanted:
        return {}
    if connection.vendor != "postgresql":
        found = ImportedRecord.objects.filter(program=program, kind=kind, external_id__in=wanted)
        return dict(found.values_list("external_id", "object_id"))
    with connection.cursor() as cursor:
        cursor.execute(MAPPED_IDS_SQL, [wanted, program.pk, kind])
        return dict(cursor.fetchall())


def client_lookup(ctx: Context, external_ids: Iterable[str]) -> dict[str, ImportedClient]:
    """The imported clients of the program by external id, with their episodes' dates
    (`episode_spans`): three queries."""
    ids = {pk: ext for ext, pk in mapped_ids(ctx.program, "clients", external_ids).items()}
    rows = Client.objects.filter(pk__in=list(ids), program=ctx.program).values_list(
        "id", "specialist_id", "archived_at"
    )
    by_pk = {pk: ImportedClient(pk, specialist, archived) for pk, specialist, archived in rows}
    episodes = Episode.objects.filter(client_id__in=list(by_pk)).values_list(
        "client_id", "referred_on", "closed_on"
    )
    for client_id, referred, closed in episodes:
        by_pk[client_id].episode_spans.append((referred, closed))
    return {ids[pk]: client for pk, client in by_pk.items()}


def within_an_episode(client: ImportedClient, day: dt.date) -> bool:
    """Whether `day` falls in one of the client's episodes (`Episode.covers`)."""
    spans = client.episode_spans
    return any(start <= day and (end is None or day <= end) for start, end in spans)


COUNTED = {"create": "created", "update": "updated", "skip": "skipped"}
OUTSIDE_EPISODES = "This date is outside the client's enrollment (from referral to closure)."


def insert_records(model: type[models.Model], records: list[Any]) -> None:
    """Insert new records of `model` and give each its id, as `bulk_create` does.

    On PostgreSQL the ids are taken from the table's sequence in one query and the rows sent
    with COPY: a batch of a thousand rows as a single INSERT is a statement of some ten
    thousand parameters that psycopg splits and PostgreSQL parses and plans, which cost more
    than the rows themselves. Each value is prepared for the database as `bulk_create`
    prepares it (`pre_save`, then `get_db_prep_save`: `auto_now_add` stamps, JSON, …)."""
    if not records:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(records)  # type: ignore[attr-defined]
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    db = connections[connection.alias]  # not the proxy: each value asks it for its operations
    # `wrap_database_errors`: psycopg's own errors from COPY become Django's, as the writer
    # expects (a failed batch fails the run with the error's kind).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(records)],  # type: ignore[union-attr]
        )
        for record, (pk,) in zip(records, cursor.fetchall(), strict=True):
            record.pk = pk
        columns = ", ".join(
            quote(column) for column in [meta.pk.column, *(f.column for f in fields)]
        )  # type: ignore[union-attr]
        statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for record in records:
                copy.write_row(
                    [
                        record.pk,
                        *(
                            field.get_db_prep_save(field.pre_save(record, True), db)
                            for field in fields
                        ),
                    ]
                )
        for record in records:
            record._state.adding = False
            record._state.db = connection.alias


def write_versioned(
    model: type[models.Model], planned: list[Planned], fields: list[str]
) -> list[Planned]:
    """Insert the batch's new records and update the changed ones (their `version` one up) in
    two statements; the planned rows of new records, for the caller to map."""
    new = [item for item in planned if item.mapping is None]
    insert_records(model, [item.payload for item in new])
    changed = [item.payload for item in planned if item.mapping is not None]
    for record in changed:
        record.version += 1
    model.objects.bulk_update(changed, [*fields, "version"])  # type: ignore[attr-defined]
    return new


class ImportKind:
    """A kind of import: its columns (the contract, every one in the file's header, plus the
    optional ones a template adds), an example row, and how a batch is planned and written."""

    key: ClassVar[str]
    model: ClassVar[type[models.Model]]
    columns: ClassVar[tuple[str, ...]]
    optional: ClassVar[tuple[str, ...]] = ()
    example: ClassVar[dict[str, str]]
    help: ClassVar[dict[str, str]] = {}
    # Model field → column, where the names differ (for the messages of the model's checks).
    field_columns: ClassVar[dict[str, str]] = {}

    @property
    def all_columns(self) -> tuple[str, ...]:
        return (*self.columns, *self.optional)

    def header_problem(self, header: list[str]) -> str | None:
        """Why the file's columns do not fit this kind (missing, unknown or repeated), or None."""
        repeated = sorted({name for name in header if header.count(name) > 1})
        missing = [name for name in self.columns if name not in header]
        unknown = [name for name in header if name not in self.all_columns]
        problems = []
        if missing:
            problems.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown columns: {', '.join(unknown)}")
        if repeated:
            problems.append(f"columns named twice: {', '.join(repeated)}")
        if not problems:
            return None
        return (
            f"The columns do not match the {self.key.replace('_', ' ')} template ("
            + "; ".join(problems)
            + "). Download the template to see the columns."
        )

    # --- per batch ----------------------------------------------------------------------

    def process(self, ctx: Context, rows: list[Row]) -> Outcome:
        """Plan the rows (and write them when `ctx.write`): every row is created, updated,
        skipped (unchanged since it was last imported) or in error."""
        outcome = Outcome()
        mapped = mappings(ctx.program, self.key, (row.text("external_id") for row in rows))
        loaded = self.load(ctx, rows, mapped)
        planned: list[Planned] = []
        for row in rows:
            item = self._plan_row(ctx, row, mapped, loaded)
            if item is None:
                outcome.errors.extend(
                    {"row": row.number, "column": column, "message": message, "values": row.values}
                    for column, message in row.errors.items()
                )
                continue
            outcome.plan.append([row.number, item.external_id, item.action])
            counted = COUNTED[item.action]
            setattr(outcome, counted, getattr(outcome, counted) + 1)
            if item.action != "skip":
                planned.append(item)
        if ctx.write and planned:
            self._write(ctx, planned, loaded, outcome)
        return outcome

    def _plan_row(
        self, ctx: Context, row: Row, mapped: dict[str, ImportedRecord], loaded: Any
    ) -> Planned | None:
        external_id = row.text("external_id", required=True)
        if len(external_id) > 100:
            row.error("external_id", "An external id has at most 100 characters.")
        earlier = ctx.seen_ids.get(external_id)
        if external_id and earlier is not None and earlier != row.number:
            row.error("external_id", f"Row {earlier} of this file has the same external id.")
        if external_id:
            ctx.seen_ids.setdefault(external_id, row.number)
        mapping = mapped.get(external_id)
        digest = row_digest(row)
        if row.ok and mapping is not None and mapping.digest == digest:
            return Planned(row, external_id, digest, "skip", mapping)
        payload = self.build(ctx, row, mapping, loaded)
        if not row.ok:
            return None
        action = "create" if mapping is None else "update"
        return Planned(row, external_id, digest, action, mapping, payload)

    def _write(self, ctx: Context, planned: list[Planned], loaded: Any, outcome: Outcome) -> None:
        made = self.write(ctx, planned, loaded, outcome)
        content_type = ContentType.objects.get_for_model(self.model)
        new = []
        changed = []
        for item in planned:
            if item.mapping is None:
                new.append(
                    ImportedRecord(
                        program=ctx.program,
                        kind=self.key,
                        external_id=item.external_id,
                        content_type=content_type,
                        object_id=made[item.external_id],
                        digest=item.digest,
                    )
                )
            else:
                item.mapping.digest = item.digest
                changed.append(item.mapping)
        new.extend(self.extra_mappings(ctx, planned))
        insert_records(ImportedRecord, new)
        ImportedRecord.objects.bulk_update(changed, ["digest", "updated_at"])

    # --- what each kind says --------------------------------------------------------------

    def load(self, ctx: Context, rows: list[Row], mapped: dict[str, ImportedRecord]) -> Any:
        """The batch's look-ups: a fixed number of queries."""
        raise NotImplementedError

    def build(self, ctx: Context, row: Row, mapping: ImportedRecord | None, loaded: Any) -> Any:
        """The record(s) the row becomes (new, or the mapped one changed), problems on `row`."""
        raise NotImplementedError

    def write(
        self, ctx: Context, planned: list[Planned], loaded: Any, outcome: Outcome
    ) -> dict[str, int]:
        """Write the batch's records in bulk; returns the new records' ids by external id."""
        raise NotImplementedError

    def extra_mappings(self, ctx: Context, planned: list[Planned]) -> list[ImportedRecord]:
        """Mappings of the parts a row also writes (a client's episode)."""
        return []


def resolve_staff(ctx: Context, row: Row, column: str, *, default: int | None) -> int | None:
    """The user a `specialist` cell names (a specialist or supervisor of the program), else
    `default`."""
    username = row.text(column)
    if not username:
        return default
    found = ctx.staff.get(username.lower())
    if found is None:
        row.error(column, f"“{username}” is not a specialist or supervisor of this program.")
        return None
    return found[0]


def resolve_employer(ctx: Context, row: Row, column: str = "employer") -> int | None:
    """The employer a cell names: the agency's id of an imported employer, else its name."""
    value = row.text(column, required=True)
    if not value:
        return None
    if value in ctx.employer_ids:
        pk = ctx.employer_ids[value]
        archived = ctx.archived_employers.get(pk, True)
    else:
        matches = [m for m in ctx.employers.get(normalise_employer_name(value), []) if not m[1]]
        if len(matches) > 1:
            row.error(column, f"Several employers of this program are named “{value}”.")
            return None
        if not matches:
            row.error(column, f"Unknown employer “{value}”: import it or add it first.")
            return None
        pk, archived = matches[0]
    if archived:
        row.error(column, f"The employer “{value}” is archived.")
        return None
    return pk
