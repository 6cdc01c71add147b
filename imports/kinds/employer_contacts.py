"""Job-development contacts with employers, on behalf of none, one or several imported clients
(`clients`: their external ids separated by `;`)."""

from __future__ import annotations

from dataclasses import dataclass

from employers.models import EmployerContact
from imports.cells import Row, model_problems
from imports.kinds.base import (
    Context,
    ImportedClient,
    ImportKind,
    Outcome,
    Planned,
    client_lookup,
    relation_names,
    resolve_employer,
    resolve_staff,
)
from imports.models import ImportedRecord

FIELDS = [
    "employer",
    "specialist",
    "contacted_on",
    "face_to_face",
    "with_hiring_manager",
    "purpose",
    "outcome",
    "next_step",
    "note",
]


@dataclass
class Loaded:
    clients: dict[str, ImportedClient]
    contacts: dict[int, EmployerContact]


def client_ids_of(row: Row) -> list[str]:
    return [part.strip() for part in row.text("clients").split(";") if part.strip()]


class EmployerContactsKind(ImportKind):
    key = "employer_contacts"
    model = EmployerContact
    columns = (
        "external_id",
        "employer",
        "contacted_on",
        "face_to_face",
        "with_hiring_manager",
        "purpose",
        "clients",
    )
    optional = ("specialist", "outcome", "next_step", "note")
    example = {
        "external_id": "EC-7001",
        "employer": "E-301",
        "contacted_on": "2024-02-05",
        "face_to_face": "yes",
        "with_hiring_manager": "yes",
        "purpose": "Present a job seeker",
        "clients": "C-1001;C-1002",
        "specialist": "username of the specialist",
        "outcome": "",
        "next_step": "",
        "note": "",
    }
    help = {
        "employer": "The external id of an imported employer, or the name of one.",
        "purpose": ", ".join(EmployerContact.Purpose.labels),
        "clients": "External ids of imported clients, separated by ;",
        "specialist": "Username of who made the contact; empty: you, if you record client work.",
    }

    def load(self, ctx: Context, rows: list[Row], mapped: dict[str, ImportedRecord]) -> Loaded:
        wanted = [client for row in rows for client in client_ids_of(row)]
        contacts = EmployerContact.objects.filter(pk__in=[m.object_id for m in mapped.values()])
        return Loaded(
            clients=client_lookup(ctx, wanted),
            contacts={contact.pk: contact for contact in contacts},
        )

    def build(
        self, ctx: Context, row: Row, mapping: ImportedRecord | None, loaded: Loaded
    ) -> tuple[EmployerContact, list[int]] | None:
        contact = loaded.contacts.get(mapping.object_id) if mapping else EmployerContact()
        if contact is None or contact.archived_at is not None:
            row.error("external_id", "The contact imported with this id has been archived.")
            return None
        contact.employer_id = resolve_employer(ctx, row)
        default = ctx.actor.pk if ctx.actor_records_work else None
        contact.specialist_id = resolve_staff(ctx, row, "specialist", default=default)
        if contact.specialist_id is None and "specialist" not in row.errors:
            row.error("specialist", "Give the username of who made the contact.")
        contact.contacted_on = row.past_date("contacted_on", "The contact date", required=True)
        contact.face_to_face = row.boolean("face_to_face")
        contact.with_hiring_manager = row.boolean("with_hiring_manager")
        contact.purpose = row.choice("purpose", EmployerContact.Purpose, required=True)
        for column in ("outcome", "next_step", "note"):
            setattr(contact, column, row.text(column))
        named = client_ids_of(row)
        unknown = [ext for ext in named if ext not in loaded.clients]
        archived = [
            ext for ext in named if ext in loaded.clients and loaded.clients[ext].archived_at
        ]
        if unknown:
            row.error("clients", f"No clients imported with the ids: {', '.join(unknown)}.")
        elif archived:
            row.error("clients", f"These clients' records are archived: {', '.join(archived)}.")
        if ctx.needs_check(row):
            model_problems(contact, row, {}, exclude=relation_names(EmployerContact))
        return contact, sorted({loaded.clients[ext].pk for ext in named if ext in loaded.clients})

    def write(
        self, ctx: Context, planned: list[Planned], loaded: Loaded, outcome: Outcome
    ) -> dict[str, int]:
        new = [item for item in planned if item.mapping is None]
        EmployerContact.objects.bulk_create([item.payload[0] for item in new])
        changed = [item.payload[0] for item in planned if item.mapping is not None]
        for contact in changed:
            contact.version += 1
        EmployerContact.objects.bulk_update(changed, [*FIELDS, "version"])
        through = EmployerContact.clients.through
        through.objects.filter(employercontact_id__in=[c.pk for c in changed]).delete()
        through.objects.bulk_create(
            through(employercontact_id=item.payload[0].pk, client_id=client_id)
            for item in planned
            for client_id in item.payload[1]
        )
        for item in planned:
            outcome.clients.update(item.payload[1])
        return {item.external_id: item.payload[0].pk for item in new}
