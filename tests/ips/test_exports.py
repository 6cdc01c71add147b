"""The one CSV writer: formula-looking text is written as text, numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from ips.exports import csv_response, rate_cell, spreadsheet_cell

pytestmark = pytest.mark.django_db


def _lines(response: object) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    "text",
    ["=1+2", "+1-2", "-1+2", "@SUM(A1:A2)", "\t=1+2", "\r=1+2"],
    ids=["equals", "plus", "minus", "at", "tab", "carriage-return"],
)
def test_text_starting_like_a_formula_is_written_as_text(text: str) -> None:
    assert spreadsheet_cell(text) == f"'{text}"


@pytest.mark.parametrize("text", ["Harbor Works", "2025-Q1", "a=b", "O'Brien", ""])
def test_ordinary_text_is_written_as_it_is(text: str) -> None:
    assert spreadsheet_cell(text) == text


@pytest.mark.parametrize("number", [-3, -2.5, Decimal("-16.00"), 0, 17, Decimal("16.63")])
def test_numbers_negative_ones_included_stay_numbers(number: object) -> None:
    assert spreadsheet_cell(number) is number


def test_an_object_whose_text_starts_like_a_formula_is_written_as_text() -> None:
    class Named:
        def __str__(self) -> str:
            return "=cmd|' /C calc'!A0"

    assert spreadsheet_cell(Named()) == "'=cmd|' /C calc'!A0"


def test_none_is_an_empty_cell() -> None:
    assert spreadsheet_cell(None) == ""


def test_a_rate_keeps_four_places_and_no_rate_is_empty() -> None:
    assert (rate_cell(4 / 9), rate_cell(0.0), rate_cell(None)) == (
        Decimal("0.4444"),
        Decimal("0.0000"),
        None,
    )


def test_csv_response_writes_the_header_and_neutralised_rows_as_a_download() -> None:
    response = csv_response(
        "outcomes-2025-Q1.csv",
        ("employer", "hours", "wage", "rate"),
        [['=HYPERLINK("http://x")', -2, Decimal("-15.50"), rate_cell(None)]],
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="outcomes-2025-Q1.csv"'
    assert _lines(response) == [
        ["employer", "hours", "wage", "rate"],
        ['\'=HYPERLINK("http://x")', "-2", "-15.50", ""],
    ]
