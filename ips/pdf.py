"""HTML to PDF with WeasyPrint: the one place PDFs are made (outcome and fidelity reports).

Report templates carry their own print CSS inline and draw charts as inline SVG, so rendering
never fetches anything over the network or from disk.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError("PDF templates are self-contained; nothing is fetched while rendering.")


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render `template_name` with `context` and return the PDF bytes."""
    from weasyprint import HTML  # imported here: loading Pango costs start-up time everywhere

    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
