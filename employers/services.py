"""Writes about employers. Keyword-only, validated; stale versions are refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clients.models import Client
from employers.models import Employer, EmployerContact, EmployerPerson
from ips import access
from ips.models import Program, User
from ips.versioning import save_versioned

EDITABLE = {"name", "industry", "address", "notes"}


def employer_possible_duplicates(
    *, program: Program, name: str, exclude_id: int | None = None
) -> list[Employer]:
    """Employers of the program with a similar name: a warning at entry, never a block."""
    similar = Employer.objects.filter(program=program, archived_at__isnull=True).similar_to(name)
    if exclude_id is not None:
        similar = similar.exclude(pk=exclude_id)
    return list(similar.order_by("name")[:10])


@transaction.atomic
def employer_create(
    *,
    program: Program,
    name: str,
    industry: str = "",
    address: str = "",
    notes: str = "",
    actor: User | None = None,
) -> Employer:
    """Add an employer to the program, shared by all its specialists."""
    if not name.strip():
        raise ValidationError({"name": "Give the employer's name."})
    employer = Employer(
        program=program,
        name=name.strip(),
        industry=industry,
        address=address,
        notes=notes,
        created_by=actor,
    )
    employer.full_clean(exclude=["name_key"])
    employer.save()
    return employer


def employer_update(*, employer: Employer, version: int, changes: dict[str, Any]) -> Employer:
    """Change an employer's details, refusing a stale version."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    return save_versioned(Employer, pk=employer.pk, expected_version=version, changes=changes)


# --- Employer people and job-development contacts -------------------------------------------


@transaction.atomic
def employer_person_add(
    *,
    employer: Employer,
    name: str,
    role: str = "",
    phone: str = "",
    email: str = "",
    makes_hiring_decisions: bool = False,
) -> EmployerPerson:
    """Record someone the specialists meet at an employer."""
    person = EmployerPerson(
        employer=employer,
        name=name,
        role=role,
        phone=phone,
        email=email,
        makes_hiring_decisions=makes_hiring_decisions,
    )
    person.full_clean()
    person.save()
    return person


def _check_contact(
    *,
    specialist: User,
    employer: Employer,
    contacted_on: dt.date,
    person: EmployerPerson | None,
    clients: list[Client],
) -> None:
    if not access.can(specialist, access.Capability.EDIT_CLIENTS, program=employer.program):
        raise ValidationError({"employer": "Choose an employer of your own program."})
    _check_contact_details(
        employer=employer, contacted_on=contacted_on, person=person, clients=clients
    )


def _check_contact_details(
    *,
    employer: Employer,
    contacted_on: dt.date,
    person: EmployerPerson | None,
    clients: list[Client],
) -> None:
    """The checks of a contact's own details (not of who logged it): the date is not in the
    future, the person works for the employer, every client is a live client of its program."""
    if contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": "The contact date cannot be in the future."})
    if person is not None and person.employer_id != employer.pk:
        raise ValidationError({"person": "That person works for another employer."})
    outside = [c.pk for c in clients if c.program_id != employer.program_id or c.archived_at]
    if outside:
        raise ValidationError(
            {"clients": "Every client must be a current client of the employer's program."}
        )


def _check_by_client(by_client: bool, clients: list[Client]) -> None:
    if by_client and not clients:
        raise ValidationError({"clients": "Name the client who made the contact on their own."})


@transaction.atomic
def employer_contact_log(
    *,
    specialist: User,
    employer: Employer,
    contacted_on: dt.date,
    purpose: str,
    face_to_face: bool = True,
    with_hiring_manager: bool = False,
    person: EmployerPerson | None = None,
    clients: list[Client] | None = None,
    minutes: int | None = None,
    by_client: bool = False,
    outcome: str = "",
    next_step: str = "",
    note: str = "",
) -> EmployerContact:
    """Log a job-development contact, on behalf of none, one or several of the program's clients.

    Not in the future; the employer and every client belong to a program the specialist works in.
    A contact the client made on their own (`by_client`) names that client, and the specialist
    only logs it.
    """
    clients = list(clients or [])
    _check_by_client(by_client, clients)
    _check_contact(
        specialist=specialist,
        employer=employer,
        contacted_on=contacted_on,
        person=person,
        clients=clients,
    )
    contact = EmployerContact(
        specialist=specialist,
        employer=employer,
        person=person,
        contacted_on=contacted_on,
        purpose=purpose,
        face_to_face=face_to_face,
        with_hiring_manager=with_hiring_manager or bool(person and person.makes_hiring_decisions),
        minutes=minutes,
        by_client=by_client,
        outcome=outcome,
        next_step=next_step,
        note=note,
    )
    contact.full_clean()
    contact.save()
    contact.clients.set(clients)
    return contact


PERSON_EDITABLE = {"name", "role", "phone", "email", "makes_hiring_decisions"}
CONTACT_EDITABLE = {
    "contacted_on",
    "minutes",
    "by_client",
    "purpose",
    "face_to_face",
    "with_hiring_manager",
    "person",
    "clients",
    "outcome",
    "next_step",
    "note",
}


def employer_person_update(
    *, person: EmployerPerson, version: int, changes: dict[str, Any]
) -> EmployerPerson:
    """Change the details of someone at an employer (who stays with that employer), refusing a
    stale version."""
    unknown = set(changes) - PERSON_EDITABLE
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    return save_versioned(EmployerPerson, pk=person.pk, expected_version=version, changes=changes)


@transaction.atomic
def employer_contact_update(
    *, contact: EmployerContact, version: int, changes: dict[str, Any]
) -> EmployerContact:
    """Correct a job-development contact, refusing a stale version.

    A new date, person or list of clients passes the checks of `employer_contact_log`; the
    employer and the specialist who logged it stay. Naming someone who makes hiring decisions
    counts the contact as with a hiring manager, as when it is logged. `clients` replaces the
    whole list.
    """
    unknown = set(changes) - CONTACT_EDITABLE
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    changes = dict(changes)
    clients = changes.pop("clients", None)
    person = changes.get("person", contact.person)
    # Only what changes is checked: a client archived since the contact was logged does not
    # block correcting its date. Who logged it is not re-checked either; the caller's own right
    # to edit was checked by the view, and the specialist may have left the program since.
    _check_contact_details(
        employer=contact.employer,
        contacted_on=changes.get("contacted_on", contact.contacted_on),
        person=person,
        clients=list(clients or []),
    )
    _check_by_client(
        changes.get("by_client", contact.by_client),
        list(contact.clients.all()) if clients is None else list(clients),
    )
    if "person" in changes or "with_hiring_manager" in changes:
        changes["with_hiring_manager"] = changes.get(
            "with_hiring_manager", contact.with_hiring_manager
        ) or bool(person and person.makes_hiring_decisions)
    updated = save_versioned(
        EmployerContact, pk=contact.pk, expected_version=version, changes=changes
    )
    if clients is not None:
        updated.clients.set(clients)
    return updated
