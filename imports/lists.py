"""The lists people take out as spreadsheets: the caseload (with the page's filters), and a
program's employers, client contacts and jobs. Each is a header and rows, read through
`visible_to(user)` (so the clients they name are recorded as read) for `ips.exports`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.http import QueryDict

from clients.models import Contact, Job
from clients.selectors import caseload_clients
from employers.models import Employer
from ips import access
from ips.calendar import today
from ips.models import Program, Role, User

Table = tuple[Sequence[str], Iterator[Sequence[object]]]
PROGRAM_LISTS = ("employers", "contacts", "jobs")


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _person(user: Any) -> str:
    return user.username if user is not None else ""


def caseload_table(user: User, filters: QueryDict) -> Table:
    """The caseload as its page shows it, with the page's filters (not the name search, which
    never travels in an address): specialist (an id, `all`, or a specialist's own by default),
    status, working, no_contact=30."""
    chosen = filters.get("specialist", "")
    specialist_id = int(chosen) if chosen.isdigit() else None
    if not chosen and Role.SPECIALIST in access.roles_of(user):
        specialist_id = user.pk
    day = today()
    working = filters.get("working", "")
    rows = caseload_clients(
        user=user,
        today=day,
        specialist_id=specialist_id,
        status=filters.get("status", ""),
        working=working,
        no_recent_contact=filters.get("no_contact") == "30",
        search="",
    )
    if working not in ("yes", "no"):  # filtering on it annotated it already
        rows = rows.with_working(day)
    rows = (
        rows.with_last_contact()
        .select_related("current_episode", "specialist")
        .only(
            *("id", "first_name", "last_name", "program_id", "birth_date"),
            *("current_episode__referred_on", "current_episode__enrolled_on"),
            *("current_episode__closed_on", "specialist__username"),
        )
        .order_by("last_name", "first_name", "id")
    )
    # The caseload's own query loads only what its page prints; the program names come apart.
    names = dict(
        Program.objects.filter(
            id__in=access.program_ids_for(user, access.Capability.VIEW_CLIENTS)
        ).values_list("id", "name")
    )
    header = (
        "client_id", "program", "first_name", "last_name", "birth_date", "status",
        "specialist", "referred_on", "enrolled_on", "closed_on", "working", "last_contact_on",
    )  # fmt: skip
    return header, (
        (
            client.pk,
            names.get(client.program_id, ""),
            client.first_name,
            client.last_name,
            client.birth_date,
            client.status,
            _person(client.specialist),
            getattr(client.current_episode, "referred_on", None),
            getattr(client.current_episode, "enrolled_on", None),
            getattr(client.current_episode, "closed_on", None),
            _yes(getattr(client, "working", False)),
            getattr(client, "last_contact_on", None),
        )
        for client in rows
    )


def program_table(user: User, program: Program, name: str) -> Table:
    """One of a program's lists (`employers`, `contacts`, `jobs`) as the user may see it."""
    return {"employers": _employers, "contacts": _contacts, "jobs": _jobs}[name](user, program)


def employers_table(user: User) -> Table:
    """The employers list: every live employer the user sees (shared ones of other programs
    of the agency included), as the list page shows them."""
    return _employer_rows(Employer.objects.visible_to(user))


def _employers(user: User, program: Program) -> Table:
    return _employer_rows(Employer.objects.visible_to(user).filter(program=program))


def _employer_rows(employers: Any) -> Table:
    rows = (
        employers.filter(archived_at__isnull=True).select_related("program").order_by("name", "id")
    )
    header = ("employer_id", "program", "name", "industry", "address", "notes")
    return header, ((e.pk, e.program.name, e.name, e.industry, e.address, e.notes) for e in rows)


def _contacts(user: User, program: Program) -> Table:
    rows = (
        Contact.objects.visible_to(user)
        .filter(client__program=program)
        .select_related("client", "specialist")
        .order_by("contacted_on", "id")
    )
    header = (
        "contact_id", "client_id", "first_name", "last_name", "contacted_on", "minutes",
        "purpose", "mode", "place", "with_whom", "specialist", "note",
    )  # fmt: skip
    return header, (
        (
            c.pk,
            c.client_id,
            c.client.first_name,
            c.client.last_name,
            c.contacted_on,
            c.minutes,
            c.get_purpose_display(),
            c.get_mode_display(),
            c.get_place_display(),
            c.get_with_whom_display(),
            _person(c.specialist),
            c.note,
        )
        for c in rows
    )


def _jobs(user: User, program: Program) -> Table:
    rows = (
        Job.objects.visible_to(user)
        .filter(client__program=program)
        .select_related("client", "employer")
        .order_by("started_on", "id")
    )
    header = (
        "job_id", "client_id", "first_name", "last_name", "employer", "title", "job_type",
        "started_on", "ended_on", "end_reason", "hours_per_week", "hourly_wage", "set_aside",
        "competitive",
    )  # fmt: skip
    return header, (
        (
            j.pk,
            j.client_id,
            j.client.first_name,
            j.client.last_name,
            j.employer_label,
            j.title,
            j.get_job_type_display(),
            j.started_on,
            j.ended_on,
            j.get_end_reason_display() if j.end_reason else "",
            j.hours_per_week,
            j.hourly_wage,
            _yes(j.set_aside),
            _yes(j.competitive),
        )
        for j in rows
    )
