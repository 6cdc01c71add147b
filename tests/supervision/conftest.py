"""Fixtures of the supervision tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    """The clock stopped (as in tests/test_query_counts.py), so that a slow test never
    sees the session's last-seen stamp rewritten between the requests it counts."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield
