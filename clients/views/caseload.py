"""The caseload (the specialist's home) and intake of new clients."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from clients import selectors, services
from clients.forms import ClientIntakeForm
from ips import access, pages
from ips.access import Capability
from ips.calendar import today
from ips.forms import add_service_errors
from ips.models import Program, Role, User


def _specialist_filter(request: HttpRequest) -> int | None:
    """Whose caseload: a chosen specialist, everyone ('all'), or by default a specialist's own."""
    chosen = request.GET.get("specialist", "")
    if chosen.isdigit():
        return int(chosen)
    if chosen != "all" and Role.SPECIALIST in access.roles_of(request.user):
        return request.user.pk
    return None


@pages.requires(Capability.VIEW_CLIENTS)
def caseload(request: HttpRequest) -> HttpResponse:
    specialist_id = _specialist_filter(request)
    rows = selectors.caseload_rows(
        user=request.user,
        today=today(),
        specialist_id=specialist_id,
        status=request.GET.get("status", ""),
        working=request.GET.get("working", ""),
        no_recent_contact=request.GET.get("no_contact") == "30",
        search=request.GET.get("q", "").strip(),
    )
    context = {
        "rows": rows,
        "today": today(),
        # The filter prints names only: the rest of each user row would be parsed for nothing.
        "specialists": User.objects.specialists_of(
            access.program_ids_for(request.user, Capability.VIEW_CLIENTS)
        ).only("first_name", "last_name", "username"),
        "specialist_id": specialist_id,
        "filters": request.GET,
        "can_edit": access.holds(request.user, Capability.EDIT_CLIENTS),
    }
    return render(request, "clients/caseload.html", context)


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
    return render(request, "clients/client_new.html", {"form": form, "duplicates": duplicates})
