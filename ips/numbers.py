"""How numbers leave the system: the one rounding of a rate that the API and exports share."""

from __future__ import annotations

RATE_PLACES = 4


def rounded_rate(rate: float | None) -> float | None:
    """A rate as the API and the exports give it: a fraction 0..1 rounded to 4 places, or None
    where there is no rate (nobody to count), which is not 0."""
    return None if rate is None else round(rate, RATE_PLACES)
