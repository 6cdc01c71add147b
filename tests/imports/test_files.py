"""Bad files get a clear answer and write nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from pytest_django.fixtures import Settings

from clients.models import Client
from imports.models import ImportRun
from imports.services import import_preview
from ips.models import Program, User
from tests.imports.files import client_row, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def refused(program: Program, actor: User, content: bytes, **options: str) -> str:
    with pytest.raises(ValidationError) as caught:
        import_preview(
            program=program,
            kind="clients",
            file_name="f",
            content=content,
            actor=actor,
            **options,
        )
    assert ImportRun.objects.count() == 0
    assert Client.objects.count() == 0
    return caught.value.message_dict["file"][0]


def test_empty_file_is_refused(program: Program, supervisor: User) -> None:
    assert refused(program, supervisor, b"") == "The file is empty."


def test_header_without_rows_is_refused(program: Program, supervisor: User) -> None:
    assert "no rows" in refused(program, supervisor, csv_bytes([]))


def test_unknown_and_missing_columns_are_named(program: Program, supervisor: User) -> None:
    content = csv_bytes([client_row(1)], columns=["external_id", "first_name", "nickname"])

    message = refused(program, supervisor, content)

    assert "missing columns: last_name, birth_date" in message
    assert "unknown columns: nickname" in message


def test_file_over_the_limit_is_refused(
    program: Program, supervisor: User, settings: Settings
) -> None:
    settings.IMPORT_MAX_BYTES = 1024
    content = csv_bytes([client_row(n) for n in range(40)])

    assert "files up to" in refused(program, supervisor, content)


def test_binary_file_is_refused(program: Program, supervisor: User) -> None:
    assert "not a spreadsheet" in refused(program, supervisor, b"%PDF-1.7\x00\x01\x02binary")


def test_old_xls_is_refused(program: Program, supervisor: User) -> None:
    assert ".xls" in refused(program, supervisor, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest")


def test_a_formula_in_a_csv_cell_is_refused(program: Program, supervisor: User) -> None:
    content = csv_bytes([client_row(1, first_name='=HYPERLINK("x")')])

    assert "Row 2, column first_name holds a formula" in refused(program, supervisor, content)


def test_a_formula_in_an_xlsx_cell_is_refused(program: Program, supervisor: User) -> None:
    content = xlsx_bytes([client_row(1, last_name="=1+1")])

    assert "Row 2, column last_name holds a formula" in refused(program, supervisor, content)


def test_latin1_csv_is_refused_when_utf8_is_chosen(program: Program, supervisor: User) -> None:
    content = csv_bytes([client_row(1, first_name="José")], encoding="cp1252")

    assert "not UTF-8" in refused(program, supervisor, content, encoding="utf-8")


def test_latin1_csv_is_detected_and_said(
    program: Program, supervisor: User, specialist: User
) -> None:
    content = csv_bytes([client_row(1, first_name="José")], encoding="cp1252")

    run = import_preview(
        program=program, kind="clients", file_name="f.csv", content=content, actor=supervisor
    )

    assert (run.encoding, run.created, run.errors) == ("windows-1252", 1, [])


def test_xlsx_with_dates_and_numbers_previews(
    program: Program, supervisor: User, specialist: User
) -> None:
    import datetime as dt

    row = client_row(
        1,
        birth_date=dt.datetime(1980, 2, 3),  # noqa: DTZ001 (Excel stores naive), referred_on=dt.date(2025, 1, 6)
    )
    run = import_preview(
        program=program, kind="clients", file_name="f.xlsx", content=xlsx_bytes([row]),
        actor=supervisor,
    )  # fmt: skip

    assert (run.file_format, run.created, run.errors) == ("xlsx", 1, [])


def test_semicolon_csv_with_local_dates_and_labels(
    program: Program, supervisor: User, specialist: User
) -> None:
    text = (
        "external_id;first_name;last_name;birth_date;referred_on;referral_source;enrolled_on;"
        "closed_on;closure_reason;employed_at_referral;specialist\n"
        "C-1;Ana;Synth;31/12/1980;06/01/2025;Vocational rehabilitation;;;;yes;\n"
    )
    run = import_preview(
        program=program, kind="clients", file_name="f.csv", content=text.encode(),
        actor=supervisor, date_order="dmy",
    )  # fmt: skip

    assert (run.created, run.errors) == (1, [])
