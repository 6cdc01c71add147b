"""The scale as data and the bands of the total."""

from __future__ import annotations

import pytest

from fidelity.models import Item, ScaleVersion, band_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["2008", "2008-c1"])
def test_each_edition_is_loaded_with_25_items_in_three_sections(code: str) -> None:
    scale = ScaleVersion.objects.get(code=code)
    sections = {section.name: section.items.count() for section in scale.sections.all()}

    assert sections == {"Staffing": 3, "Organization": 8, "Services": 14}
    assert list(scale.items.values_list("number", flat=True)) == list(range(1, 26))


def test_the_corrected_edition_is_current_and_2008_is_kept() -> None:
    assert list(ScaleVersion.objects.filter(is_current=True).values_list("code", flat=True)) == [
        "2008-c1"
    ]
    assert ScaleVersion.objects.filter(code="2008").exists()


def test_the_corrected_edition_restores_item_11s_thresholds() -> None:
    old = Item.objects.get(scale__code="2008", number=11).criterion
    new = Item.objects.get(scale__code="2008-c1", number=11).criterion

    for threshold in (
        "at least every quarter until fidelity is high, then at least every six months",
        "within the first six months and at least yearly",
        "not delegated",
    ):
        assert threshold in new
        assert threshold not in old


def test_the_corrected_edition_names_the_supervisor_in_item_7_anchor_3() -> None:
    anchor = Item.objects.get(scale__code="2008-c1", number=7).anchor_3

    assert anchor.endswith("(or cover for each other without meeting as a group with a supervisor)")


def test_the_corrected_edition_changes_items_7_and_11_only() -> None:
    def texts(code: str) -> dict[int, tuple[str, ...]]:
        return {
            item.number: (item.name, item.criterion, *item.anchors)
            for item in Item.objects.filter(scale__code=code)
        }

    old, new = texts("2008"), texts("2008-c1")

    assert {n for n in old if old[n] != new[n]} == {7, 11}


@pytest.mark.parametrize("code", ["2008", "2008-c1"])
def test_every_item_has_five_distinct_anchors(code: str) -> None:
    for item in Item.objects.filter(scale__code=code):
        assert len(item.anchors) == 5
        assert all(text.strip() for text in item.anchors), item.number
        assert len(set(item.anchors)) == 5, item.number


def test_items_sit_in_their_sections() -> None:
    by_section = {
        (item.scale_id, item.number): item.section
        for item in Item.objects.select_related("section")
    }

    for (scale_id, number), section in by_section.items():
        assert section.scale_id == scale_id
        expected = "Staffing" if number <= 3 else "Organization" if number <= 11 else "Services"
        assert section.name == expected, number


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
