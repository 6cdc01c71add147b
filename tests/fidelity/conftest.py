"""The fidelity scale for every fidelity test (see `ensure_scale`)."""

from __future__ import annotations

import pytest

from tests.fidelity.factories import ensure_scale


@pytest.fixture(autouse=True)
def scale(db: None) -> None:
    ensure_scale()
