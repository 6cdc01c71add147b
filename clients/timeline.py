"""The client timeline: its items, read a page at a time in one query, and the registry through
which higher floors add to it.

A client's page shows records of apps above the clients app (the treatment-team meetings that
discussed the client). Those apps register a source here when they start (their
`AppConfig.ready`), so that this app never imports them: a source is one SELECT of the
timeline's columns for the client, a function that makes an item of one of its rows, and the
same rows read through the ORM for a database other than PostgreSQL (the SQLite fallback of
`make run`, where the query's syntax does not run).

Why one hand-written query: the page shows the latest entries of eight kinds of record (and more
from other apps) and loads older ones on demand, so the newest-first order and the page's
bounds must be worked out in the database over every kind at once. As a UNION ALL of plain
SELECTs it costs no query compilation (building and compiling the eight ORM queries it replaces
was a third of the client page's time) and PostgreSQL reads each kind through its client index.
Every branch reads live (not archived) rows of the one client the caller has already fetched
through `visible_to` (`ips.pages.record_for`), so the access rule and the read audit stay with
that fetch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection

from clients.models import (
    BenefitsReferral,
    ClosureReason,
    Contact,
    EducationEnrollment,
    Episode,
    Job,
    JobEndReason,
    ReferralSource,
    Support,
)
from employers.models import EmployerContact
from ips.models import staff_name
from ips.paging import Page

TIMELINE_PAGE = 25


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One event on a client's timeline."""

    on: dt.date
    kind: str
    title: str
    detail: str
    order: int = 0


class TimelineRow(NamedTuple):
    """One row of the timeline query: the date, the order of the events of one record on one
    day (an enrollment after the referral of the same day), the source's rank and the record's
    id (ties: as the sources are listed, then newest record first), the kind, and up to eight
    texts the source's `item` function turns into a title and a detail."""

    on: dt.date
    order: int
    rank: int
    id: int
    kind: str
    a: str | None
    b: str | None
    c: str | None
    d: str | None
    e: str | None
    f: str | None
    g: str | None
    h: str | None


@dataclass(frozen=True)
class TimelineSource:
    """`sql`: a SELECT of the columns of `TimelineRow` but the rank (the registry adds it), for
    the client `%(client)s`, live records only; `item`: the item a row of it shows; `rows`: the
    same rows (on, order, id, kind, then the texts used) through the ORM, for a database other
    than PostgreSQL (the SQLite fallback of `make run`)."""

    sql: str
    item: Callable[[TimelineRow], TimelineItem]
    rows: Callable[[int], Iterable[tuple[Any, ...]]]


_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(key: str, source: TimelineSource) -> None:
    """Add `source`'s items to every client timeline (registering the same key again replaces)."""
    _SOURCES[key] = source


def timeline_page(
    client_id: int, *, number: int = 1, size: int = TIMELINE_PAGE
) -> Page[TimelineItem]:
    """Page `number` of the client's timeline (newest first), in one query whatever the
    number of records or their kinds."""
    sources = _all_sources()
    if connection.vendor != "postgresql":
        return _portable_page(client_id, sources, number=number, size=size)
    union = "\nUNION ALL\n".join(
        f"SELECT t.*, {rank} AS rank FROM ({source.sql}) AS t"  # noqa: S608
        for rank, source in enumerate(sources)
    )
    # Columns by position (sources name them as they like); the rank is put back in
    # `TimelineRow` order. No user input is part of the text.
    sql = (
        "SELECT on_, order_, rank, id, kind, a, b, c, d, e, f, g, h, COUNT(*) OVER () "  # noqa: S608
        f"FROM ({union}) AS timeline({COLUMNS}) "
        "ORDER BY on_ DESC, order_ DESC, rank, id DESC LIMIT %(limit)s OFFSET %(offset)s"
    )
    params = {"client": client_id, "limit": size, "offset": (number - 1) * size}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    total = fetched[0][-1] if fetched else 0
    if not fetched and number > 1:
        total = _count(client_id, union)
    items = [sources[row[2]].item(TimelineRow(*row[:-1])) for row in fetched]
    return Page(items, number=number, size=size, total=total)


def _count(client_id: int, union: str) -> int:
    """How many items the timeline has (asked only for a page past its end)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM ({union}) AS timeline({COLUMNS})",  # noqa: S608
            {"client": client_id},
        )
        return cursor.fetchone()[0]


def _portable_page(
    client_id: int, sources: list[TimelineSource], *, number: int, size: int
) -> Page[TimelineItem]:
    """`timeline_page` on a database without the query's PostgreSQL syntax: every row of every
    source through the ORM, sorted and cut here (a client's records number in the hundreds)."""
    rows = [
        TimelineRow(on, order, rank, pk, kind, *texts, *[None] * (8 - len(texts)))
        for rank, source in enumerate(sources)
        for on, order, pk, kind, *texts in source.rows(client_id)
    ]
    # The query's order: on_ DESC, order_ DESC, rank, id DESC.
    rows.sort(key=lambda row: (row.on, row.order, -row.rank, row.id), reverse=True)
    start = (number - 1) * size
    items = [sources[row.rank].item(row) for row in rows[start : start + size]]
    return Page(items, number=number, size=size, total=len(rows))


def _all_sources() -> list[TimelineSource]:
    """This app's sources (in the order ties on one day are shown), then the contributed ones."""
    return [*OWN_SOURCES, *_SOURCES.values()]


# --- This app's sources --------------------------------------------------------------------------

# What every source selects, by position: on_, order_, id, kind, a … h (texts, NULL where
# unused); the registry appends the rank. Staff are named by first name, last name and username
# (`staff_name`).
COLUMNS = "on_, order_, id, kind, a, b, c, d, e, f, g, h, rank"
_NULLS = {n: ", ".join(["NULL"] * n) for n in range(1, 7)}

# The labels get_<field>_display() would give: it rebuilds the choices dict on every call, and a
# long timeline would call it three times per contact.
_REFERRAL_SOURCES = dict(ReferralSource.choices)
_CLOSURE_REASONS = dict(ClosureReason.choices)
_END_REASONS = dict(JobEndReason.choices)
_SUPPORT_KINDS = dict(Support.Kind.choices)
_EMPLOYER_CONTACT_PURPOSES = dict(EmployerContact.Purpose.choices)
_PURPOSES = dict(Contact.Purpose.choices)
_MODES = dict(Contact.Mode.choices)
_PLACES = dict(Contact.Place.choices)


def _label(labels: dict[str, str], value: str | None) -> str:
    return labels.get(value or "", value or "")


def _episode(row: TimelineRow) -> TimelineItem:
    if row.order == 0:
        source = _label(_REFERRAL_SOURCES, row.a)
        return TimelineItem(row.on, "episode", "Referred", source)
    if row.order == 1:
        return TimelineItem(row.on, "episode", "Enrolled", "", 1)
    reason = _label(_CLOSURE_REASONS, row.a)
    return TimelineItem(row.on, "episode", "Closed", reason, 2)


def _employer_contact(row: TimelineRow) -> TimelineItem:
    how = "face to face" if "f" in (row.c or "") else "not face to face"
    if "h" in (row.c or ""):
        how += ", with a hiring manager"
    purpose = _label(_EMPLOYER_CONTACT_PURPOSES, row.a)
    specialist = staff_name(row.f or "", row.g or "", row.h or "")
    return TimelineItem(
        row.on,
        "employer",
        f"Employer contact: {purpose} at {row.b}",
        f"{specialist} ({how}){': ' + row.d if row.d else ''}",
    )


def _contact(row: TimelineRow) -> TimelineItem:
    return contact_item_of(
        row.on,
        purpose=row.a or "",
        mode=row.b or "",
        place=row.c or "",
        minutes=row.d or "",
        note=row.e or "",
        specialist=staff_name(row.f or "", row.g or "", row.h or ""),
    )


def _job(row: TimelineRow) -> TimelineItem:
    if row.order == 3:
        kind = "competitive" if row.e == "t" else "not competitive"
        return TimelineItem(
            row.on,
            "job",
            f"Started {row.a} at {row.b}",
            f"{row.c} h/week at ${row.d}/h ({kind})",
            3,
        )
    reason = _label(_END_REASONS, row.c)
    return TimelineItem(row.on, "job", f"Ended {row.a} at {row.b}", reason, 4)


def _support(row: TimelineRow) -> TimelineItem:
    kind = _label(_SUPPORT_KINDS, row.a)
    return TimelineItem(row.on, "support", f"Support: {kind}", row.b or "")


def _referral(row: TimelineRow) -> TimelineItem:
    if row.order == 0:
        return TimelineItem(row.on, "benefits", f"Benefits referral to {row.a}", row.b or "")
    return TimelineItem(row.on, "benefits", "Benefits planning completed", "", 1)


def _education(row: TimelineRow) -> TimelineItem:
    return TimelineItem(row.on, "education", f"Started {row.a or 'studies'} at {row.b}", "")


_STAFF = "u.first_name, u.last_name, u.username"


def _text(value: object) -> str | None:
    """A number as the query's `::text` gives it (NULL stays None)."""
    return None if value is None else str(value)


def _episode_rows(client_id: int) -> Iterable[tuple[Any, ...]]:
    episodes = Episode.objects.filter(client_id=client_id).values_list(
        "id", "referred_on", "enrolled_on", "closed_on", "referral_source", "closure_reason"
    )
    for pk, referred_on, enrolled_on, closed_on, source, reason in episodes:
        yield referred_on, 0, pk, "episode", source
        if enrolled_on is not None:
            yield enrolled_on, 1, pk, "episode"
        if closed_on is not None:
            yield closed_on, 2, pk, "episode", reason


def _employer_contact_rows(client_id: int) -> Iterable[tuple[Any, ...]]:
    contacts = EmployerContact.objects.live().filter(clients=client_id).values_list(
        "contacted_on", "id", "purpose", "employer__name", "face_to_face",
        "with_hiring_manager", "outcome", "specialist__first_name", "specialist__last_name",
        "specialist__username",
    )  # fmt: skip
    for on, pk, purpose, employer, face_to_face, hiring_manager, outcome, *staff in contacts:
        how = ("f" if face_to_face else "") + ("h" if hiring_manager else "")
        yield on, 0, pk, "employer", purpose, employer, how, outcome, None, *staff


def _contact_rows(client_id: int) -> Iterable[tuple[Any, ...]]:
    contacts = Contact.objects.live().filter(client_id=client_id).values_list(
        "contacted_on", "id", "purpose", "mode", "place", "minutes", "note",
        "specialist__first_name", "specialist__last_name", "specialist__username",
    )  # fmt: skip
    for on, pk, purpose, mode, place, minutes, note, *staff in contacts:
        yield on, 0, pk, "contact", purpose, mode, place, _text(minutes), note, *staff


def _job_rows(client_id: int) -> Iterable[tuple[Any, ...]]:
    fields = (
        "id", "started_on", "ended_on", "title", "employer_name", "hours_per_week", "hourly_wage",
        "competitive", "end_reason",
    )  # fmt: skip
    jobs = Job.objects.live().filter(client_id=client_id).with_employer_name().values_list(*fields)
    for pk, started_on, ended_on, title, employer, hours, wage, competitive, reason in jobs:
        competitive_flag = "t" if competitive else "f"
        yield started_on, 3, pk, "job", title, employer, _text(hours), _text(wage), competitive_flag
        if ended_on is not None:
            yield ended_on, 4, pk, "job", title, employer, reason


def _support_rows(client_id: int) -> Iterable[tuple[Any, ...]]:
    supports = Support.objects.live().filter(client_id=client_id)
    for on, pk, kind, note in supports.values_list("provided_on", "id", "kind", "note"):
        yield on, 0, pk, "support", kind, note


def _referral_rows(client_id: int) -> Iterable[tuple[Any, ...]]:
    referrals = BenefitsReferral.objects.live().filter(client_id=client_id)
    fields = ("referred_on", "planning_completed_on", "id", "counselor", "note")
    for referred_on, completed_on, pk, counselor, note in referrals.values_list(*fields):
        yield referred_on, 0, pk, "benefits", counselor, note
        if completed_on is not None:
            yield completed_on, 1, pk, "benefits"


def _education_rows(client_id: int) -> Iterable[tuple[Any, ...]]:
    enrollments = EducationEnrollment.objects.live().filter(client_id=client_id)
    for on, pk, course, institution in enrollments.values_list(
        "started_on", "id", "course", "institution"
    ):
        yield on, 0, pk, "education", course, institution


OWN_SOURCES: list[TimelineSource] = [
    TimelineSource(
        f"""SELECT referred_on AS on_, 0 AS order_, id, 'episode' AS kind,
               referral_source AS a, NULL AS b, {_NULLS[6]}
          FROM clients_episode WHERE client_id = %(client)s
        UNION ALL
        SELECT enrolled_on, 1, id, 'episode', NULL, NULL, {_NULLS[6]}
          FROM clients_episode WHERE client_id = %(client)s AND enrolled_on IS NOT NULL
        UNION ALL
        SELECT closed_on, 2, id, 'episode', closure_reason, NULL, {_NULLS[6]}
          FROM clients_episode WHERE client_id = %(client)s AND closed_on IS NOT NULL""",  # noqa: S608
        _episode,
        _episode_rows,
    ),
    TimelineSource(
        f"""SELECT ec.contacted_on, 0, ec.id, 'employer', ec.purpose, em.name,
               CASE WHEN ec.face_to_face THEN 'f' ELSE '' END
               || CASE WHEN ec.with_hiring_manager THEN 'h' ELSE '' END,
               ec.outcome, NULL, {_STAFF}
          FROM employers_employercontact_clients link
          JOIN employers_employercontact ec ON ec.id = link.employercontact_id
          JOIN employers_employer em ON em.id = ec.employer_id
          JOIN ips_user u ON u.id = ec.specialist_id
         WHERE link.client_id = %(client)s AND ec.archived_at IS NULL""",  # noqa: S608
        _employer_contact,
        _employer_contact_rows,
    ),
    TimelineSource(
        f"""SELECT ct.contacted_on, 0, ct.id, 'contact', ct.purpose, ct.mode, ct.place,
               ct.minutes::text, ct.note, {_STAFF}
          FROM clients_contact ct JOIN ips_user u ON u.id = ct.specialist_id
         WHERE ct.client_id = %(client)s AND ct.archived_at IS NULL""",  # noqa: S608
        _contact,
        _contact_rows,
    ),
    TimelineSource(
        f"""SELECT j.started_on, 3, j.id, 'job', j.title, COALESCE(em.name, 'Self-employed'),
               j.hours_per_week::text,
               j.hourly_wage::text, CASE WHEN j.competitive THEN 't' ELSE 'f' END,
               NULL, NULL, NULL
          FROM clients_job j LEFT JOIN employers_employer em ON em.id = j.employer_id
         WHERE j.client_id = %(client)s AND j.archived_at IS NULL
        UNION ALL
        SELECT j.ended_on, 4, j.id, 'job', j.title, COALESCE(em.name, 'Self-employed'),
               j.end_reason, {_NULLS[5]}
          FROM clients_job j LEFT JOIN employers_employer em ON em.id = j.employer_id
         WHERE j.client_id = %(client)s AND j.archived_at IS NULL
           AND j.ended_on IS NOT NULL""",  # noqa: S608
        _job,
        _job_rows,
    ),
    TimelineSource(
        f"""SELECT provided_on, 0, id, 'support', kind, note, {_NULLS[6]}
          FROM clients_support WHERE client_id = %(client)s AND archived_at IS NULL""",  # noqa: S608
        _support,
        _support_rows,
    ),
    TimelineSource(
        f"""SELECT referred_on, 0, id, 'benefits', counselor, note, {_NULLS[6]}
          FROM clients_benefitsreferral
         WHERE client_id = %(client)s AND archived_at IS NULL
        UNION ALL
        SELECT planning_completed_on, 1, id, 'benefits', NULL, NULL, {_NULLS[6]}
          FROM clients_benefitsreferral
         WHERE client_id = %(client)s AND archived_at IS NULL
           AND planning_completed_on IS NOT NULL""",  # noqa: S608
        _referral,
        _referral_rows,
    ),
    TimelineSource(
        f"""SELECT started_on, 0, id, 'education', course, institution, {_NULLS[6]}
          FROM clients_educationenrollment
         WHERE client_id = %(client)s AND archived_at IS NULL""",  # noqa: S608
        _education,
        _education_rows,
    ),
]


def contact_item_of(
    on: dt.date,
    *,
    purpose: str,
    mode: str,
    place: str,
    minutes: object,
    note: str,
    specialist: str,
) -> TimelineItem:
    """A contact as the timeline shows it."""
    purpose, mode, place = (
        _PURPOSES.get(purpose, purpose),
        _MODES.get(mode, mode),
        _PLACES.get(place, place),
    )
    return TimelineItem(
        on,
        "contact",
        f"{purpose} — {mode}, {place.lower()}, {minutes} min",
        f"{specialist}: {note}" if note else specialist,
    )


def contact_item(contact: Contact) -> TimelineItem:
    """A contact as the timeline shows it (a quick log adds one in place)."""
    return contact_item_of(
        contact.contacted_on,
        purpose=contact.purpose,
        mode=contact.mode,
        place=contact.place,
        minutes=contact.minutes,
        note=contact.note,
        specialist=str(contact.specialist),
    )
