"""The registry of evidence indicators: the window an indicator is computed over, its result,
the decorators that register it and its rows, the shared helpers, the pseudonyms reviewers see,
and the readers over the registry (all indicators of a review, the rows behind one, the chart
sample)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from clients.models import Client, Contact, Support
from employers.models import EmployerContact
from fidelity.models import Review
from ips.calendar import Period
from ips.models import Role, StaffRole, User
from outcomes import definitions
from supervision.models import SupervisionSession


@dataclass(frozen=True)
class Window:
    """What an indicator is computed over: a program and the review's window of days."""

    review: Review
    period: Period

    @property
    def program_id(self) -> int:
        return self.review.program_id

    def clients(self) -> Any:
        return Client.objects.filter(program_id=self.program_id, archived_at__isnull=True)

    def weeks(self) -> float:
        return ((self.period.last - self.period.first).days + 1) / 7


@dataclass(frozen=True)
class Indicator:
    """One computed indicator: its value (None = no data in the window), how it reads, the
    score the anchors suggest (None when the anchors are not a number) and what it rests on."""

    key: str
    item: int
    label: str
    value: float | None
    display: str
    suggested: int | None = None
    detail: str = ""
    available: bool = True
    has_rows: bool = True


@dataclass(frozen=True)
class Spec:
    key: str
    item: int
    label: str
    compute: Callable[[Window], Indicator]
    rows: Callable[[Window, Pseudonyms], list[dict[str, Any]]] | None = None


INDICATORS: dict[str, Spec] = {}


def indicator(key: str, *, item: int, label: str) -> Callable:
    """Register an indicator's computation under `key` (its rows attach with `@rows_of`)."""

    def register(compute: Callable[[Window], Indicator]) -> Callable[[Window], Indicator]:
        INDICATORS[key] = Spec(key=key, item=item, label=label, compute=compute)
        return compute

    return register


def rows_of(key: str) -> Callable:
    """Register the de-identified rows behind indicator `key`."""

    def register(build: Callable) -> Callable:
        spec = INDICATORS[key]
        INDICATORS[key] = Spec(spec.key, spec.item, spec.label, spec.compute, build)
        return build

    return register


def indicator_result(
    window: Window, key: str, value: float | None, display: str, **kw: Any
) -> Indicator:
    spec = INDICATORS[key]
    if value is None:
        display, kw = "No data in the review window", {**kw, "suggested": None}
    return Indicator(
        key=key,
        item=spec.item,
        label=spec.label,
        value=value,
        display=display,
        has_rows=spec.rows is not None,
        **kw,
    )


def not_available(window: Window, key: str, reason: str, **kw: Any) -> Indicator:
    """The records cannot be trusted for this number (too few, or missing data): no value and
    no suggested score, and the reason why."""
    spec = INDICATORS[key]
    return Indicator(
        key=key,
        item=spec.item,
        label=spec.label,
        value=None,
        display=f"Not available: {reason}",
        suggested=None,
        has_rows=spec.rows is not None,
        **kw,
    )


# A number resting on records that are missing for more than this share of the cases it counts
# is not available (a reviewer would not trust it either).
MISSING_LIMIT = 0.10


def specialists_in_post(window: Window) -> list[dict[str, Any]]:
    """The specialists who worked for the program during the window, each with the full-time
    equivalent of their specialist role there (1 when they hold none now): whoever logged a
    client contact, an employer contact or a support for it, was present at its group
    supervision, or was assigned a client it served. One query.

    Holding the role today is not the test: someone who joined after the window did none of
    its work, and someone who has left since did."""
    first, last = window.period.first, window.period.last
    pid = window.program_id
    worked = (
        Q(
            Exists(
                Contact.objects.filter(
                    specialist=OuterRef("pk"),
                    client__program_id=pid,
                    archived_at__isnull=True,
                    contacted_on__range=(first, last),
                )
            )
        )
        | Q(
            Exists(
                EmployerContact.objects.filter(
                    specialist=OuterRef("pk"),
                    employer__program_id=pid,
                    archived_at__isnull=True,
                    contacted_on__range=(first, last),
                )
            )
        )
        | Q(
            Exists(
                Support.objects.filter(
                    specialist=OuterRef("pk"),
                    client__program_id=pid,
                    archived_at__isnull=True,
                    provided_on__range=(first, last),
                )
            )
        )
        | Q(
            Exists(
                SupervisionSession.specialists_present.through.objects.filter(
                    user=OuterRef("pk"),
                    supervisionsession__program_id=pid,
                    supervisionsession__archived_at__isnull=True,
                    supervisionsession__held_on__range=(first, last),
                )
            )
        )
        | Q(
            Exists(
                definitions.caseload(window.period, window.clients()).filter(
                    specialist=OuterRef("pk")
                )
            )
        )
    )
    return list(
        User.objects.filter(worked)
        .annotate(fte=Coalesce(role_fte(OuterRef("pk"), pid), Value(Decimal("1.00"))))
        .order_by("last_name", "first_name", "id")
        .values("id", "first_name", "last_name", "fte")
    )


def role_fte(user_ref: Any, program_id: int) -> Subquery:
    """The full-time equivalent of the user's specialist role in the program (NULL: none)."""
    roles = StaffRole.objects.filter(user=user_ref, program_id=program_id, role=Role.SPECIALIST)
    return Subquery(roles.values("fte")[:1])


def staff_name(row: dict[str, Any], prefix: str = "") -> str:
    return f"{row[prefix + 'first_name']} {row[prefix + 'last_name']}"


def score_from(value: float | None, edges: tuple[float, float, float, float]) -> int | None:
    """Anchors rising with the value: at least edges[3] gives 5, ..., below edges[0] gives 1."""
    if value is None:
        return None
    return 1 + sum(value >= edge for edge in edges)


def share_of(part: int | None, whole: int | None) -> float | None:
    return (part or 0) / whole if whole else None


def percent_label(value: float) -> str:
    return f"{value * 100:.1f} %"


def window_of(review: Review) -> Window:
    label = f"{review.window_start:%Y-%m-%d} to {review.window_end:%Y-%m-%d}"
    return Window(review, Period(review.window_start, review.window_end, "window", label))


def review_evidence(*, review: Review) -> list[Indicator]:
    """Every registered indicator for the review's program and window, in item order."""
    window = window_of(review)
    specs = sorted(INDICATORS.values(), key=lambda spec: (spec.item, spec.key))
    return [spec.compute(window) for spec in specs]


def evidence_by_item(indicators: list[Indicator]) -> dict[int, list[Indicator]]:
    by_item: dict[int, list[Indicator]] = {}
    for found in indicators:
        by_item.setdefault(found.item, []).append(found)
    return by_item


# --- Pseudonyms -------------------------------------------------------------------------------


class Pseudonyms:
    """ "Client N" for each client of the program (numbered by record order, stable within a
    review), and days since the enrollment that a date belongs to."""

    def __init__(self, window: Window) -> None:
        ids = window.clients().order_by("id").values_list("id", flat=True)
        self.numbers = {client_id: n for n, client_id in enumerate(ids, start=1)}

    def name(self, client_id: int) -> str:
        return f"Client {self.numbers.get(client_id, '?')}"


def days_between(later: dt.date | None, earlier: dt.date | None) -> int | None:
    return (later - earlier).days if later and earlier else None


# --- The drill-down and the chart sample ------------------------------------------------------


def indicator_rows(*, review: Review, key: str) -> list[dict[str, Any]]:
    """The de-identified rows behind indicator `key` (KeyError for an unknown one)."""
    spec = INDICATORS[key]
    if spec.rows is None:
        return []
    window = window_of(review)
    return spec.rows(window, Pseudonyms(window))


SAMPLE_SIZE = 10


def chart_sample(*, review: Review, size: int = SAMPLE_SIZE) -> list[dict[str, Any]]:
    """A de-identified chart review: up to `size` clients served in the window (the first by
    record order), each as "Client N" with every date as days since their enrollment."""
    window = window_of(review)
    names = Pseudonyms(window)
    served = definitions.caseload(window.period, window.clients()).order_by("id")[:size]
    clients = list(
        served.select_related("current_episode").prefetch_related(
            "jobs", "supports", "benefits_referrals", "employer_contacts"
        )
    )
    sample = []
    for client in clients:
        episode = client.current_episode
        start = episode.enrolled_on if episode else None
        jobs = [job for job in client.jobs.all() if job.archived_at is None]
        contacts = sorted(
            c.contacted_on
            for c in client.employer_contacts.all()
            if c.archived_at is None and c.face_to_face
        )
        sample.append(
            {
                "client": names.name(client.pk),
                "first_employer_contact": days_between(contacts[0], start) if contacts else None,
                "first_job": days_between(min(job.started_on for job in jobs), start)
                if jobs
                else None,
                "jobs": len(jobs),
                "supports": sum(1 for s in client.supports.all() if s.archived_at is None),
                "benefits_referral": any(
                    r.archived_at is None for r in client.benefits_referrals.all()
                ),
            }
        )
    return sample
