"""Reading an uploaded spreadsheet (CSV or XLSX) into a header and rows of text, refusing what
cannot be imported with a message a person can act on. Nothing here touches the database.

- The format is found from the content, not the file name: an XLSX workbook is a zip archive;
  anything else must be text (a file with NUL bytes, an old `.xls`, a PDF is refused).
- A CSV is read as UTF-8 (with or without the byte-order mark Excel's "CSV UTF-8" writes), or
  UTF-16 with its mark. Otherwise it is refused unless the user chose Windows-1252 ("Latin-1",
  what Excel's plain "CSV" writes on Windows), or left the choice to us: then it is read that
  way and the preview says so, so wrong accents are noticed before anything is written.
- The delimiter is a comma, a semicolon (Excel in many European locales) or a tab.
- A cell holding a formula refuses the file: its value would be whatever the formula gave when
  the file was last saved, and a formula in a record would run in the next spreadsheet that
  opens an export of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings

ENCODINGS = {
    "auto": "Find out (UTF-8, else Windows-1252)",
    "utf-8": "UTF-8",
    "windows-1252": "Windows-1252 (Latin-1, Excel's plain CSV)",
}
FORMULA = (
    "Row {number}, column {column} holds a formula. Replace formulas with their values "
    "(copy, then paste values only) and import the file again."
)
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK\x03\x04"


class FileRefused(Exception):
    """The file cannot be imported at all; `message` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """The rows of a file as text: `rows` pairs each data row's number in the spreadsheet (the
    header is row 1) with its cells by column name. Blank rows are left out."""

    file_format: str
    encoding: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def column_name(text: object) -> str:
    """A header cell as a column name: trimmed, lower case, spaces as underscores."""
    return "_".join(str(text or "").strip().lower().split())


def read_sheet(content: bytes, *, encoding: str = "auto", prefer_sheet: str = "") -> Sheet:
    """The header and rows of `content`, a CSV or XLSX file; FileRefused when it cannot be read,
    is too big, has no header or no data row, or holds a formula."""
    limit = settings.IMPORT_MAX_BYTES
    if len(content) > limit:
        raise FileRefused(
            f"The file is {len(content) / 2**20:.1f} MiB; files up to "
            f"{limit / 2**20:.0f} MiB can be imported. Split it into several files."
        )
    if not content.strip():
        raise FileRefused("The file is empty.")
    if content.startswith(ZIP_MAGIC):
        sheet = _read_xlsx(content, prefer_sheet)
    elif content.startswith(XLS_MAGIC):
        raise FileRefused(
            "This is an old Excel (.xls) workbook: save it as .xlsx or as CSV, then import it."
        )
    else:
        sheet = _read_csv(content, encoding)
    if not sheet.header or not any(sheet.header):
        raise FileRefused("The file has no header row: the first row must name the columns.")
    if not sheet.rows:
        raise FileRefused("The file has a header but no rows to import.")
    if len(sheet.rows) > settings.IMPORT_MAX_ROWS:
        raise FileRefused(
            f"The file has {len(sheet.rows)} rows; up to {settings.IMPORT_MAX_ROWS} can be "
            "imported at once. Split it into several files."
        )
    return sheet


def _decode(content: bytes, encoding: str) -> tuple[str, str]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16"), "utf-16"
    if b"\x00" in content:
        raise FileRefused("This is not a spreadsheet: import a CSV or an XLSX file.")
    if encoding in {"auto", "utf-8"}:
        try:
            return content.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            if encoding == "utf-8":
                raise FileRefused(
                    "The file is not UTF-8 text. If Excel saved it as plain CSV, choose "
                    'Windows-1252, or save it as "CSV UTF-8" and import it again.'
                ) from None
    return content.decode("cp1252", errors="replace"), "windows-1252"


def _read_csv(content: bytes, encoding: str) -> Sheet:
    text, used = _decode(content, encoding)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as error:
        raise FileRefused(f"The file could not be read as CSV ({error}).") from None
    return _sheet("csv", used, records, formulas=_csv_formulas)


def _csv_formulas(number: int, cells: list[object]) -> Iterator[int]:
    """Positions of cells a spreadsheet would run as a formula (starting with `=`)."""
    return (i for i, cell in enumerate(cells) if str(cell).lstrip().startswith("="))


def _read_xlsx(content: bytes, prefer_sheet: str) -> Sheet:
    from openpyxl import load_workbook  # imported here: only imports and exports need it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileRefused(
            "The file could not be read as an XLSX workbook: save it again as .xlsx or as CSV."
        ) from None
    try:
        names = {column_name(name): name for name in workbook.sheetnames}
        worksheet = workbook[names.get(prefer_sheet, workbook.sheetnames[0])]
        records = [
            [(cell.value, getattr(cell, "data_type", "n")) for cell in row]
            for row in worksheet.iter_rows()
        ]
    finally:
        workbook.close()
    formulas: dict[int, list[int]] = {}
    values: list[list[object]] = []
    for number, row in enumerate(records, start=1):
        values.append([_xlsx_text(value) for value, _ in row])
        formulas[number] = [i for i, (_, kind) in enumerate(row) if kind == "f"]
    return _sheet("xlsx", "", values, formulas=lambda number, cells: iter(formulas[number]))


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet(file_format: str, encoding: str, records: list[list[object]], *, formulas) -> Sheet:  # type: ignore[no-untyped-def]
    header_cells = records[0] if records else []
    header = [column_name(cell) for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    sheet = Sheet(file_format=file_format, encoding=encoding, header=header)
    for number, cells in enumerate(records, start=1):
        for position in formulas(number, cells):
            column = header[position] if position < len(header) else f"column {position + 1}"
            raise FileRefused(FORMULA.format(number=number, column=column))
        if number == 1:
            continue
        texts = ["" if cell is None else str(cell).strip() for cell in cells]
        if not any(texts):
            continue
        extra = [text for text in texts[len(header) :] if text]
        if extra:
            raise FileRefused(f"Row {number} has more cells than the header has columns.")
        sheet.rows.append((number, dict(zip(header, texts, strict=False))))
    return sheet
