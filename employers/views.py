"""Employer pages: the program's shared list, adding (with a duplicate warning), editing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from clients.forms import ArchiveForm
from employers import services
from employers.forms import EmployerCreateForm, EmployerForm
from employers.models import Employer
from ips import access
from ips.access import Capability
from ips.forms import add_service_errors
from ips.models import Program
from ips.services import record_archive
from ips.versioning import StaleVersionError, show_stale


@login_required
def employer_list(request: HttpRequest) -> HttpResponse:
    if not access.program_ids_for(request.user, Capability.VIEW_CLIENTS).exists():
        raise PermissionDenied("Your role does not include employer records.")
    employers = (
        Employer.objects.visible_to(request.user)
        .filter(archived_at__isnull=True)
        .select_related("program")
        .annotate(hires=Count("jobs", filter=Q(jobs__archived_at__isnull=True)))
    )
    search = request.GET.get("q", "").strip()
    if search:
        employers = employers.filter(name__icontains=search)
    return render(
        request, "employers/employer_list.html", {"employers": employers, "search": search}
    )


@login_required
def employer_new(request: HttpRequest) -> HttpResponse:
    programs = Program.objects.filter(
        id__in=access.program_ids_for(request.user, Capability.EDIT_CLIENTS)
    )
    if not programs.exists():
        raise PermissionDenied("Your role does not allow adding employers.")
    form = EmployerCreateForm(request.POST or None, programs=programs)
    duplicates: list[Employer] = []
    if form.is_valid():
        data = dict(form.cleaned_data)
        confirmed = data.pop("confirm_not_duplicate")
        duplicates = services.employer_possible_duplicates(
            program=data["program"], name=data["name"]
        )
        if duplicates and not confirmed:
            form.data = form.data.copy()
            form.data["confirm_not_duplicate"] = "on"
            form.add_error(
                "name",
                "Similar employers already exist (listed below). Use one of "
                "them, or save again to add this one.",
            )
        else:
            try:
                employer = services.employer_create(actor=request.user, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Employer added.")
                return redirect("employers:detail", pk=employer.pk)
    return render(request, "employers/employer_new.html", {"form": form, "duplicates": duplicates})


@login_required
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employer = access.get_visible_or_404(
        Employer.objects.select_related("program"), request.user, pk=pk
    )
    jobs = employer.jobs.live().filter(client__archived_at__isnull=True).select_related("client")
    return render(
        request,
        "employers/employer_detail.html",
        {
            "employer": employer,
            "jobs": jobs,
            "can_edit": access.can(request.user, Capability.EDIT_CLIENTS, program=employer.program),
        },
    )


@login_required
def employer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employer = access.get_visible_or_404(Employer.objects, request.user, pk=pk)
    access.require(request.user, Capability.EDIT_CLIENTS, program=employer.program)
    form = EmployerForm(request.POST or None, instance=employer)
    differences = []
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.employer_update(employer=employer, version=version, changes=data)
        except StaleVersionError as stale:
            differences = show_stale(form, stale)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Employer saved.")
            return redirect("employers:detail", pk=employer.pk)
    return render(
        request,
        "ips/form_page.html",
        {"form": form, "title": f"Edit {employer}", "differences": differences},
    )


@login_required
def employer_archive(request: HttpRequest, pk: int) -> HttpResponse:
    employer = access.get_visible_or_404(Employer.objects, request.user, pk=pk)
    access.require(request.user, Capability.EDIT_CLIENTS, program=employer.program)
    form = ArchiveForm(request.POST or None, initial={"version": employer.version})
    if form.is_valid():
        try:
            record_archive(
                record=employer,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["archive_reason"],
                actor=request.user,
            )
        except (ValidationError, StaleVersionError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Employer archived. Past jobs there keep their employer.")
            return redirect("employers:list")
    return render(request, "ips/form_page.html", {"form": form, "title": f"Archive {employer}"})
