"""The competitive employment rate trend as an SVG chart: one markup for the page and the PDF.

Pure Python building SVG text, so the dashboard inlines it in HTML and WeasyPrint draws the
same markup in the report (no scripts, no external files). The benchmark bands come from
`outcomes.definitions.BENCHMARKS`; a period with no rate (nobody on the caseload) is a gap in
the line, never a zero.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from outcomes.definitions import BENCHMARKS

WIDTH = 640
HEIGHT = 280
LEFT = 44  # room for the percentage labels of the y axis
RIGHT = 150  # room for the benchmark names
TOP = 16
BOTTOM = 40  # room for the period labels
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM

# Bands from the bottom up: below the minimum standard, then from each benchmark to the next.
BAND_COLOURS = ("#fbe3e4", "#fff4d6", "#e3f1e6", "#cfe8d6")
LINE_COLOUR = "#0b5394"
TEXT_COLOUR = "#212529"
GRID_COLOUR = "#6c757d"


@dataclass(frozen=True)
class TrendPoint:
    """One period on the x axis: its label and its rate (a fraction, or None for no rate)."""

    label: str
    rate: float | None


def format_rate(rate: float | None) -> str:
    """A rate as a percentage with one decimal (`62.5 %`), or an em dash for no rate."""
    return "—" if rate is None else f"{rate * 100:.1f} %"


def _y(rate: float) -> float:
    return TOP + PLOT_HEIGHT * (1 - min(max(rate, 0.0), 1.0))


def _x(index: int, count: int) -> float:
    return LEFT + PLOT_WIDTH / count * (index + 0.5)


def _text(x: float, y: float, content: str, *, size: int = 11, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{TEXT_COLOUR}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _bands() -> str:
    edges = [0.0, *(threshold for _, threshold in BENCHMARKS), 1.0]
    parts = []
    for i, (low, high) in enumerate(itertools.pairwise(edges)):
        colour = BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)]
        parts.append(
            f'<rect x="{LEFT}" y="{_y(high):.1f}" width="{PLOT_WIDTH}" '
            f'height="{_y(low) - _y(high):.1f}" fill="{colour}"/>'
        )
    for name, threshold in BENCHMARKS:
        y = _y(threshold)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_WIDTH}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-dasharray="4 3"/>'
        )
        parts.append(
            _text(LEFT + PLOT_WIDTH + 6, y + 4, f"{name} {threshold * 100:.0f} %", size=10)
        )
    return "".join(parts)


def _axes(points: Sequence[TrendPoint]) -> str:
    parts = [
        f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_WIDTH}" height="{PLOT_HEIGHT}" '
        f'fill="none" stroke="{GRID_COLOUR}"/>'
    ]
    parts += [
        _text(LEFT - 6, _y(value / 100) + 4, f"{value} %", anchor="end")
        for value in (0, 25, 50, 75, 100)
    ]
    # Two lines per period (`Q3` over `2026`, `10` over `2026`): twelve months fit the width.
    for i, point in enumerate(points):
        year, _, part = point.label.partition("-")
        x = _x(i, len(points))
        parts.append(_text(x, TOP + PLOT_HEIGHT + 15, part or year, anchor="middle"))
        if part:
            parts.append(_text(x, TOP + PLOT_HEIGHT + 28, year, size=9, anchor="middle"))
    return "".join(parts)


def _segments(points: Sequence[TrendPoint]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive periods that have a rate; a period without one breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for i, point in enumerate(points):
        if point.rate is None:
            runs.append([])
        else:
            runs[-1].append((_x(i, len(points)), _y(point.rate)))
    return [run for run in runs if run]


def _line(points: Sequence[TrendPoint]) -> str:
    parts = [
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}" fill="none" '
        f'stroke="{LINE_COLOUR}" stroke-width="2.5"/>'
        for run in _segments(points)
        if len(run) > 1
    ]
    for i, point in enumerate(points):
        if point.rate is None:
            continue
        x, y = _x(i, len(points)), _y(point.rate)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{LINE_COLOUR}">'
            f"<title>{escape(point.label)}: {format_rate(point.rate)}</title></circle>"
        )
        parts.append(_text(x, y - 8, f"{point.rate * 100:.1f}", size=10, anchor="middle"))
    return "".join(parts)


def describe(points: Sequence[TrendPoint], *, benchmarks: bool = True) -> str:
    """The chart in words (its `<desc>`): each period's rate, and the benchmarks if drawn."""
    values = "; ".join(
        f"{point.label}: {'no rate' if point.rate is None else format_rate(point.rate)}"
        for point in points
    )
    if not benchmarks:
        return f"{values}."
    bands = ", ".join(f"{name.lower()} {threshold * 100:.0f} %" for name, threshold in BENCHMARKS)
    return f"{values}. Benchmarks: {bands}."


def rate_trend_svg(
    points: Sequence[TrendPoint], *, chart_id: str, title: str, benchmarks: bool = True
) -> SafeString:
    """The trend chart of the competitive employment rate over `points` (oldest first), with
    the benchmark bands drawn in (`benchmarks`: they are quarterly figures, so a monthly chart
    leaves them off). `chart_id` keeps the ids of its title and description unique on a page
    that shows several charts."""
    if not points:
        raise ValueError("A trend chart needs at least one period.")
    chart_id = escape(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="rate-trend" '
        f'font-family="Helvetica, Arial, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(describe(points, benchmarks=benchmarks))}</desc>'
    )
    bands = _bands() if benchmarks else ""
    # Every piece of text above went through escape(); the rest is numbers we formatted.
    return mark_safe(head + bands + _axes(points) + _line(points) + "</svg>")  # noqa: S308
