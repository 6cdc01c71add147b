"""CSV and XLSX downloads: one writer for every export, safe to open in a spreadsheet.

A spreadsheet runs a cell whose text starts with `=`, `+`, `-` or `@` as a formula (and some
do after a leading tab or carriage return too), so an employer or a job title typed as
`=HYPERLINK(...)` would run on the computer of whoever opens the export. Such text is written
with a leading `'`, which spreadsheets read as "this cell is text". Numbers are written as
numbers, negative ones included. An XLSX workbook gets the same cells (openpyxl would otherwise
store text starting with `=` as a formula), each written as a string or a number, never a
formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

from ips.numbers import RATE_PLACES, rounded_rate

# What a spreadsheet may take for the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """The cell as written: a number as it is; anything else as text, quoted with `'` when it
    starts like a formula (`= + - @`, a tab or a carriage return); None as an empty cell."""
    if isinstance(value, int | float | Decimal):
        return value
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def rate_cell(rate: float | None) -> Decimal | None:
    """A rate in a CSV: as the API gives it, a fraction to 4 places (0.4444), written with all
    four places; empty where there is no rate."""
    rounded = rounded_rate(rate)
    return None if rounded is None else Decimal(f"{rounded:.{RATE_PLACES}f}")


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A CSV download named `filename`: the header row, then one line per row, every cell
    through `spreadsheet_cell`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([spreadsheet_cell(name) for name in header])
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("csv", "xlsx")


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, title: str = "Sheet1"
) -> bytes:
    """A one-sheet workbook: the header row, then the rows, every cell through
    `spreadsheet_cell` and stored as a string or a number (never a formula)."""
    from openpyxl import Workbook  # imported here: only downloads and imports need it
    from openpyxl.cell import WriteOnlyCell

    # Write-only: rows stream to the file instead of building every cell object in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    def cells(values: Sequence[object]) -> list[WriteOnlyCell]:
        written = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=spreadsheet_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
            written.append(cell)
        return written

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """An XLSX download named `filename`, with the cells of `csv_response`."""
    response = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(
    fmt: str, stem: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """The table as a `csv` or `xlsx` download named `stem.<fmt>`."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Exports are CSV or XLSX, not {fmt!r}.")
    writer = xlsx_response if fmt == "xlsx" else csv_response
    return writer(f"{stem}.{fmt}", header, rows)
