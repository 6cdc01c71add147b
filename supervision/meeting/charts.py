"""Small trend charts (sparklines) beside the numbers of meeting mode, as inline SVG.

Built like the report charts (`outcomes.reports.charts`): plain SVG text with no scripts and
no style attributes (the Content-Security-Policy allows neither), a `<title>` and `<desc>` that
say the values in words, and a gap (never a zero) for a week with no value.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 120
HEIGHT = 32
PAD = 4
LINE_COLOUR = "#0b5394"
TARGET_COLOUR = "#6c757d"
LAST_COLOUR = "#d9480f"


def _scale(values: Sequence[float | None], target: float | None, percent: bool) -> float:
    """The value drawn at the top: 100 % for shares, else the largest value or the target."""
    if percent:
        return 1.0
    return float(max([v for v in values if v is not None] + [target or 0, 1]))


def _point(i: int, value: float, count: int, top: float) -> tuple[float, float]:
    x = PAD + (WIDTH - 2 * PAD) * (i / max(count - 1, 1))
    y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (min(value, top) / top if top else 0)
    return x, y


def _words(points: Sequence[tuple[str, float | None]], percent: bool) -> str:
    def said(value: float | None) -> str:
        if value is None:
            return "none"
        return f"{value * 100:.1f} %" if percent else f"{value:g}"

    return "; ".join(f"{label}: {said(value)}" for label, value in points)


def sparkline_svg(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    chart_id: str,
    target: float | None = None,
    percent: bool = False,
) -> SafeString:
    """A sparkline of `points` ((week label, value), oldest first; the last is the week under
    review, marked); `target` draws a dashed line (the weekly employer-contact target);
    `percent` scales fractions from 0 to 100 %."""
    if not points:
        raise ValueError("A trend needs at least one week.")
    values = [value for _, value in points]
    top = _scale(values, target, percent)
    chart_id = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" class="sparkline" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(_words(points, percent))}</desc>'
    ]
    if target:
        _, y = _point(0, target, len(points), top)
        parts.append(
            f'<line x1="{PAD}" y1="{y:.1f}" x2="{WIDTH - PAD}" y2="{y:.1f}" '
            f'stroke="{TARGET_COLOUR}" stroke-dasharray="3 2"/>'
        )
    runs: list[list[tuple[float, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(_point(i, value, len(values), top))
    for run in runs:
        if len(run) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{LINE_COLOUR}" '
                f'stroke-width="1.5"/>'
            )
    if values[-1] is not None:
        x, y = _point(len(values) - 1, values[-1], len(values), top)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{LAST_COLOUR}"/>')
    # The title and description went through escape(); the rest is numbers formatted here.
    return mark_safe("".join(parts) + "</svg>")  # noqa: S308
