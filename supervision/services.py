"""Writes of supervision: treatment teams, team meetings, sessions and their action items.

Keyword-only, atomic, validated; edits refuse a stale version (`ips.versioning`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clients.models import Client
from ips import access
from ips.access import Capability
from ips.models import Program, Role, User
from ips.versioning import save_versioned
from supervision.models import (
    ActionItem,
    SupervisionSession,
    TeamMeeting,
    TeamMeetingClient,
    TreatmentTeam,
)


def _not_future(field: str, day: dt.date) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: "The date cannot be in the future."})


def staff_of(program: Program, users: Iterable[User], field: str, *roles: Role) -> list[User]:
    """The users, each holding one of `roles` in the program (else a message on `field`)."""
    users = list(users)
    allowed = set(
        User.objects.filter(
            pk__in=[u.pk for u in users], roles__program=program, roles__role__in=roles
        ).values_list("pk", flat=True)
    )
    if any(u.pk not in allowed for u in users):
        raise ValidationError({field: "Choose staff of the program only."})
    return users


def _clients_of(program: Program, clients: Iterable[Client]) -> list[Client]:
    clients = list(clients)
    if any(c.program_id != program.pk or c.archived_at is not None for c in clients):
        raise ValidationError({"clients": "Choose current clients of the team's program."})
    return clients


@transaction.atomic
def team_create(
    *,
    program: Program,
    name: str,
    specialists: Iterable[User] = (),
    clients: Iterable[Client] = (),
) -> TreatmentTeam:
    """Add a treatment team the program works with, the specialists assigned to it and the
    clients it treats."""
    team = TreatmentTeam(program=program, name=name.strip())
    team.full_clean()
    team.save()
    team.specialists.set(staff_of(program, specialists, "specialists", Role.SPECIALIST))
    team.clients.set(_clients_of(program, clients))
    return team


@transaction.atomic
def team_update(*, team: TreatmentTeam, version: int, changes: dict[str, Any]) -> TreatmentTeam:
    """Rename a team or change the specialists assigned to it or the clients it treats,
    refusing a stale version."""
    changes = dict(changes)
    specialists = changes.pop("specialists", None)
    clients = changes.pop("clients", None)
    unknown = set(changes) - {"name"}
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    updated = save_versioned(TreatmentTeam, pk=team.pk, expected_version=version, changes=changes)
    if specialists is not None:
        updated.specialists.set(staff_of(team.program, specialists, "specialists", Role.SPECIALIST))
    if clients is not None:
        updated.clients.set(_clients_of(team.program, clients))
    return updated


def _discussed(
    program: Program, discussed: Iterable[tuple[Client, str]]
) -> list[tuple[Client, str]]:
    rows = [(client, (note or "").strip()) for client, note in discussed]
    clients = [client for client, _ in rows]
    if any(c.program_id != program.pk or c.archived_at is not None for c in clients):
        raise ValidationError({"clients": "Choose current clients of the team's program."})
    if len({c.pk for c in clients}) != len(clients):
        raise ValidationError({"clients": "Each client is listed once per meeting."})
    if any(not note for _, note in rows):
        raise ValidationError({"clients": "Write a short note for each client discussed."})
    if any(len(note) > 500 for _, note in rows):
        raise ValidationError({"clients": "Keep each note to 500 characters."})
    return rows


@transaction.atomic
def team_meeting_record(
    *,
    recorded_by: User,
    team: TreatmentTeam,
    held_on: dt.date,
    attendees: Iterable[User] = (),
    discussed: Iterable[tuple[Client, str]] = (),
    follow_ups: str = "",
) -> TeamMeeting:
    """Record a treatment-team meeting: who attended, the clients discussed with a note each,
    the follow-ups agreed. Not in the future; by staff who may record client work in the team's
    program; attendees and clients of that program."""
    if not access.can(recorded_by, Capability.EDIT_CLIENTS, program=team.program):
        raise ValidationError({"team": "Choose a team of your own program."})
    if team.archived_at is not None:
        raise ValidationError({"team": "This team is archived."})
    _not_future("held_on", held_on)
    people = staff_of(team.program, attendees, "attendees", Role.SPECIALIST, Role.SUPERVISOR)
    rows = _discussed(team.program, discussed)
    meeting = TeamMeeting(
        team=team, held_on=held_on, follow_ups=follow_ups.strip(), recorded_by=recorded_by
    )
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(people)
    for client, note in rows:
        TeamMeetingClient.objects.create(meeting=meeting, client=client, note=note)
    return meeting


@transaction.atomic
def team_meeting_update(
    *, meeting: TeamMeeting, version: int, changes: dict[str, Any]
) -> TeamMeeting:
    """Correct a meeting's date, follow-ups, attendees or clients discussed (`discussed`
    replaces the whole list), refusing a stale version."""
    changes = dict(changes)
    attendees = changes.pop("attendees", None)
    discussed = changes.pop("discussed", None)
    unknown = set(changes) - {"held_on", "follow_ups"}
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    if "held_on" in changes:
        _not_future("held_on", changes["held_on"])
    program = meeting.team.program
    people = (
        staff_of(program, attendees, "attendees", Role.SPECIALIST, Role.SUPERVISOR)
        if attendees is not None
        else None
    )
    rows = _discussed(program, discussed) if discussed is not None else None
    # The version is bumped even when only the lists change, so a concurrent edit is refused.
    updated = save_versioned(TeamMeeting, pk=meeting.pk, expected_version=version, changes=changes)
    if people is not None:
        updated.attendees.set(people)
    if rows is not None:
        kept = {row.client_id: row for row in updated.discussed.all()}
        for client, note in rows:
            row = kept.pop(client.pk, None)
            if row is None:
                TeamMeetingClient.objects.create(meeting=updated, client=client, note=note)
            elif row.note != note:
                row.note = note
                row.save(update_fields=["note"])
        for row in kept.values():
            row.delete()  # a client listed by mistake; the audit trail keeps the removed note
    return updated


@transaction.atomic
def supervision_session_record(
    *,
    supervisor: User,
    program: Program,
    held_on: dt.date,
    specialists_present: Iterable[User] = (),
    notes: str = "",
    action_items: Iterable[dict[str, Any]] = (),
) -> SupervisionSession:
    """Record a group-supervision session and the goals and action items agreed, each for one
    specialist of the program (`{"specialist", "text", "due_on"}`). Open items of earlier
    sessions carry forward by themselves until marked done."""
    if not access.can(supervisor, Capability.RUN_SUPERVISION, program=program):
        raise ValidationError({"program": "Choose a program you supervise."})
    _not_future("held_on", held_on)
    present = staff_of(program, specialists_present, "specialists_present", Role.SPECIALIST)
    items = [dict(item) for item in action_items if (item.get("text") or "").strip()]
    staff_of(program, [item["specialist"] for item in items], "action_items", Role.SPECIALIST)
    session = SupervisionSession(
        program=program, held_on=held_on, supervisor=supervisor, notes=notes
    )
    session.full_clean()
    session.save()
    session.specialists_present.set(present)
    for item in items:
        action = ActionItem(
            session=session,
            specialist=item["specialist"],
            text=item["text"].strip(),
            due_on=item.get("due_on"),
        )
        action.full_clean()
        action.save()
    return session


@transaction.atomic
def supervision_session_update(
    *, session: SupervisionSession, version: int, changes: dict[str, Any]
) -> SupervisionSession:
    """Correct a session's date, notes or the specialists present, refusing a stale version."""
    changes = dict(changes)
    present = changes.pop("specialists_present", None)
    unknown = set(changes) - {"held_on", "notes"}
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    if "held_on" in changes:
        _not_future("held_on", changes["held_on"])
    people = (
        staff_of(session.program, present, "specialists_present", Role.SPECIALIST)
        if present is not None
        else None
    )
    updated = save_versioned(
        SupervisionSession, pk=session.pk, expected_version=version, changes=changes
    )
    if people is not None:
        updated.specialists_present.set(people)
    return updated


def action_item_done(*, item: ActionItem, version: int, done_on: dt.date) -> ActionItem:
    """Mark an action item done (it stops carrying forward), refusing a stale version."""
    if item.done_on is not None:
        raise ValidationError("This item is already done.")
    _not_future("done_on", done_on)
    if done_on < item.session.held_on:
        raise ValidationError({"done_on": "An item cannot be done before it was agreed."})
    return save_versioned(
        ActionItem, pk=item.pk, expected_version=version, changes={"done_on": done_on}
    )


def action_item_undo(*, item: ActionItem, version: int) -> ActionItem:
    """Undo "done": the item is open again and carries forward, refusing a stale version."""
    if item.done_on is None:
        raise ValidationError("This item is not done.")
    return save_versioned(
        ActionItem, pk=item.pk, expected_version=version, changes={"done_on": None}
    )
