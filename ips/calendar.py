"""The calendar every app counts in: today's date, periods (day, ISO week, month, quarter), the one
parser of their labels, and the 30-day cutoff of the supervision signals.

Programs count calendar days in the agency's time zone, never timestamps. Labels that come from
users (query strings, API paths, spreadsheet cells) go through `Period.parse` or `parse_week`
only, so bad input gets the same clear `ValueError` message everywhere, and years outside the
range of dates records may carry are refused instead of queuing work for the year 9999.

That range is stated here once: from 1 January 2000 (`FIRST_YEAR`) to the end of next year
(`last_year()`). Every date a record stores is held to it (`date_out_of_range`, through
`ips.models.PlausibleDates`), and every period or week a user names must fall in it.
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from dataclasses import dataclass

from django.utils import timezone

# The supervision signals ("no contact in 30 days", "no employer contact 30 days after
# enrollment", "benefits referral pending after 30 days", "jobs ended in the last 30 days").
SIGNAL_DAYS = 30

# The first year a record may be dated in; the last is next year (`last_year`): a job that
# starts next month, an action item due in the spring.
FIRST_YEAR = 2000

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

PERIOD_HELP = "Give a period as a month (2026-03), a quarter (2026-Q1) or an ISO week (2026-W12)."
WEEK_HELP = "Give the week as an ISO week, such as 2026-W12."


def today() -> dt.date:
    """The local calendar date (programs count days, not timestamps)."""
    return timezone.localdate()


def signal_cutoff(day: dt.date) -> dt.date:
    """The day 30 days before `day`: something dated before it is more than 30 days old."""
    return day - dt.timedelta(days=SIGNAL_DAYS)


def last_year() -> int:
    """The last year a record may be dated in, or a period named in: next year."""
    return today().year + 1


def earliest_date() -> dt.date:
    return dt.date(FIRST_YEAR, 1, 1)


def latest_date() -> dt.date:
    return dt.date(last_year(), 12, 31)


def date_out_of_range(day: dt.date) -> str | None:
    """Why `day` cannot be a record's date (it is before 2000 or after the end of next year), or
    None when it can be."""
    first, last = earliest_date(), latest_date()
    if first <= day <= last:
        return None
    return f"Give a date from {first.isoformat()} to {last.isoformat()}."


def _year(text: str) -> int:
    year = int(text)
    if not FIRST_YEAR <= year <= last_year():
        raise ValueError(f"Give a year from {FIRST_YEAR} to {last_year()}.")
    return year


@dataclass(frozen=True, order=True)
class Period:
    """A closed range of calendar days with its label: `2026-03`, `2026-Q1`, `2026-W12`, or a
    single day (its ISO date)."""

    first: dt.date
    last: dt.date
    kind: str
    label: str

    @classmethod
    def parse(
        cls, label: str | None, *, kinds: tuple[str, ...] = ("month", "quarter", "week")
    ) -> Period:
        """The period a label names, of one of `kinds`; ValueError with a message a user can
        act on otherwise."""
        text = (label or "").strip()
        period = None
        if match := _MONTH.match(text):
            month = int(match[2])
            if 1 <= month <= 12:
                period = cls.month(_year(match[1]), month)
        elif match := _QUARTER.match(text):
            period = cls.quarter(_year(match[1]), int(match[2]))
        elif match := _WEEK.match(text):
            year = _year(match[1])
            try:
                period = cls.week(dt.date.fromisocalendar(year, int(match[2]), 1))
            except ValueError:
                period = None
        if period is None or period.kind not in kinds:
            raise ValueError(WEEK_HELP if kinds == ("week",) else PERIOD_HELP)
        return period

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last_day = monthrange(year, month)[1]
        return cls(
            dt.date(year, month, 1), dt.date(year, month, last_day), "month", f"{year}-{month:02d}"
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first_month = 3 * (quarter - 1) + 1
        last = cls.month(year, first_month + 2).last
        return cls(dt.date(year, first_month, 1), last, "quarter", f"{year}-Q{quarter}")

    @classmethod
    def week(cls, day: dt.date) -> Period:
        """The ISO week (Monday to Sunday) holding `day`."""
        monday = day - dt.timedelta(days=day.weekday())
        year, number, _ = monday.isocalendar()
        return cls(monday, monday + dt.timedelta(days=6), "week", f"{year}-W{number:02d}")

    @classmethod
    def day(cls, day: dt.date) -> Period:
        return cls(day, day, "day", day.isoformat())

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        """The month, quarter or week that holds `day`."""
        if kind == "month":
            return cls.month(day.year, day.month)
        if kind == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == "week":
            return cls.week(day)
        if kind == "day":
            return cls.day(day)
        raise ValueError(f"Unknown kind of period: {kind}")

    def previous(self) -> Period:
        return Period.containing(self.kind, self.first - dt.timedelta(days=1))

    def next(self) -> Period:
        return Period.containing(self.kind, self.last + dt.timedelta(days=1))

    def recent(self, count: int) -> list[Period]:
        """The `count` periods ending with this one, oldest first (a trend chart's x axis)."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]

    def is_closed(self, today: dt.date) -> bool:
        """Whether the period has ended (its numbers only change when late data arrives)."""
        return self.last < today

    def __str__(self) -> str:
        return self.label


def parse_week(label: str | None, *, default: dt.date) -> Period:
    """The ISO week a label such as `2026-W12` names, or the week holding `default` when the label
    is absent or empty; ValueError with a clear message for anything else."""
    if not (label or "").strip():
        return Period.week(default)
    return Period.parse(label, kinds=("week",))
