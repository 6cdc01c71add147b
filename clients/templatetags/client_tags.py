import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

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
def tel_href(number: str) -> str:
    """A `tel:` address for a phone number as typed: its digits, with a leading + kept (spaces,
    dashes and brackets dropped, as dialers want); '' when it holds no digit."""
    digits = "".join(c for c in number if c.isdigit())
    if not digits:
        return ""
    return f"tel:{'+' if number.strip().startswith('+') else ''}{digits}"


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


@register.simple_tag
def options(choices: Iterable[tuple[Any, Any]], chosen: Any) -> str:
    """A select's `<option>`s for `choices`, the `chosen` value marked selected: what a
    {% for %} loop with an {% if %} per option prints, without the template work per option (the
    quick log prints about forty options, which were a third of its rendering)."""
    return _options(tuple((str(value), str(label)) for value, label in choices), _as_text(chosen))


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


# Kept between requests on purpose, as `_around_pk`: the key is a field's fixed choices and the
# chosen value, never a record, so no user's data can pass from one request to another.
@functools.lru_cache(maxsize=256)
def _options(choices: tuple[tuple[str, str], ...], chosen: str | None) -> str:
    return mark_safe(  # noqa: S308 - every value and label is escaped here
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )


# --- Rows of long lists, printed from a format string ------------------------------------------
#
# The caseload's rows and the timeline's items are the markup below, filled in Python. Measured
# on 50 caseload rows whose every text was already worked out (clients.selectors.CaseloadRow):
# the same markup as a {% for %} loop of the template language took 6.7 ms of CPU, a format
# string 1.0 ms; the loop was most of the page's time. Every text is escaped here, as the
# template would; only the markup below and URLs built by `pk_url` go out unescaped.

_CASELOAD_ROW = """<li class="list-group-item" data-testid="caseload-row">
    <div class="d-flex flex-wrap justify-content-between gap-1">
      <a class="fw-semibold target-block" href="{url}">{last_name}, {first_name}</a>
      <span><span class="badge text-bg-{badge}">{status_label}</span>{working}</span>
    </div>
    <div class="small text-body-secondary">{job}Last contact: <span id="last-contact-{pk}">{last_contact}</span>{enrolled}{specialist}</div>
{next_step}{quick}  </li>
"""  # noqa: E501
_WORKING = ' <span class="badge text-bg-success">Working</span>'
_NO_EMPLOYER_CONTACT = (
    ' · <span class="text-danger-emphasis" data-testid="no-employer-contact">'
    "no employer contact yet</span>"
)
# The quick-log form loads when opened, so a long caseload renders fast.
_QUICK_LOG = """    <details class="mt-1" hx-get="{url}?where=caseload" hx-trigger="toggle once" hx-target="find .quick-slot">
      <summary class="small">Log a contact</summary>
      <div class="quick-slot"><a class="small" href="{url}">Open the contact form</a></div>
    </details>
"""  # noqa: E501


def _enrolled(row: Any) -> str:
    if not row.enrolled:
        return ""
    return f" · Enrolled {row.enrolled}{_NO_EMPLOYER_CONTACT if row.no_employer_contact else ''}"


@register.simple_tag
def caseload_rows(rows: Iterable[Any], can_edit: bool) -> str:
    """The caseload's <li> rows (`clients.selectors.CaseloadRow`), or the "no clients" row."""
    html = [
        _CASELOAD_ROW.format(
            url=row.url,
            pk=row.pk,
            last_name=escape(row.last_name),
            first_name=escape(row.first_name),
            badge=row.badge,
            status_label=row.status_label,
            working=_WORKING if row.working else "",
            job=f"Job: {escape(row.job)} · " if row.job else "",
            last_contact=row.last_contact,
            enrolled=_enrolled(row),
            specialist=f" · {escape(row.specialist)}" if row.specialist else "",
            next_step=(
                f'    <div class="small">Next step: {escape(row.next_step)}</div>\n'
                if row.next_step
                else ""
            ),
            quick=_QUICK_LOG.format(url=row.quick_url)
            if can_edit and row.status != "closed"
            else "",
        )
        for row in rows
    ]
    return mark_safe("".join(html) or '<li class="list-group-item">No clients match.</li>\n')  # noqa: S308 (escaped above)


_TIMELINE_ITEM = """<li class="list-group-item" data-kind="{kind}">
  <div class="d-flex justify-content-between"><strong>{title}</strong><time class="text-body-secondary small" datetime="{on}">{on}</time></div>
{detail}</li>
"""  # noqa: E501


@register.simple_tag
def timeline_items(items: Iterable[Any], empty: str = "") -> str:
    """The timeline's <li> items (`clients.timeline.TimelineItem`), or `empty` in one."""
    html = [
        _TIMELINE_ITEM.format(
            kind=item.kind,
            title=escape(item.title),
            on=item.on.isoformat(),
            detail=f'  <div class="small">{escape(item.detail)}</div>\n' if item.detail else "",
        )
        for item in items
    ]
    if not html and empty:
        html = [f'<li class="list-group-item">{escape(empty)}</li>\n']
    return mark_safe("".join(html))  # noqa: S308 (escaped above)
