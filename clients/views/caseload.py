"""The caseload (the specialist's home) and intake of new clients."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from clients import selectors, services
from clients.forms import ClientIntakeForm
from ips import access, pages, paging
from ips.access import Capability
from ips.calendar import today
from ips.forms import add_service_errors
from ips.models import Program, Role, User

# The caseload's filters that may travel in the address (bookmarks keep them). The name search
# never does: client names in a URL end up in access logs, proxy logs and browser history.
ADDRESS_FILTERS = ("specialist", "status", "working", "no_contact")
NAME_SEARCH = "q"


def _specialist_filter(request: HttpRequest, data: QueryDict) -> int | None:
    """Whose caseload: a chosen specialist, everyone ('all'), or by default a specialist's own."""
    chosen = data.get("specialist", "")
    if chosen.isdigit():
        return int(chosen)
    if chosen != "all" and Role.SPECIALIST in access.roles_of(request.user):
        return request.user.pk
    return None


def _address(data: QueryDict, page: int = 1) -> str:
    """The caseload's address with the filters of `data` that may be bookmarked (no name), and
    the page when past the first."""
    kept = {name: data[name] for name in ADDRESS_FILTERS if data.get(name)}
    if page > 1:
        kept["page"] = str(page)
    return (
        f"{reverse('clients:caseload')}?{urlencode(kept)}" if kept else reverse("clients:caseload")
    )


@pages.requires(Capability.VIEW_CLIENTS)
@require_http_methods(["GET", "POST"])
def caseload(request: HttpRequest) -> HttpResponse:
    """The caseload, filtered, a page at a time. The filters form is sent by POST, so that a
    name searched for travels in the body, never in the address: without JavaScript, a POST
    with no name redirects to the bookmarkable address of the other filters, and one with a
    name answers the page itself; with htmx, the rows come back and the address shows the other
    filters. "Load more" asks for the next page (a link, or for a name search a POST form) and,
    with htmx, appends its rows. A `q` in the address (an old bookmark) is ignored."""
    if request.method == "POST":
        data = request.POST
        search = data.get(NAME_SEARCH, "").strip()
        if not search and not request.htmx:
            return HttpResponseRedirect(_address(data, paging.page_number(data)), status=303)
    else:
        data, search = request.GET, ""
    specialist_id = _specialist_filter(request, data)
    context = _rows(request, data, search, specialist_id)
    if request.htmx and context["page"].number > 1:  # "Load more": the rows to append
        return render(request, "clients/_caseload_more.html", context)
    if request.method == "POST" and request.htmx:
        response = render(request, "clients/_caseload_rows.html", context)
        response["HX-Push-Url"] = _address(data)
        return response
    context |= {
        # The filter prints names only: the rest of each user row would be parsed for nothing.
        "specialists": User.objects.specialists_of(
            access.program_ids_for(request.user, Capability.VIEW_CLIENTS)
        ).only("first_name", "last_name", "username"),
        "specialist_id": specialist_id,
    }
    return render(request, "clients/caseload.html", context)


def _rows(
    request: HttpRequest, data: QueryDict, search: str, specialist_id: int | None
) -> dict[str, Any]:
    """The page of rows `data` asks for, and what its footer needs: the rows shown so far
    (appended by htmx below the pages already shown, from page `from` on; a full page shows its
    own rows only) and the next page's address."""
    number = paging.page_number(data)
    page = selectors.caseload_page(
        user=request.user,
        today=today(),
        specialist_id=specialist_id,
        status=data.get("status", ""),
        working=data.get("working", ""),
        no_recent_contact=data.get("no_contact") == "30",
        search=search,
        number=number,
    )
    shown_from = number
    if request.htmx and number > 1:
        shown_from = min(paging.page_number(data, "from"), number)
    return {
        "page": page,
        "rows": page.rows,
        "shown_from": shown_from,
        "shown_first": (shown_from - 1) * page.size + 1,
        "more_url": _address(data, page.next_number),
        "can_edit": access.holds(request.user, Capability.EDIT_CLIENTS),
        "filters": {**{name: data.get(name, "") for name in ADDRESS_FILTERS}, "q": search},
    }


@pages.requires(Capability.EDIT_CLIENTS)
def client_new(request: HttpRequest) -> HttpResponse:
    programs = Program.objects.granting(request.user, Capability.EDIT_CLIENTS)
    form = ClientIntakeForm(
        request.POST or None, programs=programs, specialists=User.objects.specialists_of(programs)
    )
    if not request.POST and Role.SPECIALIST in access.roles_of(request.user):
        form.fields["specialist"].initial = request.user.pk
    duplicates = []
    if form.is_valid():
        data = dict(form.cleaned_data)
        confirmed = data.pop("confirm_not_duplicate")
        duplicates = services.client_possible_duplicates(
            program=data["program"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_date=data["birth_date"],
        )
        if duplicates and not confirmed:
            form.data = form.data.copy()
            form.data["confirm_not_duplicate"] = "on"
            form.add_error(
                None,
                "A client with this name and date of birth already exists in the "
                "agency. Check below; save again if this is a different person.",
            )
        else:
            try:
                client = services.client_enroll(**data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Client added.")
                return redirect("clients:detail", pk=client.pk)
    seen, unseen = selectors.duplicates_seen_by(request.user, duplicates)
    context = {"form": form, "duplicates": duplicates, "seen": seen, "unseen": unseen}
    return render(request, "clients/client_new.html", context)
