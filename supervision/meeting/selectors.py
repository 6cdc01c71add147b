"""Reads of meeting mode: the weekly group-supervision meeting of a program on one page.

Each specialist's numbers are the dashboard's (`supervision.selectors.dashboard`), and their
trend over the week and the eight before it counts the same querysets week by week, so a trend
point and the dashboard of that week cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from clients.models import BenefitsReferral
from employers.models import EmployerContact
from ips.calendar import Period, date_out_of_range
from ips.models import Program, User
from outcomes import definitions as d
from supervision.models import ActionItem, SupervisionSession
from supervision.selectors import (
    COUNTED_METRICS,
    METRICS,
    Dashboard,
    Metric,
    Numbers,
    SupervisionWeek,
    clients_of,
    dashboard,
    jobs_of,
)

# The week under review and the eight before it: the trend drawn beside each number.
TREND_WEEKS = 9


def _counted_rows_base(metric: Metric, program: Program) -> QuerySet:
    """Every row of the metric's kind in the program: the set each week's rows are taken from."""
    bases: dict[str, Callable[[], QuerySet]] = {
        "clients": lambda: clients_of(program),
        "jobs": lambda: jobs_of(program),
        "employer_contacts": lambda: EmployerContact.objects.filter(employer__program=program),
        "referrals": lambda: BenefitsReferral.objects.filter(client__program=program),
    }
    return bases[metric.rows_kind]()


def weekly_counts(
    *, program: Program, weeks: list[SupervisionWeek]
) -> dict[str, dict[int | None, list[int]]]:
    """Per counted number, per specialist (None: no specialist), the count of each week, in
    the order of `weeks`: the dashboard's own querysets, one grouped query per number for every
    week together (`Count(filter=pk IN <that week's rows>)`)."""
    trends: dict[str, dict[int | None, list[int]]] = {}
    for key in COUNTED_METRICS:
        metric = METRICS[key]
        per_week = {
            f"w{i}": Count(
                "pk", filter=Q(pk__in=metric.rows(program, when).values("pk")), distinct=True
            )
            for i, when in enumerate(weeks)
        }
        rows = (
            _counted_rows_base(metric, program)
            .order_by()
            .values(_specialist=F(metric.specialist_path))
            .annotate(**per_week)
        )
        trends[key] = {
            row["_specialist"]: [row[f"w{i}"] for i in range(len(weeks))] for row in rows
        }
    return trends


@dataclass
class MeetingRow:
    """One specialist in meeting mode: the week's numbers, each number's trend over the weeks
    (oldest first, the week under review last), and their action items."""

    numbers: Numbers
    trends: dict[str, list[int]]
    items: list[ActionItem]

    @property
    def specialist(self) -> User:
        return self.numbers.specialist  # type: ignore[return-value]

    @property
    def rate_trend(self) -> list[float | None]:
        return [
            d.rate(w, c)
            for w, c in zip(self.trends["working"], self.trends["caseload"], strict=True)
        ]

    @property
    def open_items(self) -> list[ActionItem]:
        return [item for item in self.items if item.done_on is None]


@dataclass
class Meeting:
    """The weekly supervision meeting of a program on one page."""

    board: Dashboard
    weeks: list[SupervisionWeek]
    rows: list[MeetingRow]
    session: SupervisionSession | None
    last_session: SupervisionSession | None
    present: set[int]

    @property
    def when(self) -> SupervisionWeek:
        return self.board.when


def meeting_week(label: str | None, day: str | None, today: dt.date) -> SupervisionWeek:
    """The week meeting mode shows: `?week=2026-W12`, else the week holding `?date=2026-03-18`
    (the date picker), else the last complete week. ValueError with a clear message for a bad
    week or date, or a date outside the range records may carry."""
    if (label or "").strip():
        return SupervisionWeek.parse(label, today)
    if (day or "").strip():
        try:
            chosen = dt.date.fromisoformat(day.strip())  # type: ignore[union-attr]
        except ValueError:
            raise ValueError("Give the date as a calendar date, such as 2026-03-18.") from None
        if message := date_out_of_range(chosen):
            raise ValueError(message)
        return SupervisionWeek.of(Period.week(chosen), today)
    return SupervisionWeek.last_complete(today)


def meeting_sessions(
    program: Program, today: dt.date
) -> tuple[SupervisionSession | None, SupervisionSession | None]:
    """Today's session of the program (the one the meeting records into), and the last one
    before today (whose action items the meeting reviews)."""
    live = SupervisionSession.objects.filter(program=program, archived_at__isnull=True)
    current = live.filter(held_on=today).order_by("-id").first()
    last = live.filter(held_on__lt=today).order_by("-held_on", "-id").first()
    return current, last


def meeting_items(
    *,
    program: Program,
    today: dt.date,
    last_session: SupervisionSession | None,
) -> QuerySet[ActionItem]:
    """The items meeting mode shows: every one still open, every one agreed at the last session
    or today, and those done today (so a "done" clicked by mistake can be undone)."""
    shown = Q(done_on__isnull=True) | Q(done_on=today) | Q(session__held_on=today)
    if last_session is not None:
        shown |= Q(session=last_session)
    return (
        ActionItem.objects.filter(
            shown,
            session__program=program,
            archived_at__isnull=True,
            session__archived_at__isnull=True,
        )
        .select_related("session")
        .order_by("session__held_on", "due_on", "id")
    )


def meeting(*, program: Program, when: SupervisionWeek, today: dt.date) -> Meeting:
    """Meeting mode for a program and week: the dashboard's numbers of each specialist, the
    trend of each number over the week and the eight before it, the action items, and today's
    session (attendance and notes) if one is recorded yet.

    A constant number of queries, whatever the number of specialists and clients: the
    dashboard's, one per trended number, two sessions, the items and today's attendance."""
    board = dashboard(program=program, when=when)
    weeks = [SupervisionWeek.of(week, today) for week in when.week.recent(TREND_WEEKS)]
    trends = weekly_counts(program=program, weeks=weeks)
    session, last_session = meeting_sessions(program, today)
    items: dict[int, list[ActionItem]] = {}
    for item in meeting_items(program=program, today=today, last_session=last_session):
        items.setdefault(item.specialist_id, []).append(item)
    zeros = [0] * len(weeks)
    rows = [
        MeetingRow(
            numbers=numbers,
            trends={key: trends[key].get(numbers.specialist.pk, zeros) for key in trends},
            items=items.get(numbers.specialist.pk, []),
        )
        for numbers in board.specialists
        if numbers.specialist is not None
    ]
    present: set[int] = set()
    if session is not None:
        present = set(session.specialists_present.values_list("pk", flat=True))
    return Meeting(
        board=board,
        weeks=weeks,
        rows=rows,
        session=session,
        last_session=last_session,
        present=present,
    )
