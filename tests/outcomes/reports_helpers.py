"""Shared by the report tests: Celery in eager mode, and reading a PDF's text."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from pypdf import PdfReader

from config.celery import app


@contextmanager
def eager_celery() -> Iterator[None]:
    """Run tasks in the calling process (as the SQLite fallback does), then restore."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


def pdf_text(data: bytes) -> str:
    """Every page's text, joined, with runs of whitespace made single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
