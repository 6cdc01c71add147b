"""Content negotiation for API views whose one non-JSON answer is a file.

A stored PDF is answered as a Django `FileResponse`, which DRF's renderers never touch; every
other answer of such a view (202 while the file is made, 400, 403, 404) is a DRF `Response`,
rendered in JSON. DRF's default negotiation would refuse a client that asks for the file
(`Accept: application/pdf`) with 406 before the view runs. `JSONAnswers` picks the view's first
renderer (JSON) whatever the Accept header says, so the client gets the file when it is ready
and a JSON progress or error answer otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class JSONAnswers(DefaultContentNegotiation):
    """The view's first renderer for every answer, whatever the client accepts."""

    def select_renderer(
        self, request: Request, renderers: Sequence[BaseRenderer], format_suffix: Any = None
    ) -> tuple[BaseRenderer, str]:
        renderer = renderers[0]
        return renderer, renderer.media_type
