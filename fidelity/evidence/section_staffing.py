"""The scale's Staffing section (items 1-3): caseload size and the share of minutes on
employment.

Item 24 (community-based services) is registered here too: it reads the same contact minutes as
item 2 and shares their rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum

from clients.models import Contact
from fidelity.evidence.registry import (
    Indicator,
    Pseudonyms,
    Window,
    indicator,
    indicator_result,
    percent_label,
    rows_of,
    score_from,
    share_of,
)
from outcomes import definitions

# Every purpose the contact log offers is part of the IPS service (engagement, career profile,
# job search, job support, benefits, education). Minutes logged for any other purpose would
# count against item 2; the log keeps no other kind of work, so the share is an upper bound and
# the reviewer checks other duties at interview.
EMPLOYMENT_PURPOSES = frozenset(
    {
        Contact.Purpose.ENGAGEMENT,
        Contact.Purpose.CAREER_PROFILE,
        Contact.Purpose.JOB_SEARCH,
        Contact.Purpose.JOB_SUPPORT,
        Contact.Purpose.BENEFITS,
        Contact.Purpose.EDUCATION,
    }
)


# --- Item 1: caseload size --------------------------------------------------------------------


def caseloads(window: Window) -> Any:
    return (
        definitions.caseload(window.period, window.clients())
        .exclude(specialist__isnull=True)
        .values("specialist_id", "specialist__first_name", "specialist__last_name")
        .annotate(clients=Count("id"))
        .order_by("specialist__last_name", "specialist_id")
    )


@indicator("caseload_per_specialist", item=1, label="Clients per specialist (caseload served)")
def caseload_per_specialist(window: Window) -> Indicator:
    """The caseload (served in the window) of each specialist: the mean, and the largest, from
    which the score is suggested (the criterion holds for every specialist)."""
    rows = list(caseloads(window))
    if not rows:
        return indicator_result(window, "caseload_per_specialist", None, "")
    counts = [row["clients"] for row in rows]
    mean, largest = sum(counts) / len(counts), max(counts)
    # Anchors fall as caseloads grow: ≤20 → 5, 21-25 → 4, 26-30 → 3, 31-40 → 2, ≥41 → 1.
    suggested = 5 - sum(largest > edge for edge in (20, 25, 30, 40))
    return indicator_result(
        window,
        "caseload_per_specialist",
        mean,
        f"{mean:.1f} clients per specialist (largest {largest})",
        suggested=suggested,
        detail=f"{sum(counts)} clients across {len(counts)} specialists",
    )


@rows_of("caseload_per_specialist")
def _caseload_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    return [
        {
            "Specialist": f"{row['specialist__first_name']} {row['specialist__last_name']}",
            "Clients": row["clients"],
        }
        for row in caseloads(window)
    ]


# --- Items 2 and 24: contact minutes ----------------------------------------------------------


def _contacts(window: Window) -> Any:
    return Contact.objects.live().filter(
        client__in=window.clients(),
        contacted_on__range=(window.period.first, window.period.last),
    )


def _minutes(window: Window) -> dict[str, int]:
    return _contacts(window).aggregate(
        total=Sum("minutes"),
        employment=Sum("minutes", filter=Q(purpose__in=sorted(EMPLOYMENT_PURPOSES))),
        community=Sum("minutes", filter=~Q(place=Contact.Place.OFFICE)),
    )


@indicator("employment_minutes_share", item=2, label="Share of logged minutes on employment")
def employment_minutes_share(window: Window) -> Indicator:
    """Minutes of logged client contacts whose purpose is an employment service, over all."""
    minutes = _minutes(window)
    share = share_of(minutes["employment"], minutes["total"])
    return indicator_result(
        window,
        "employment_minutes_share",
        share,
        percent_label(share) if share is not None else "",
        suggested=score_from(share, (0.60, 0.75, 0.90, 0.96)),
        detail=f"{minutes['employment'] or 0} of {minutes['total'] or 0} minutes",
    )


@indicator("community_minutes_share", item=24, label="Share of contact minutes in the community")
def community_minutes_share(window: Window) -> Indicator:
    """Minutes of logged client contacts anywhere but the office, over all."""
    minutes = _minutes(window)
    share = share_of(minutes["community"], minutes["total"])
    # ≤30 % → 1, then 30-39 → 2, 40-49 → 3, 50-64 → 4, ≥65 % → 5.
    suggested = None
    if share is not None:
        suggested = 1 if share <= 0.30 else 2 + sum(share >= edge for edge in (0.40, 0.50, 0.65))
    return indicator_result(
        window,
        "community_minutes_share",
        share,
        percent_label(share) if share is not None else "",
        suggested=suggested,
        detail=f"{minutes['community'] or 0} of {minutes['total'] or 0} minutes",
    )


def _minutes_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = (
        _contacts(window)
        .values("specialist__first_name", "specialist__last_name")
        .annotate(
            total=Sum("minutes"),
            employment=Sum("minutes", filter=Q(purpose__in=sorted(EMPLOYMENT_PURPOSES))),
            community=Sum("minutes", filter=~Q(place=Contact.Place.OFFICE)),
        )
        .order_by("specialist__last_name")
    )
    return [
        {
            "Specialist": f"{row['specialist__first_name']} {row['specialist__last_name']}",
            "Minutes": row["total"],
            "On employment services": row["employment"] or 0,
            "In the community": row["community"] or 0,
        }
        for row in rows
    ]


rows_of("employment_minutes_share")(_minutes_rows)
rows_of("community_minutes_share")(_minutes_rows)
