"""Today: whom a specialist should see, the top of their home page on a phone.

One row per client of the specialist's own caseload (open episodes) who needs them today:
a plan step due within a week or overdue, no contact in 30 days (the supervision signal's
cutoff), a new referral not yet enrolled, a job started this week (support in the first days
keeps jobs). Each row says why, marks what is overdue, and carries what logging a contact
from it needs: the purpose that fits the reason, so that the quick log opens ready to save.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery

from clients.models import Client, Contact, Job, PlanGoal, PlanStep
from clients.templatetags.client_tags import pk_url
from ips.calendar import Period, signal_cutoff
from ips.models import User

# A plan step due within this many days is listed (an overdue one always is).
STEP_DAYS_AHEAD = 7
# What the quick log from Today starts with: a typical community contact's length.
DEFAULT_MINUTES = 30
# The fields each row reads: one query for the whole list, whatever the caseload's size.
_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "phone",
    "email",
    "current_episode__referred_on",
    "current_episode__enrolled_on",
    "step_text",
    "step_due",
    "step_kind",
    "job_title",
    "job_started",
    "last_contact_on",
)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a client is on Today's list, and whether it is overdue."""

    text: str
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class TodayRow:
    """One client to see today, every text worked out so the template only prints."""

    pk: int
    url: str
    quick_url: str
    name: str
    phone: str
    email: str
    reasons: tuple[Reason, ...]
    purpose: str
    # Days the most overdue reason is late (0: nothing overdue); the list is sorted by it.
    late: int

    @property
    def overdue(self) -> bool:
        return self.late > 0


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def today_rows(*, user: User, today: dt.date) -> list[TodayRow]:
    """The specialist's own clients to see today, the most overdue first, then by name.

    One query (each reason a correlated subquery over that client's rows through its index);
    the clients fetched are recorded as read (`Client.objects.visible_to`)."""
    week = Period.week(today)
    steps = PlanStep.objects.filter(
        goal__client=OuterRef("pk"),
        goal__archived_at__isnull=True,
        done_on__isnull=True,
        due_on__lte=today + dt.timedelta(days=STEP_DAYS_AHEAD),
    ).order_by("due_on", "id")
    jobs = (
        Job.objects.live()
        .filter(client=OuterRef("pk"), started_on__gte=week.first, started_on__lte=week.last)
        .order_by("-started_on", "-id")
    )
    last_contact = (
        Contact.objects.live()
        .filter(client=OuterRef("pk"), contacted_on__lte=today)
        .order_by("-contacted_on")
        .values("contacted_on")[:1]
    )
    cutoff = signal_cutoff(today)
    enrolled = Q(
        current_episode__enrolled_on__isnull=False, current_episode__enrolled_on__lte=today
    )
    rows = (
        Client.objects.visible_to(user)
        .filter(specialist=user, current_episode__closed_on__isnull=True)
        .annotate(
            step_text=Subquery(steps.values("text")[:1]),
            step_due=Subquery(steps.values("due_on")[:1]),
            step_kind=Subquery(steps.values("goal__kind")[:1]),
            job_title=Subquery(jobs.values("title")[:1]),
            job_started=Subquery(jobs.values("started_on")[:1]),
            last_contact_on=Subquery(last_contact),
        )
        .filter(
            Q(step_due__isnull=False)
            | Q(job_started__isnull=False)
            | Q(current_episode__enrolled_on__isnull=True)
            | (enrolled & (Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=cutoff)))
        )
        .order_by("last_name", "first_name", "id")
        .values(*_FIELDS)
    )
    built = [_row(row, today, cutoff) for row in rows]
    return sorted(built, key=lambda row: -row.late)


def _row(row: dict, today: dt.date, cutoff: dt.date) -> TodayRow:
    reasons: list[Reason] = []
    late = 0
    purpose = Contact.Purpose.ENGAGEMENT
    enrolled_on = row["current_episode__enrolled_on"]
    if enrolled_on is None or enrolled_on > today:
        referred = (today - row["current_episode__referred_on"]).days
        reasons.append(
            Reason(f"New referral, {_days(referred)} ago" if referred else "New referral today")
        )
    last = row["last_contact_on"]
    if enrolled_on is not None and enrolled_on <= today and (last is None or last < cutoff):
        since = (today - (last or enrolled_on)).days
        beyond = since - (today - cutoff).days
        text = (
            f"No contact in {_days(since)}"
            if last
            else f"No contact since enrolled {_days(since)} ago"
        )
        reasons.append(Reason(text, beyond > 0))
        late = max(late, beyond)
    if row["step_due"] is not None:
        due, text = row["step_due"], row["step_text"]
        overdue = (today - due).days
        when = (
            f"overdue {_days(overdue)}"
            if overdue > 0
            else "due today"
            if due == today
            else f"due {due:%a %-d %b}"
        )
        reasons.append(Reason(f"Plan step {when}: {text}", overdue > 0))
        late = max(late, overdue)
        education = row["step_kind"] == PlanGoal.Kind.EDUCATION
        purpose = Contact.Purpose.EDUCATION if education else Contact.Purpose.JOB_SEARCH
    if row["job_started"] is not None:
        reasons.append(Reason(f"Job started {row['job_started']:%a %-d %b}: {row['job_title']}"))
        purpose = Contact.Purpose.JOB_SUPPORT
    pk = row["id"]
    return TodayRow(
        pk=pk,
        url=pk_url(pk, "clients:detail"),
        quick_url=pk_url(pk, "clients:contact_quick"),
        name=f"{row['first_name']} {row['last_name']}",
        phone=row["phone"],
        email=row["email"],
        reasons=tuple(reasons),
        purpose=purpose,
        late=late,
    )
