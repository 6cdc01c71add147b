"""The scale's Staffing section (items 1-3): the caseload held per full-time specialist, the
share of time on employment services, the phases each specialist carries out.

Item 24 (community-based services) is registered here too: it reads the same minutes as item 2
and shares their rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from clients.models import EMPLOYMENT_PURPOSES, Contact, Episode, Job, Support
from employers.models import EmployerContact
from fidelity.evidence.registry import (
    MISSING_LIMIT,
    Indicator,
    Pseudonyms,
    Window,
    indicator,
    indicator_result,
    not_available,
    percent_label,
    role_fte,
    rows_of,
    score_from,
    share_of,
    staff_name,
)
from outcomes import definitions
from outcomes.definitions import DaysBetween

# --- Item 1: caseload size --------------------------------------------------------------------


def caseloads(window: Window) -> Any:
    """Clients served in the window per assigned specialist (item 4 reads these)."""
    return (
        definitions.caseload(window.period, window.clients())
        .exclude(specialist__isnull=True)
        .values("specialist_id", "specialist__first_name", "specialist__last_name")
        .annotate(clients=Count("id"))
        .order_by("specialist__last_name", "specialist_id")
    )


def _held(window: Window) -> list[dict[str, Any]]:
    """Per specialist: the average number of clients held each day of the window (the days of
    each enrollment episode inside the window, over the window's days), those held on its last
    day, and the full-time equivalent of their role (1 without one). One query."""
    first, last = window.period.first, window.period.last
    days_in = DaysBetween(
        Least(Coalesce(F("closed_on"), Value(last)), Value(last), output_field=DateField()),
        Greatest(F("enrolled_on"), Value(first), output_field=DateField()),
    )
    on_last = Q(enrolled_on__lte=last) & (Q(closed_on__isnull=True) | Q(closed_on__gte=last))
    rows = (
        Episode.objects.filter(
            definitions.episode_in(window.period),
            client__in=window.clients(),
            client__specialist__isnull=False,
        )
        .values(
            "client__specialist_id",
            "client__specialist__first_name",
            "client__specialist__last_name",
        )
        .annotate(
            days=Sum(days_in + 1),
            on_last=Count("client", filter=on_last, distinct=True),
            fte=role_fte(OuterRef("client__specialist_id"), window.program_id),
        )
        .order_by("client__specialist__last_name", "client__specialist_id")
    )
    window_days = (last - first).days + 1
    return [
        {
            "name": staff_name(row, "client__specialist__"),
            "fte": float(row["fte"] or 1),
            "average": row["days"] / window_days,
            "on_last": row["on_last"],
            "per_fte": row["days"] / window_days / float(row["fte"] or 1),
        }
        for row in rows
    ]


@indicator(
    "caseload_per_specialist", item=1, label="Clients held at a time per full-time specialist"
)
def caseload_per_specialist(window: Window) -> Indicator:
    """Each specialist's caseload held at a time (the average over the window's days, not
    everyone served in it), per full-time equivalent: the mean over specialists, and the
    largest, from which the score is suggested (the criterion holds for every specialist)."""
    rows = _held(window)
    if not rows:
        return indicator_result(window, "caseload_per_specialist", None, "")
    per_fte = [row["per_fte"] for row in rows]
    mean, largest = sum(per_fte) / len(per_fte), max(per_fte)
    # Anchors fall as caseloads grow: ≤20 → 5, 21-25 → 4, 26-30 → 3, 31-40 → 2, ≥41 → 1 (a
    # caseload is whole clients: the average is rounded before it is placed).
    suggested = 5 - sum(round(largest) > edge for edge in (20, 25, 30, 40))
    return indicator_result(
        window,
        "caseload_per_specialist",
        mean,
        f"{mean:.1f} clients per full-time specialist at a time (largest {largest:.1f})",
        suggested=suggested,
        detail=f"{len(rows)} specialists, {sum(r['fte'] for r in rows):.2f} full-time "
        f"equivalents; {sum(r['on_last'] for r in rows)} clients held on the window's last day",
    )


@rows_of("caseload_per_specialist")
def _caseload_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    return [
        {
            "Specialist": row["name"],
            "Full-time equivalent": row["fte"],
            "Clients at a time (average)": round(row["average"], 1),
            "On the window's last day": row["on_last"],
            "Per full-time equivalent": round(row["per_fte"], 1),
        }
        for row in _held(window)
    ]


# --- Items 2 and 24: minutes of work ----------------------------------------------------------

# Time in the community: in person, away from the office.
IN_COMMUNITY = Q(mode=Contact.Mode.IN_PERSON) & ~Q(
    place__in=[Contact.Place.OFFICE, Contact.Place.REMOTE]
)
EMPLOYMENT = Q(purpose__in=sorted(EMPLOYMENT_PURPOSES))


def _contacts(window: Window) -> Any:
    return Contact.objects.live().filter(
        client__in=window.clients(),
        contacted_on__range=(window.period.first, window.period.last),
    )


def _employer_contacts(window: Window) -> Any:
    """The specialists' own contacts with the program's employers in the window (a contact a
    client made alone took none of their time)."""
    contacts = EmployerContact.objects.filter(employer__program_id=window.program_id)
    return definitions.employer_contacts(window.period, contacts).filter(by_client=False)


def _minutes(window: Window) -> dict[str, int]:
    """Client-contact minutes (all, on employment services, in the community) and employer-
    contact minutes (all, face to face), with how many employer contacts have none. Two
    queries."""
    clients = _contacts(window).aggregate(
        total=Coalesce(Sum("minutes"), 0),
        employment=Coalesce(Sum("minutes", filter=EMPLOYMENT), 0),
        community=Coalesce(Sum("minutes", filter=IN_COMMUNITY), 0),
        contacts=Count("id"),
    )
    employers = _employer_contacts(window).aggregate(
        all_minutes=Coalesce(Sum("minutes"), 0),
        visits=Coalesce(Sum("minutes", filter=Q(face_to_face=True)), 0),
        count=Count("id"),
        missing=Count("id", filter=Q(minutes__isnull=True)),
    )
    return {
        **clients,
        "employer": employers["all_minutes"],
        "employer_visits": employers["visits"],
        "employer_contacts": employers["count"],
        "employer_missing": employers["missing"],
    }


@indicator("employment_minutes_share", item=2, label="Share of logged time on employment services")
def employment_minutes_share(window: Window) -> Indicator:
    """Minutes of client contacts for an employment purpose, and of employer contacts, over all
    the minutes logged. Not available while the log holds employment work only: it then cannot
    show the other duties the item counts (case management, groups, crisis, transport...)."""
    minutes = _minutes(window)
    total = minutes["total"] + minutes["employer"]
    if not total:
        return indicator_result(window, "employment_minutes_share", None, "")
    if minutes["employment"] == minutes["total"]:
        return not_available(
            window,
            "employment_minutes_share",
            "no other work is logged in the window, so the log cannot show the share of time on "
            "employment services (ask about other duties at interview)",
        )
    share = (minutes["employment"] + minutes["employer"]) / total
    return indicator_result(
        window,
        "employment_minutes_share",
        share,
        percent_label(share),
        suggested=score_from(share, (0.60, 0.75, 0.90, 0.96)),
        detail=f"{minutes['employment'] + minutes['employer']} of {total} minutes "
        f"({minutes['employer']} with employers)",
    )


@indicator("community_minutes_share", item=24, label="Share of logged time in the community")
def community_minutes_share(window: Window) -> Indicator:
    """Minutes in person away from the office (client contacts at home, at work or in the
    community, and face-to-face employer visits) over all minutes logged; phone, video, text and
    email are not community time. Not available while more than 10 % of the employer contacts
    have no minutes."""
    minutes = _minutes(window)
    total = minutes["total"] + minutes["employer"]
    if not total and not minutes["employer_contacts"]:
        return indicator_result(window, "community_minutes_share", None, "")
    missing = share_of(minutes["employer_missing"], minutes["employer_contacts"]) or 0
    if missing > MISSING_LIMIT:
        return not_available(
            window,
            "community_minutes_share",
            f"{minutes['employer_missing']} of {minutes['employer_contacts']} employer contacts "
            "have no minutes recorded",
        )
    share = (minutes["community"] + minutes["employer_visits"]) / total
    # ≤30 % → 1, then 30-39 → 2, 40-49 → 3, 50-64 → 4, ≥65 % → 5.
    suggested = 1 if share <= 0.30 else 2 + sum(share >= edge for edge in (0.40, 0.50, 0.65))
    return indicator_result(
        window,
        "community_minutes_share",
        share,
        percent_label(share),
        suggested=suggested,
        detail=f"{minutes['community'] + minutes['employer_visits']} of {total} minutes "
        f"({minutes['employer_visits']} at employers)",
    )


def _minutes_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = (
        _contacts(window)
        .values("specialist__first_name", "specialist__last_name")
        .annotate(
            total=Sum("minutes"),
            employment=Sum("minutes", filter=EMPLOYMENT),
            community=Sum("minutes", filter=IN_COMMUNITY),
        )
        .order_by("specialist__last_name")
    )
    return [
        {
            "Specialist": staff_name(row, "specialist__"),
            "Client-contact minutes": row["total"],
            "On employment services": row["employment"] or 0,
            "In person in the community": row["community"] or 0,
        }
        for row in rows
    ]


rows_of("employment_minutes_share")(_minutes_rows)
rows_of("community_minutes_share")(_minutes_rows)


# --- Item 3: vocational generalists -----------------------------------------------------------

PHASES = ("intake", "engagement", "assessment", "job development", "coaching", "follow-along")
# Intake: a contact with a newly enrolled client within two weeks of their enrollment.
INTAKE_DAYS = 14


def _phase_counts(window: Window) -> dict[int, dict[str, int]]:
    """Per specialist, how often they carried out each phase in the window (three queries)."""
    first, last = window.period.first, window.period.last
    enrolled_lately = Episode.objects.filter(
        client=OuterRef("client"),
        enrolled_on__range=(first, last),
        enrolled_on__lte=OuterRef("contacted_on"),
        enrolled_on__gte=ExpressionWrapper(
            OuterRef("contacted_on") - dt.timedelta(days=INTAKE_DAYS), output_field=DateField()
        ),
    )
    counts: dict[int, dict[str, int]] = {}
    contacts = (
        _contacts(window)
        .values("specialist_id")
        .annotate(
            intake=Count("id", filter=Q(Exists(enrolled_lately))),
            engagement=Count(
                "id", filter=Q(purpose__in=[Contact.Purpose.ENGAGEMENT, Contact.Purpose.OUTREACH])
            ),
            assessment=Count("id", filter=Q(purpose=Contact.Purpose.CAREER_PROFILE)),
            follow=Count("id", filter=Q(purpose=Contact.Purpose.JOB_SUPPORT)),
        )
    )
    for row in contacts:
        counts.setdefault(row["specialist_id"], {}).update(
            {
                "intake": row["intake"],
                "engagement": row["engagement"],
                "assessment": row["assessment"],
                "follow-along": row["follow"],
            }
        )
    development = (
        _employer_contacts(window)
        .filter(face_to_face=True)
        .exclude(purpose=EmployerContact.Purpose.SUPPORT_WORKER)
        .values("specialist_id")
        .annotate(n=Count("id"))
    )
    for row in development:
        counts.setdefault(row["specialist_id"], {})["job development"] = row["n"]
    own = Q(provider=Support.Provider.SPECIALIST)
    supports = (
        Support.objects.live()
        .filter(client__in=window.clients(), provided_on__range=(first, last))
        .values("specialist_id")
        .annotate(
            coaching=Count("id", filter=own & Q(kind=Support.Kind.ON_THE_JOB)),
            follow=Count("id", filter=own & ~Q(kind=Support.Kind.ON_THE_JOB)),
        )
    )
    for row in supports:
        mine = counts.setdefault(row["specialist_id"], {})
        mine["coaching"] = row["coaching"]
        mine["follow-along"] = mine.get("follow-along", 0) + row["follow"]
    return counts


def _occasions(window: Window) -> list[dict[str, Any]]:
    """Each specialist with a caseload served in the window: whether a client of theirs was
    enrolled in it (the first three phases had an occasion) and whether one held a job in it
    (coaching and follow-along had one). One query."""
    first, last = window.period.first, window.period.last
    new = Episode.objects.filter(client=OuterRef("pk"), enrolled_on__range=(first, last))
    working = Job.objects.live().filter(
        definitions.overlapping(first, last, start="started_on", end="ended_on"),
        client=OuterRef("pk"),
    )
    return list(
        caseloads(window).annotate(
            new=Count("id", filter=Q(Exists(new))),
            working=Count("id", filter=Q(Exists(working))),
        )
    )


def _phases(window: Window) -> list[dict[str, Any]]:
    counts = _phase_counts(window)
    rows = []
    for row in _occasions(window):
        done = counts.get(row["specialist_id"], {})
        rows.append(
            {
                "name": staff_name(row, "specialist__"),
                "done": [phase for phase in PHASES if done.get(phase)],
                "every_occasion": bool(row["new"] and row["working"]),
            }
        )
    return rows


@indicator(
    "phases_per_specialist", item=3, label="Phases of the service each specialist carries out"
)
def phases_per_specialist(window: Window) -> Indicator:
    """Per specialist, which of the six phases their own records show in the window: intake (a
    contact within two weeks of a new client's enrollment), engagement or outreach, assessment
    (career profile), job development (face-to-face employer contacts), job coaching (on-the-job
    supports they gave) and follow-along (other supports they gave, job-support contacts). The
    fewest phases suggests the score (6 → 5, 5 → 4, 1-4 → 3, none → 2). Not available unless
    every specialist had both a newly enrolled and a working client: a phase with no occasion
    says nothing."""
    rows = _phases(window)
    if not rows:
        return indicator_result(window, "phases_per_specialist", None, "")
    if not all(row["every_occasion"] for row in rows):
        short = [row["name"] for row in rows if not row["every_occasion"]]
        return not_available(
            window,
            "phases_per_specialist",
            f"{', '.join(short)} had no newly enrolled or no working client in the window",
        )
    fewest = min(len(row["done"]) for row in rows)
    suggested = 2 if fewest == 0 else {6: 5, 5: 4}.get(fewest, 3)
    lowest = [row["name"] for row in rows if len(row["done"]) == fewest]
    return indicator_result(
        window,
        "phases_per_specialist",
        fewest,
        f"fewest phases carried out: {fewest} of 6 ({', '.join(lowest)})",
        suggested=suggested,
        detail="From each specialist's own contacts, employer contacts and supports; a phase "
        "given by someone else (a VR counselor, another provider) does not count",
    )


@rows_of("phases_per_specialist")
def _phase_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    return [
        {
            "Specialist": row["name"],
            **{phase.capitalize(): "yes" if phase in row["done"] else "no" for phase in PHASES},
        }
        for row in _phases(window)
    ]
