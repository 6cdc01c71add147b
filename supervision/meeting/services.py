"""Writes of meeting mode: the action items agreed during the meeting, and its attendance and
notes, saved as the program's supervision session of the day without leaving the page.

The session of the day is created by whichever write comes first (an item typed, or the notes
saved); a second supervisor or tab never silently overwrites what the first saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from ips import access
from ips.access import Capability
from ips.models import Program, Role, User
from ips.versioning import StaleVersionError
from supervision.models import ActionItem, SupervisionSession
from supervision.services import (
    staff_of,
    supervision_session_record,
    supervision_session_update,
)


def _lock_program(program: Program) -> None:
    """Serialise the creation of a program's session of the day: two tabs of the meeting (or
    two supervisors) saving at once find the one the first created."""
    Program.objects.select_for_update().filter(pk=program.pk).first()


def _session_of_the_day(program: Program, held_on: dt.date) -> SupervisionSession | None:
    return (
        SupervisionSession.objects.filter(
            program=program, held_on=held_on, archived_at__isnull=True
        )
        .order_by("-id")
        .first()
    )


@transaction.atomic
def meeting_item_add(
    *,
    supervisor: User,
    program: Program,
    held_on: dt.date,
    specialist: User,
    text: str,
    due_on: dt.date | None = None,
) -> ActionItem:
    """Agree an action item during the meeting: it joins the program's session of the day,
    recorded now (with no notes yet) if the meeting has not saved one."""
    if not (text or "").strip():
        raise ValidationError({"text": "Write the goal or action."})
    if due_on is not None and due_on < held_on:
        raise ValidationError({"due_on": "The due date cannot be before the meeting."})
    _lock_program(program)
    session = _session_of_the_day(program, held_on)
    if session is None:
        session = supervision_session_record(
            supervisor=supervisor, program=program, held_on=held_on
        )
    elif not access.can(supervisor, Capability.RUN_SUPERVISION, program=program):
        raise ValidationError({"program": "Choose a program you supervise."})
    staff_of(program, [specialist], "specialist", Role.SPECIALIST)
    item = ActionItem(session=session, specialist=specialist, text=text.strip(), due_on=due_on)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def meeting_session_save(
    *,
    supervisor: User,
    program: Program,
    held_on: dt.date,
    session: SupervisionSession | None,
    version: int | None,
    notes: str,
    specialists_present: Iterable[User],
) -> SupervisionSession:
    """Save the meeting's attendance and notes as the program's session of the day: recorded
    when `session` is None, else updated at `version`. A session of the day recorded meanwhile
    by someone else (or another tab) is not overwritten: StaleVersionError carries it."""
    if session is None:
        _lock_program(program)
        existing = _session_of_the_day(program, held_on)
        if existing is not None:
            raise StaleVersionError(existing)
        return supervision_session_record(
            supervisor=supervisor,
            program=program,
            held_on=held_on,
            specialists_present=specialists_present,
            notes=notes,
        )
    if not access.can(supervisor, Capability.RUN_SUPERVISION, program=session.program):
        raise ValidationError({"program": "Choose a program you supervise."})
    return supervision_session_update(
        session=session,
        version=version or 0,
        changes={"notes": notes, "specialists_present": list(specialists_present)},
    )
