"""The scale as data and the bands of the total."""

from __future__ import annotations

import pytest

from fidelity.models import Item, ScaleVersion, band_for

pytestmark = pytest.mark.django_db


def test_the_2008_scale_is_loaded_with_25_items_in_three_sections() -> None:
    scale = ScaleVersion.objects.get(code="2008")
    sections = {section.name: section.items.count() for section in scale.sections.all()}

    assert scale.is_current
    assert sections == {"Staffing": 3, "Organization": 8, "Services": 14}
    assert list(scale.items.values_list("number", flat=True)) == list(range(1, 26))


def test_every_item_has_five_distinct_anchors() -> None:
    for item in Item.objects.filter(scale__code="2008"):
        assert len(item.anchors) == 5
        assert all(text.strip() for text in item.anchors), item.number
        assert len(set(item.anchors)) == 5, item.number


def test_items_sit_in_their_sections() -> None:
    by_section = {item.number: item.section.name for item in Item.objects.select_related("section")}

    assert {n for n, s in by_section.items() if s == "Staffing"} == {1, 2, 3}
    assert {n for n, s in by_section.items() if s == "Organization"} == set(range(4, 12))
    assert {n for n, s in by_section.items() if s == "Services"} == set(range(12, 26))


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (25, "Not supported employment"),
        (73, "Not supported employment"),
        (74, "Fair fidelity"),
        (99, "Fair fidelity"),
        (100, "Good fidelity"),
        (114, "Good fidelity"),
        (115, "Exemplary fidelity"),
        (125, "Exemplary fidelity"),
    ],
)
def test_band_at_every_edge(total: int, band: str) -> None:
    assert band_for(total) == band


@pytest.mark.parametrize("total", [None, 0, 24, 126])
def test_no_band_outside_the_scale(total: int | None) -> None:
    assert band_for(total) == ""
