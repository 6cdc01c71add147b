"""Clients, each with the enrollment episode the spreadsheet gives (referred, enrolled,
closed and why, employed at referral) and their assigned specialist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery

from clients.models import CareerProfile, Client, ClosureReason, Episode, ReferralSource
from imports.cells import Row, model_problems, parse_date
from imports.kinds.base import (
    Context,
    ImportKind,
    Outcome,
    Planned,
    mappings,
    relation_names,
)
from imports.models import ImportedRecord
from ips.models import Role


@dataclass
class Loaded:
    clients: dict[int, Client]
    episodes: dict[str, ImportedRecord]
    episode_rows: dict[int, Episode]
    people: dict[tuple[str, str, Any], list[int]]


def person_key(first: str, last: str, born: Any) -> tuple[str, str, Any]:
    return (first.strip().casefold(), last.strip().casefold(), born)


class ClientsKind(ImportKind):
    key = "clients"
    model = Client
    columns = (
        "external_id",
        "first_name",
        "last_name",
        "birth_date",
        "referred_on",
        "referral_source",
        "enrolled_on",
        "closed_on",
        "closure_reason",
        "employed_at_referral",
        "specialist",
    )
    optional = ("phone", "email", "address")
    example = {
        "external_id": "C-1001",
        "first_name": "Alex",
        "last_name": "Example",
        "birth_date": "1988-04-12",
        "referred_on": "2024-01-08",
        "referral_source": "Mental-health practitioner",
        "enrolled_on": "2024-01-15",
        "closed_on": "",
        "closure_reason": "",
        "employed_at_referral": "no",
        "specialist": "username of the specialist",
        "phone": "",
        "email": "",
        "address": "",
    }
    help = {
        "referral_source": ", ".join(ReferralSource.labels),
        "closure_reason": ", ".join(ClosureReason.labels) + " (with closed_on)",
        "specialist": "The username of a specialist of this program, or empty.",
    }

    def load(self, ctx: Context, rows: list[Row], mapped: dict[str, ImportedRecord]) -> Loaded:
        clients = Client.objects.filter(pk__in=[m.object_id for m in mapped.values()])
        episodes = mappings(ctx.program, "episodes", mapped)
        episode_rows = Episode.objects.filter(pk__in=[m.object_id for m in episodes.values()])
        births = {parse_date(row.text("birth_date"), row.date_order) for row in rows} - {None}
        people: dict[tuple[str, str, Any], list[int]] = {}
        same_birth = Client.objects.live().filter(
            program__agency_id=ctx.program.agency_id, birth_date__in=births
        )
        for pk, first, last, born in same_birth.values_list(
            "id", "first_name", "last_name", "birth_date"
        ):
            people.setdefault(person_key(first, last, born), []).append(pk)
        return Loaded(
            clients={client.pk: client for client in clients},
            episodes=episodes,
            episode_rows={episode.pk: episode for episode in episode_rows},
            people=people,
        )

    def build(
        self, ctx: Context, row: Row, mapping: ImportedRecord | None, loaded: Loaded
    ) -> tuple[Client, Episode] | None:
        first, last = row.text("first_name", required=True), row.text("last_name", required=True)
        born = row.date("birth_date", required=True)
        referred = row.past_date("referred_on", "The referral date", required=True)
        enrolled = row.past_date("enrolled_on", "The enrollment date")
        closed = row.past_date("closed_on", "The closure date")
        reason = row.choice("closure_reason", ClosureReason)
        if reason and closed is None:
            row.error("closed_on", "Give the date the episode closed, or leave out the reason.")
        source = row.choice("referral_source", ReferralSource, required=True)
        employed = row.boolean("employed_at_referral")
        specialist_id = self._specialist(ctx, row)
        if born and referred and referred < born:
            row.error("referred_on", "The referral cannot come before the client's date of birth.")
        existing = loaded.clients.get(mapping.object_id) if mapping else None
        if mapping is not None and (existing is None or existing.archived_at is not None):
            row.error("external_id", "The client imported with this id has been archived.")
            return None
        self._duplicates(ctx, row, first, last, born, existing, loaded)
        client = existing or Client(program=ctx.program)
        client.first_name, client.last_name, client.birth_date = first, last, born
        client.specialist_id = specialist_id
        for column in self.optional:
            if column in row.values:
                setattr(client, column, row.text(column))
        episode_map = loaded.episodes.get(row.text("external_id"))
        episode = (loaded.episode_rows.get(episode_map.object_id) if episode_map else None) or (
            Episode()
        )
        episode.referred_on, episode.referral_source = referred, source
        episode.enrolled_on, episode.closed_on = enrolled, closed
        episode.closure_reason, episode.employed_at_referral = reason, employed
        if ctx.needs_check(row):
            model_problems(client, row, {}, exclude=relation_names(Client))
            model_problems(episode, row, {}, exclude=relation_names(Episode))
        return client, episode

    def _specialist(self, ctx: Context, row: Row) -> int | None:
        username = row.text("specialist")
        if not username:
            return None
        found = ctx.staff.get(username.lower())
        if found is None or found[1] != Role.SPECIALIST:
            row.error("specialist", f"“{username}” is not a specialist of this program.")
            return None
        return found[0]

    def _duplicates(
        self,
        ctx: Context,
        row: Row,
        first: str,
        last: str,
        born: Any,
        existing: Client | None,
        loaded: Loaded,
    ) -> None:
        """Refuse a second record of a person: the same name and date of birth as a client of
        the agency (other than the one this row imported), or as an earlier row of the file."""
        if not (first and last and born):
            return
        key = person_key(first, last, born)
        others = [pk for pk in loaded.people.get(key, []) if existing is None or pk != existing.pk]
        if others:
            row.error(
                "last_name",
                "A client with this name and date of birth is already in this agency: "
                "a duplicate? Give this row that client's external id, or leave it out.",
            )
        earlier = ctx.seen.setdefault(key, row.number)
        if earlier != row.number:
            row.error("last_name", f"Row {earlier} of this file has the same name and birth date.")

    def write(
        self, ctx: Context, planned: list[Planned], loaded: Loaded, outcome: Outcome
    ) -> dict[str, int]:
        new = [item for item in planned if item.mapping is None]
        changed = [item for item in planned if item.mapping is not None]
        clients = Client.objects.bulk_create([item.payload[0] for item in new])
        episodes = []
        for item, client in zip(new, clients, strict=True):
            episode = item.payload[1]
            episode.client = client
            episodes.append(episode)
        Episode.objects.bulk_create(episodes)
        for client, episode in zip(clients, episodes, strict=True):
            client.current_episode = episode
        # One UPDATE joining each new client to its one episode: bulk_update's CASE per row
        # cost more than the inserts.
        Client.objects.filter(pk__in=[client.pk for client in clients]).update(
            current_episode=Subquery(Episode.objects.filter(client=OuterRef("pk")).values("pk")[:1])
        )
        CareerProfile.objects.bulk_create(CareerProfile(client=client) for client in clients)
        for item in changed:
            item.payload[0].version += 1
        Client.objects.bulk_update(
            [item.payload[0] for item in changed],
            ["first_name", "last_name", "birth_date", "specialist", *self.optional, "version"],
        )
        Episode.objects.bulk_update(
            [item.payload[1] for item in changed if item.payload[1].pk],
            [
                "referred_on",
                "referral_source",
                "enrolled_on",
                "employed_at_referral",
                "closed_on",
                "closure_reason",
            ],
        )
        for item in planned:
            outcome.clients.add(item.payload[0].pk)
            outcome.note_date(item.payload[1].referred_on)
        return {item.external_id: item.payload[0].pk for item in new}

    def extra_mappings(self, ctx: Context, planned: list[Planned]) -> list[ImportedRecord]:
        content_type = ContentType.objects.get_for_model(Episode)
        return [
            ImportedRecord(
                program=ctx.program,
                kind="episodes",
                external_id=item.external_id,
                content_type=content_type,
                object_id=item.payload[1].pk,
            )
            for item in planned
            if item.mapping is None
        ]
