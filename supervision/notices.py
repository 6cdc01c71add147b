"""The weekly digests of supervision (registered with `ips.notices` in `SupervisionConfig.ready`):

- a specialist's own signals for the last complete week, with the links to the clients behind
  each count;
- a supervisor's program signals per specialist, sent before the week's meeting, with the link
  to meeting mode.

Counts and links only (ids in the address): never a client's name. The numbers are the
dashboard's (`supervision.selectors.dashboard`) for the same week, so the e-mail and the page
agree.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from ips.models import Program, Role, User
from ips.notices import DigestSection
from ips.notices.services import absolute
from outcomes.reports.charts import format_rate
from supervision.models import ActionItem
from supervision.selectors import METRICS, Numbers, SupervisionWeek, dashboard

# The signals a digest counts, in this order.
SIGNALS = (
    "no_contact_30d",
    "no_employer_contact_30d",
    "jobs_ended_30d",
    "benefits_pending_30d",
)


def _programs(user: User, role: Role) -> list[Program]:
    return list(
        Program.objects.filter(staff_roles__user=user, staff_roles__role=role)
        .distinct()
        .order_by("name")
    )


def _drilldown(program: Program, when: SupervisionWeek, key: str, specialist: User | None) -> str:
    query = {"program": program.pk, "week": when.week.label, "metric": key}
    if specialist is not None:
        query["specialist"] = specialist.pk
    return absolute(f"{reverse('supervision:drilldown')}?{urlencode(query)}")


def _items(program: Program, on: dt.date) -> dict[int, tuple[int, int]]:
    """Per specialist: (open action items, of which overdue) on `on` (one query)."""
    rows = (
        ActionItem.objects.open_on(on)
        .filter(session__program=program)
        .values("specialist_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=on)))
        .order_by()
    )
    return {row["specialist_id"]: (row["open"], row["overdue"]) for row in rows}


def _contacts(row: Numbers, when: SupervisionWeek) -> str:
    made = row.counts.get("employer_contacts_week", 0)
    below = " (below target)" if row.below_target else ""
    return f"{made} / {row.employer_contacts_target}{below}"


def specialist_digest(user: User, on: dt.date) -> DigestSection | None:
    """The specialist's own numbers and signals of the last complete week before `on`, per
    program they work in, with a link to the clients behind each count."""
    when = SupervisionWeek.last_complete(on)
    lines = []
    for program in _programs(user, Role.SPECIALIST):
        rows = dashboard(program=program, when=when, only=user).specialists
        if not rows:
            continue
        row = rows[0]
        opened, overdue = _items(program, on).get(user.pk, (0, 0))
        lines += [
            f"{program}, week {when.week.label}:",
            f"- Caseload: {row.counts['caseload']}, working: {row.counts['working']} "
            f"({format_rate(row.rate)})",
            f"- {METRICS['employer_contacts_week'].label}: {_contacts(row, when)}",
        ]
        for key in SIGNALS:
            count = row.counts.get(key, 0)
            link = f" {_drilldown(program, when, key, user)}" if count else ""
            lines.append(f"- {METRICS[key].label}: {count}{link}")
        lines.append(f"- Open action items: {opened} (overdue: {overdue}) {absolute('/')}")
    if not lines:
        return None
    title = f"Your week {when.week.label} ({when.week.first:%-d %b} to {when.week.last:%-d %b})"
    url = f"{reverse('supervision:dashboard')}?{urlencode({'week': when.week.label})}"
    return DigestSection(title=title, lines=lines, url=url)


def supervisor_digest(user: User, on: dt.date) -> DigestSection | None:
    """Each supervised program's signals per specialist for the last complete week before `on`,
    to prepare the meeting, with the link to meeting mode."""
    when = SupervisionWeek.last_complete(on)
    lines = []
    url = ""
    for program in _programs(user, Role.SUPERVISOR):
        board = dashboard(program=program, when=when)
        items = _items(program, on)
        meeting = f"{reverse('supervision:meeting')}?" + urlencode(
            {"program": program.pk, "week": when.week.label}
        )
        url = url or meeting
        lines += [f"{program}, week {when.week.label}: meeting mode {absolute(meeting)}"]
        for row in board.specialists:
            opened, overdue = items.get(row.specialist.pk, (0, 0))  # type: ignore[union-attr]
            signals = ", ".join(
                f"{METRICS[key].label}: {row.counts.get(key, 0)}" for key in SIGNALS
            )
            lines.append(
                f"- {row.specialist}: employer contacts {_contacts(row, when)}; "
                f"working {row.counts['working']} of {row.counts['caseload']} "
                f"({format_rate(row.rate)}); {signals}; "
                f"open action items: {opened} (overdue: {overdue})"
            )
        totals = board.totals
        lines.append(
            f"- Whole program: working {totals.counts['working']} of "
            f"{totals.counts['caseload']} ({format_rate(totals.rate)}); "
            + ", ".join(f"{METRICS[key].label}: {totals.counts.get(key, 0)}" for key in SIGNALS)
        )
        lines.append("")
    if not lines:
        return None
    return DigestSection(title=f"Before the meeting: week {when.week.label}", lines=lines, url=url)
