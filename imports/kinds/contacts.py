"""Client contacts, each of a client imported before (`client_external_id`)."""

from __future__ import annotations

from dataclasses import dataclass

from clients.models import Contact
from imports.cells import Row, model_problems
from imports.kinds.base import (
    OUTSIDE_EPISODES,
    Context,
    ImportedClient,
    ImportKind,
    Outcome,
    Planned,
    client_lookup,
    relation_names,
    resolve_staff,
    within_an_episode,
    write_versioned,
)
from imports.models import ImportedRecord

UNKNOWN_CLIENT = "No client with the external id “{}” has been imported into this program."
FIELDS = ["client", "specialist", "contacted_on", "minutes", "purpose", "mode", "place"]


@dataclass
class Loaded:
    clients: dict[str, ImportedClient]
    contacts: dict[int, Contact]


class ContactsKind(ImportKind):
    key = "contacts"
    model = Contact
    columns = (
        "external_id",
        "client_external_id",
        "contacted_on",
        "minutes",
        "purpose",
        "mode",
        "place",
        "note",
    )
    optional = ("with_whom", "specialist")
    example = {
        "external_id": "K-50001",
        "client_external_id": "C-1001",
        "contacted_on": "2024-02-02",
        "minutes": "45",
        "purpose": "Job search",
        "mode": "In person",
        "place": "Community",
        "note": "",
        "with_whom": "Client",
        "specialist": "",
    }
    help = {
        "purpose": ", ".join(Contact.Purpose.labels),
        "mode": ", ".join(Contact.Mode.labels) + " (empty: in person)",
        "place": ", ".join(Contact.Place.labels)
        + " (empty: community in person, remote otherwise)",
        "with_whom": ", ".join(Contact.WithWhom.labels) + " (empty: client)",
        "specialist": "Username of who made the contact; empty: the client's specialist.",
    }
    field_columns = {"contacted_on": "contacted_on", "client": "client_external_id"}

    def load(self, ctx: Context, rows: list[Row], mapped: dict[str, ImportedRecord]) -> Loaded:
        clients = client_lookup(ctx, (row.text("client_external_id") for row in rows))
        contacts = Contact.objects.filter(pk__in=[m.object_id for m in mapped.values()])
        return Loaded(clients=clients, contacts={contact.pk: contact for contact in contacts})

    def build(
        self, ctx: Context, row: Row, mapping: ImportedRecord | None, loaded: Loaded
    ) -> Contact | None:
        client_id = row.text("client_external_id", required=True)
        client = loaded.clients.get(client_id)
        if client_id and client is None:
            row.error("client_external_id", UNKNOWN_CLIENT.format(client_id))
        elif client is not None and client.archived_at is not None:
            row.error("client_external_id", "This client's record is archived.")
        day = row.past_date("contacted_on", "The contact date", required=True)
        if client is not None and day is not None and not within_an_episode(client, day):
            row.error("contacted_on", OUTSIDE_EPISODES)
        default = client.specialist_id if client is not None else None
        specialist_id = resolve_staff(ctx, row, "specialist", default=default)
        if client is not None and specialist_id is None and "specialist" not in row.errors:
            row.error(
                "specialist",
                "The client has no assigned specialist: give the username of who made the contact.",
            )
        contact = loaded.contacts.get(mapping.object_id) if mapping else Contact()
        if contact is None or contact.archived_at is not None:
            row.error("external_id", "The contact imported with this id has been archived.")
            return None
        contact.client_id = client.pk if client is not None else None
        contact.specialist_id = specialist_id
        contact.contacted_on = day
        contact.minutes = row.whole_number("minutes", required=True)
        contact.purpose = row.choice("purpose", Contact.Purpose, required=True)
        contact.mode = row.choice("mode", Contact.Mode) or Contact.Mode.IN_PERSON
        contact.place = row.choice("place", Contact.Place) or Contact.default_place(contact.mode)
        contact.with_whom = row.choice("with_whom", Contact.WithWhom) or Contact.WithWhom.CLIENT
        contact.note = row.text("note")
        if ctx.needs_check(row):
            model_problems(contact, row, self.field_columns, exclude=relation_names(Contact))
        return contact

    def write(
        self, ctx: Context, planned: list[Planned], loaded: Loaded, outcome: Outcome
    ) -> dict[str, int]:
        new = write_versioned(Contact, planned, [*FIELDS, "with_whom", "note"])
        for item in planned:
            outcome.clients.add(item.payload.client_id)
        return {item.external_id: item.payload.pk for item in new}
