"""Helpers shared by the client views: fetching within the access rules, form pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from clients.models import Client
from ips import pages
from ips.access import Capability
from ips.versioning import Difference

# What every client page prints of the client besides their own fields.
CLIENT_PAGE_RELATED = ("program", "current_episode", "specialist")


def client_for(
    request: HttpRequest,
    pk: int,
    *,
    write: bool = False,
    related: tuple[str, ...] = CLIENT_PAGE_RELATED,
) -> Client:
    """The client as the user may see them (`ips.pages.record_for`: 404 for outsiders, 403 for
    read-only roles when `write`, the read recorded), with the `related` records loaded (a quick
    log needs the program and the current episode only)."""
    queryset = Client.objects.select_related(*related)
    return pages.record_for(
        request, queryset, needs=Capability.EDIT_CLIENTS if write else None, pk=pk
    )


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
