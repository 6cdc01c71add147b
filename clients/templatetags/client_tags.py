import datetime as dt

from django import template

register = template.Library()


@register.filter
def days_since(day: dt.date | None, today: dt.date) -> str:
    """'today', '1 day', '12 days' — or 'never' when there is no date."""
    if day is None:
        return "never"
    days = (today - day).days
    if days <= 0:
        return "today"
    return "1 day ago" if days == 1 else f"{days} days ago"


@register.filter
def iso_date(day: dt.date | None) -> str:
    """YYYY-MM-DD, or '' for no date: what |date:"Y-m-d" prints for a date, without the format
    lookups it makes on every call (the client page prints two dates per timeline item)."""
    return day.isoformat() if day else ""
