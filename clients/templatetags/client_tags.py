import datetime as dt
import functools

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()

# Stands for the pk while a route's path is reversed once; any number the route accepts will do.
_PK_PLACEHOLDER = 918273645


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


@register.filter
def pk_url(pk: int, route: str) -> str:
    """`{% url route pk %}` for a route whose one argument is an int `pk`, e.g.
    `{{ client.pk|pk_url:"clients:detail" }}`: reversed once per route (and script prefix), then
    the pk is put in place. The caseload reversed two URLs per row, a fifth of its rendering."""
    head, tail = _around_pk(route, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


# Kept between requests on purpose: this is string work on the URL configuration only. The key
# (route name, script prefix) holds no user, no day and no row, and the value is the two halves
# of a path around a placeholder number, so it cannot serve one user's or one day's records to
# another. No queryset or model data may be cached this way.
@functools.lru_cache(maxsize=64)
def _around_pk(route: str, script_prefix: str) -> tuple[str, str]:
    """The path of `route` before and after its pk, for the given script prefix."""
    head, tail = reverse(route, args=[_PK_PLACEHOLDER]).split(str(_PK_PLACEHOLDER))
    return head, tail
