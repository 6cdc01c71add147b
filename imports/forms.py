"""The upload form: shape only (the file's checks are `imports.services.import_preview`'s)."""

from __future__ import annotations

from django import forms

from imports.cells import DATE_ORDERS
from imports.files import ENCODINGS
from imports.models import Kind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=Kind.choices)
    file = forms.FileField(
        label="Spreadsheet (CSV or XLSX)",
        help_text="One kind of record per file, with the columns of its template.",
    )
    date_order = forms.ChoiceField(
        label="Dates not written as YYYY-MM-DD are",
        choices=list(DATE_ORDERS.items()),
        initial="mdy",
    )
    encoding = forms.ChoiceField(
        label="Text encoding of a CSV", choices=list(ENCODINGS.items()), initial="auto"
    )
