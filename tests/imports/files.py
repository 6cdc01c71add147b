"""Spreadsheets for the import tests: CSV and XLSX built from rows of dicts, synthetic people."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from imports.kinds import KINDS


def csv_bytes(
    rows: Iterable[dict[str, object]],
    *,
    columns: Sequence[str] | None = None,
    kind: str = "clients",
    encoding: str = "utf-8",
) -> bytes:
    """A CSV file of `rows` with the header `columns` (by default the kind's contract)."""
    header = list(columns or KINDS[kind].columns)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else row.get(name) for name in header])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Iterable[dict[str, object]],
    *,
    columns: Sequence[str] | None = None,
    kind: str = "clients",
) -> bytes:
    from openpyxl import Workbook

    header = list(columns or KINDS[kind].columns)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name) for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def client_row(n: int, **changes: object) -> dict[str, object]:
    """A client referred in January 2025 and enrolled a week later."""
    row: dict[str, object] = {
        "external_id": f"C-{n}",
        "first_name": f"Synth{n}",
        "last_name": f"Person{n}",
        "birth_date": "1985-06-01",
        "referred_on": "2025-01-06",
        "referral_source": "self",
        "enrolled_on": "2025-01-13",
        "closed_on": "",
        "closure_reason": "",
        "employed_at_referral": "no",
        "specialist": "sam.specialist",
    }
    row.update(changes)
    return row
