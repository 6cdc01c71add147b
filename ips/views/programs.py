"""Program pages: list, detail, edit (agency admins), the minimum-wage schedule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ips import access, pages, services
from ips.access import Capability
from ips.forms import MinimumWageForm, ProgramCreateForm, ProgramForm
from ips.models import Agency, Program, Role
from ips.versioning import StaleVersionError, show_stale


@login_required
def program_list(request: HttpRequest) -> HttpResponse:
    programs = Program.objects.visible_to(request.user).for_list()
    admin_agencies = Agency.objects.filter(
        id__in=access.agency_ids_for(request.user, Capability.EDIT_PROGRAM)
    )
    return render(
        request,
        "ips/program_list.html",
        {"programs": programs, "admin_agencies": list(admin_agencies)},
    )


@login_required
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = pages.record_for(request, Program.objects.select_related("agency"), pk=pk)
    staff = program.staff_roles.select_related("user").order_by("role", "user__last_name")
    return render(
        request,
        "ips/program_detail.html",
        {
            "program": program,
            "staff": staff,
            "wages": program.minimum_wages.order_by("-effective_on"),
            "can_edit": access.can(request.user, Capability.EDIT_PROGRAM, program=program),
            "Role": Role,
        },
    )


@login_required
def program_create(request: HttpRequest, agency_pk: int) -> HttpResponse:
    agency = pages.record_for(request, Agency.objects, needs=Capability.EDIT_PROGRAM, pk=agency_pk)
    form = ProgramCreateForm(request.POST or None)
    if form.is_valid():
        try:
            program = services.program_create(agency=agency, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Program created.")
            return redirect("program_detail", pk=program.pk)
    return render(request, "ips/form_page.html", {"form": form, "title": f"New program — {agency}"})


@login_required
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    program = pages.record_for(request, Program.objects, needs=Capability.EDIT_PROGRAM, pk=pk)
    form = ProgramForm(request.POST or None, instance=program)
    differences = []
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.program_update(program=program, version=version, changes=data)
        except StaleVersionError as stale:
            differences = show_stale(form, stale)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Program saved.")
            return redirect("program_detail", pk=program.pk)
    return render(
        request,
        "ips/form_page.html",
        {"form": form, "title": f"Edit {program}", "differences": differences},
    )


@login_required
@require_POST
def minimum_wage_add(request: HttpRequest, pk: int) -> HttpResponse:
    program = pages.record_for(request, Program.objects, needs=Capability.EDIT_PROGRAM, pk=pk)
    form = MinimumWageForm(request.POST)
    if form.is_valid():
        try:
            services.minimum_wage_add(program=program, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Minimum wage added to the schedule.")
            return redirect("program_detail", pk=program.pk)
    return render(
        request, "ips/form_page.html", {"form": form, "title": f"Minimum wage — {program}"}
    )
