"""Template filters for outcome numbers."""

from __future__ import annotations

from django import template

from outcomes.reports.charts import format_rate

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """A rate (a fraction) as `62.5 %`, or an em dash when there is no rate."""
    return format_rate(rate)
