"""The trend chart: benchmark bands, gaps for periods without a rate, accessible text."""

from __future__ import annotations

import re

import pytest

from outcomes.reports.charts import PLOT_HEIGHT, TOP, TrendPoint, format_rate, rate_trend_svg


def _points(*rates: float | None) -> list[TrendPoint]:
    return [TrendPoint(f"2025-Q{i + 1}", rate) for i, rate in enumerate(rates)]


def test_rates_read_as_percentages_with_one_decimal() -> None:
    assert format_rate(0.625) == "62.5 %"
    assert format_rate(4 / 9) == "44.4 %"
    assert format_rate(0.0) == "0.0 %"
    assert format_rate(None) == "—"


def test_benchmark_bands_are_drawn_at_31_41_and_50_percent() -> None:
    svg = rate_trend_svg(_points(0.4), chart_id="c", title="Rate")

    for name, percent in (("Minimum standard", 31), ("Average", 41), ("Excellent", 50)):
        assert f"{name} {percent} %" in svg
        y = TOP + PLOT_HEIGHT * (1 - percent / 100)
        assert f'y1="{y:.1f}"' in svg


def test_a_period_without_a_rate_breaks_the_line_instead_of_dropping_to_zero() -> None:
    svg = rate_trend_svg(_points(0.3, 0.4, None, 0.5, 0.6), chart_id="c", title="Rate")

    lines = re.findall(r'<polyline points="([^"]+)"', svg)
    assert [len(points.split()) for points in lines] == [2, 2]
    assert svg.count("<circle") == 4
    zero_y = f"{TOP + PLOT_HEIGHT:.1f}"
    assert not any(point.endswith(f",{zero_y}") for line in lines for point in line.split())
    assert "2025-Q3: no rate" in svg


def test_chart_has_a_title_and_a_description_for_screen_readers() -> None:
    svg = rate_trend_svg(_points(0.25, 0.5), chart_id="trend-x", title="Harbor <Works>")

    assert 'role="img"' in svg
    assert 'aria-labelledby="trend-x-title trend-x-desc"' in svg
    assert '<title id="trend-x-title">Harbor &lt;Works&gt;</title>' in svg
    assert "2025-Q1: 25.0 %; 2025-Q2: 50.0 %." in svg


def test_a_chart_needs_a_period() -> None:
    with pytest.raises(ValueError, match="at least one period"):
        rate_trend_svg([], chart_id="c", title="Rate")


def test_a_monthly_chart_leaves_off_the_quarterly_benchmarks() -> None:
    months = [TrendPoint(f"2025-{m:02d}", 0.4) for m in range(1, 4)]

    svg = rate_trend_svg(months, chart_id="c", title="Rate", benchmarks=False)

    assert "Minimum standard" not in svg
    assert "stroke-dasharray" not in svg
    assert "Benchmarks" not in svg
