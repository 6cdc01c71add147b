"""What every app's pages share: fetching a record for the user (scoped, checked and audited by
construction), the guard of pages that show no particular record, a page holding one form, the
archive flow, and the answer to a bad address.

A page view starts with one of these, never with hand-written access calls:

- `record_for(request, queryset, needs=..., pk=pk)` for a page about one record: the user's
  grants are loaded, the record is looked up through `visible_to(user)` (404 for anyone who may
  not see it), the `needs` capability (a write, say) is checked in the record's program (403
  for read-only roles), and a record about a client is recorded as read.
- `@requires(capability)` for a list, search, dashboard or form of no particular record: 403
  for anyone who holds the capability in no program ("no role anywhere" is 403 in every app).

Lists need nothing more: the client querysets record what they fetch (`ips.reads`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ips import access, reads
from ips.access import Capability
from ips.forms import ArchiveForm, add_service_errors
from ips.services import record_archive
from ips.versioning import Difference, StaleVersionError

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


def record_for(
    request: HttpRequest,
    queryset: QuerySet[M],
    *,
    needs: Capability | None = None,
    **lookup: Any,
) -> M:
    """The record `lookup` names, as the user may see it: 404 for anyone who may not see it,
    403 when the user's role in its program (its agency, for an agency) does not grant `needs`
    (a write, say); a record about a client is recorded as read by this request."""
    # The grants first (one query, which the navigation reuses): the lookup then filters on
    # literal program ids and the write check costs no query.
    access.grants(request.user)
    record = access.get_visible_or_404(queryset, request.user, **lookup)
    if needs is not None and getattr(record, "program_path", "program") is None:
        access.require(request.user, needs, agency=record)  # type: ignore[arg-type]
    elif needs is not None:
        access.require(request.user, needs, program=access.program_of(record))
    reads.note_record(record)
    return record


def requires(*capabilities: Capability) -> Callable[[View], View]:
    """Guard a page of no particular record: the login page for visitors, then 403 unless the
    user holds one of `capabilities` in at least one program."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # One query (the user's grants), which the page's checks and the navigation reuse.
            if not any(access.holds_anywhere(request.user, each) for each in capabilities):
                raise PermissionDenied("Your role does not include this page.")
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorate


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
