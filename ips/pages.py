"""Page pieces every app's views share: a page holding one form, and the archive flow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ips.forms import ArchiveForm, add_service_errors
from ips.services import record_archive
from ips.versioning import Difference, StaleVersionError


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """400 with a message the user can act on (a bad week or period in the address)."""
    return render(request, "400.html", {"message": message}, status=400)


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    back: tuple[str, str] | None = None,
    differences: list[Difference] | None = None,
    status: int = 200,
) -> HttpResponse:
    """A page holding one form, re-rendered with its errors when invalid; `back` is the (url,
    label) of the page it belongs to, and `differences` what a stale save found changed."""
    context = {"form": form, "title": title, "back": back, "differences": differences or []}
    return render(request, "ips/form_page.html", context, status=status)


def archive_page(
    request: HttpRequest,
    record: Model,
    *,
    done: str,
    to: str,
    back: tuple[str, str] | None = None,
) -> HttpResponse:
    """Archive `record` with a reason: a form on GET, archived on a valid POST (then a message
    and a redirect to `to`). Nothing is deleted; the record leaves every list. The caller has
    checked that the user may change the record."""
    form = ArchiveForm(request.POST or None, initial={"version": record.version})  # type: ignore[attr-defined]
    if form.is_valid():
        try:
            record_archive(
                record=record,  # type: ignore[arg-type]
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["archive_reason"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except (ValidationError, StaleVersionError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(to)
    return form_page(request, form, title=f"Archive {record}", back=back)
