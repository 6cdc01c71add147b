"""Employer pages: the program's shared list, adding (with a duplicate warning), editing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clients.models import Client
from employers import selectors, services
from employers.forms import (
    EmployerContactQuickForm,
    EmployerCreateForm,
    EmployerForm,
    EmployerPersonForm,
)
from employers.models import Employer, EmployerContact
from ips import access, idempotency, pages, paging
from ips.access import Capability
from ips.calendar import parse_week
from ips.forms import add_service_errors
from ips.models import Program, Role, User
from ips.versioning import StaleVersionError, show_stale


@pages.requires(Capability.VIEW_CLIENTS)
def employer_list(request: HttpRequest) -> HttpResponse:
    employers = Employer.objects.visible_to(request.user).filter(archived_at__isnull=True)
    search = request.GET.get("q", "").strip()
    if search:
        employers = employers.filter(name__icontains=search)
    order = request.GET.get("order", "name")
    rows = selectors.employer_rows(employers=employers, order=order)
    page = paging.paginate(rows, paging.page_number(request.GET))
    context = {"employers": page.rows, "search": search, "order": order}
    context |= paging.footer(request, page)
    if paging.appending(request):  # "Load more": the next rows, appended
        return render(request, "employers/_employer_more.html", context)
    return render(request, "employers/employer_list.html", context)


@pages.requires(Capability.EDIT_CLIENTS)
def employer_new(request: HttpRequest) -> HttpResponse:
    programs = Program.objects.granting(request.user, Capability.EDIT_CLIENTS)
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
    """The relationship: every contact across the program, hires there, people, a quick log.

    `?person=ID` (a person just added) is chosen in the log form."""
    employer = pages.record_for(request, Employer.objects.select_related("program"), pk=pk)
    can_edit = access.can(request.user, Capability.EDIT_CLIENTS, program=employer.program)
    # An employer shared from another program of the agency: its clients stay hidden.
    own = access.can(request.user, Capability.VIEW_CLIENTS, program=employer.program)
    chosen = request.GET.get("person", "")
    context = {
        "employer": employer,
        "jobs": selectors.hires(employer=employer, viewer=request.user, with_clients=own),
        "relationship": selectors.employer_relationship(employer, viewer=request.user),
        "people": employer.people.all(),
        "can_edit": can_edit,
        "show_clients": own,
        "person_form": EmployerPersonForm(),
        "contact_form": _contact_form(
            request, employer=employer, initial={"person": chosen if chosen.isdigit() else None}
        )
        if can_edit
        else None,
    }
    return render(request, "employers/employer_detail.html", context)


@login_required
def employer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employer = pages.record_for(request, Employer.objects, needs=Capability.EDIT_CLIENTS, pk=pk)
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
    employer = pages.record_for(request, Employer.objects, needs=Capability.EDIT_CLIENTS, pk=pk)
    return pages.archive_page(
        request,
        employer,
        done="Employer archived. Past jobs there keep their employer.",
        to="employers:list",
    )


def _contact_form(
    request: HttpRequest,
    *,
    data: Any = None,
    initial: dict[str, Any] | None = None,
    employer: Employer | None = None,
) -> EmployerContactQuickForm:
    """The quick-log form, limited to what the user may write, pre-filled from the page (on an
    employer's page, `employer`: fixed, with only its people offered)."""
    return EmployerContactQuickForm(
        data,
        employers=Employer.objects.editable_by(request.user),
        clients=Client.objects.editable_by(request.user).order_by("last_name", "first_name"),
        employer=employer,
        initial=initial,
    )


def _posted_employer_page(request: HttpRequest) -> Employer | None:
    """The employer whose page sent the form (`employer_page`), among those the user may write."""
    employer_id = request.POST.get("employer", "")
    if request.POST.get("employer_page") not in ("True", "on", "true") or not employer_id.isdigit():
        return None
    return Employer.objects.editable_by(request.user).filter(pk=int(employer_id)).first()


WHOLE_PAGE_TITLE = "Employer contact"


@pages.requires(Capability.EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def contact_quick(request: HttpRequest) -> HttpResponse:
    """Log a job-development contact without leaving the page (htmx); a full page otherwise.

    GET returns the empty form, pre-filled from `?client=ID`, `?employer=ID` or `?purpose=`
    (a client's page and Today load it when their employer log is opened). Sent from an
    employer's page, a logged contact also refreshes that page's last-contact date and list of
    contacts."""
    if request.method == "GET":
        initial = {
            "clients": [v for v in request.GET.getlist("client") if v.isdigit()],
            "employer": request.GET.get("employer") or None,
            "purpose": request.GET.get("purpose") or None,
        }
        form = _contact_form(request, initial=initial)
        if not request.htmx:  # opened as a page (no JS, a new tab): the form on a whole page
            return render(request, "ips/form_page.html", {"form": form, "title": WHOLE_PAGE_TITLE})
        return render(request, "employers/_contact_quick.html", {"form": form, "contact": None})
    page_employer = _posted_employer_page(request)
    form = _contact_form(request, data=request.POST, employer=page_employer)
    contact = None
    if form.is_valid():
        try:
            made, replayed = idempotency.form_create(
                request=request,
                create=lambda: services.employer_contact_log(
                    specialist=request.user, **form.service_kwargs()
                ),
            )
            # Sent again under its key: the first answer, about the contact first made.
            contact = (
                EmployerContact.objects.get(specialist=request.user, pk=made) if replayed else made
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except idempotency.KeyRefused as refused:
            form.add_error(None, refused.message)
    if not request.htmx:
        if contact is not None:
            messages.success(request, "Employer contact logged.")
            return redirect("employers:detail", pk=contact.employer_id)
        return render(request, "ips/form_page.html", {"form": form, "title": WHOLE_PAGE_TITLE})
    context: dict[str, Any] = {"contact": contact, "form": form}
    if contact is not None:
        context["form"] = _fresh_form(request, contact, page_employer)
        if page_employer is not None:
            context["refreshed"] = selectors.employer_relationship(
                page_employer, viewer=request.user
            )
            context["show_clients"] = True
    return render(request, "employers/_contact_quick.html", context)


def _fresh_form(
    request: HttpRequest, contact: EmployerContact, page_employer: Employer | None
) -> EmployerContactQuickForm:
    """After a successful log, an empty form for the same employer and clients."""
    clients = [client.pk for client in contact.clients.all()]
    return _contact_form(
        request,
        initial={"employer": contact.employer_id, "clients": clients},
        employer=page_employer,
    )


@pages.requires(Capability.VIEW_CLIENTS)
def week(request: HttpRequest) -> HttpResponse:
    """A specialist's job development this week (or `?week=2026-W12`) against the target."""
    today = timezone.localdate()
    specialist = _week_specialist(request)
    if specialist is None:
        specialists = User.objects.specialists_of(
            access.program_ids_for(request.user, Capability.VIEW_CLIENTS)
        )
        return render(request, "employers/week_choose.html", {"specialists": specialists})
    try:
        week = parse_week(request.GET.get("week"), default=today)
    except ValueError as error:
        return pages.bad_request(request, str(error))
    monday = week.first
    context = {
        "specialist": specialist,
        "week": selectors.specialist_week(
            specialist=specialist, monday=monday, viewer=request.user
        ),
        "history": selectors.weekly_counts(specialist=specialist, last_monday=monday),
        "previous": week.previous().label,
        "next": week.next().label,
        "waiting": selectors.job_seekers_without_employer_contact(
            specialist=specialist, today=today, viewer=request.user
        ),
        "today": today,
    }
    return render(request, "employers/week.html", context)


def _week_specialist(request: HttpRequest) -> User | None:
    """Whose week: `?specialist=ID` among the active specialists of visible programs (those the
    chooser lists), else oneself (None for someone who is no specialist and chose nobody yet)."""
    visible = access.program_ids_for(request.user, Capability.VIEW_CLIENTS)
    chosen = request.GET.get("specialist", "")
    if not chosen.isdigit():
        return request.user if Role.SPECIALIST in access.roles_of(request.user) else None
    specialist = User.objects.specialists_of(visible).filter(pk=int(chosen)).first()
    if specialist is None:
        raise Http404("No such specialist.")
    return specialist


@login_required
@require_POST
def person_new(request: HttpRequest, pk: int) -> HttpResponse:
    employer = pages.record_for(request, Employer.objects, needs=Capability.EDIT_CLIENTS, pk=pk)
    form = EmployerPersonForm(request.POST)
    if form.is_valid():
        try:
            person = services.employer_person_add(employer=employer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{person.name} added: chosen in the contact form below.")
            url = reverse("employers:detail", args=[employer.pk])
            return redirect(f"{url}?person={person.pk}#h-log")
    return render(request, "ips/form_page.html", {"form": form, "title": f"Person at {employer}"})
