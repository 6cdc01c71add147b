"""Helpers shared by the client views: fetching within the access rules, form pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from clients.models import Client
from ips import access, pages
from ips.access import Capability
from ips.versioning import Difference


def client_for(request: HttpRequest, pk: int, *, write: bool = False) -> Client:
    """The client if the user may see them (else 404); with `write`, 403 for read-only roles."""
    # The user's grants first (one query, which the navigation reuses): the client query then
    # filters on literal program ids, and the write check costs no query.
    access.grants(request.user)
    client = access.get_visible_or_404(
        Client.objects.select_related("program", "current_episode", "specialist"),
        request.user,
        pk=pk,
    )
    if write:
        access.require(request.user, Capability.EDIT_CLIENTS, program=client.program)
    return client


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    client: Client | None = None,
    differences: list[Difference] | None = None,
    status: int = 200,
) -> HttpResponse:
    """A page holding one form about `client` (re-rendered with its errors when invalid), with a
    link back to the client."""
    back = (reverse("clients:detail", args=[client.pk]), str(client)) if client else None
    return pages.form_page(
        request, form, title=title, back=back, differences=differences, status=status
    )
