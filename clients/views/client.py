"""One client: the page with the timeline, editing, closing, re-enrolling, archiving."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from clients import selectors, services
from clients.forms import ClientForm, CloseForm, EnrollForm, QuickContactForm, ReenrollForm
from clients.models import Contact
from clients.timeline import contact_item
from clients.views.common import client_for, form_page
from ips import access, idempotency, pages, paging
from ips.access import Capability
from ips.calendar import today
from ips.forms import add_service_errors
from ips.models import User
from ips.versioning import StaleVersionError, show_stale

# The longest contact a day can hold, in minutes.
MAX_MINUTES = 24 * 60


@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The client page: the latest timeline entries, older ones on demand (`?page=N`: with
    htmx the entries alone, appended; without, the page showing that part of the timeline)."""
    client = client_for(request, pk)
    number = paging.page_number(request.GET)
    appending = bool(request.htmx) and number > 1
    page = selectors.client_page(client, number=number, lists=not appending)
    # Appended by htmx below the pages already shown (from page `from` on); a full page shows
    # its own entries only.
    shown_from = min(paging.page_number(request.GET, "from"), number) if appending else number
    context = {
        "client": client,
        "timeline": page.timeline.rows,
        "timeline_page": page.timeline,
        "shown_from": shown_from,
        "shown_first": (shown_from - 1) * page.timeline.size + 1,
        "older_url": f"{request.path}?page={number + 1}",
        "can_edit": access.can(request.user, Capability.EDIT_CLIENTS, program=client.program),
    }
    if appending:
        return render(request, "clients/_timeline_more.html", context)
    context |= {
        "jobs": page.jobs,
        "referrals": page.referrals,
        "episodes": page.episodes,
        "quick_form": QuickContactForm(),
    }
    return render(request, "clients/client_detail.html", context)


EPISODE_FORM_FIELDS = ("referred_on", "referral_source", "enrolled_on", "employed_at_referral")


@login_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    form = ClientForm(
        request.POST or None,
        instance=client,
        specialists=User.objects.specialists_of([client.program]),
    )
    differences = []
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.client_update(client=client, version=version, changes=data)
        except StaleVersionError as stale:
            # The form also edits the current episode: compare those fields with its values.
            episode = stale.current.current_episode
            for name in EPISODE_FORM_FIELDS:
                setattr(stale.current, name, getattr(episode, name) if episode else None)
            differences = show_stale(form, stale)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Client saved.")
            return redirect("clients:detail", pk=client.pk)
    return form_page(request, form, title=f"Edit {client}", client=client, differences=differences)


@login_required
def client_close(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    form = CloseForm(request.POST or None, initial={"version": client.version})
    if form.is_valid():
        try:
            services.client_close(client=client, **form.cleaned_data)
        except (ValidationError, StaleVersionError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Episode closed. Earlier records stay on the timeline.")
            return redirect("clients:detail", pk=client.pk)
    return form_page(request, form, title=f"Close {client}'s episode", client=client)


@login_required
def client_enroll(request: HttpRequest, pk: int) -> HttpResponse:
    """Enroll a referred client (the date of the current episode's enrollment)."""
    client = client_for(request, pk, write=True)
    form = EnrollForm(request.POST or None, initial={"version": client.version})
    if form.is_valid():
        try:
            services.episode_enroll(client=client, **form.cleaned_data)
        except (ValidationError, StaleVersionError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Client enrolled.")
            return redirect("clients:detail", pk=client.pk)
    return form_page(request, form, title=f"Enroll {client}", client=client)


@login_required
def client_reenroll(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    form = ReenrollForm(request.POST or None, initial={"version": client.version})
    if form.is_valid():
        try:
            services.client_reenroll(client=client, **form.cleaned_data)
        except (ValidationError, StaleVersionError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "New episode started; earlier episodes are kept.")
            return redirect("clients:detail", pk=client.pk)
    return form_page(request, form, title=f"Re-enroll {client}", client=client)


@login_required
def client_archive(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    return pages.archive_page(
        request,
        client,
        done="Client archived. The record is kept in the audit trail.",
        to="clients:caseload",
        back=(reverse("clients:detail", args=[client.pk]), str(client)),
    )


def quick_initial(data: QueryDict) -> dict[str, object]:
    """What the quick log starts with from its address: a known purpose, a plausible number of
    minutes; anything else is left out (the form then starts empty as usual)."""
    initial: dict[str, object] = {}
    if data.get("purpose") in Contact.Purpose.values:
        initial["purpose"] = data["purpose"]
    minutes = data.get("minutes", "")
    if minutes.isdigit() and 1 <= int(minutes) <= MAX_MINUTES:
        initial["minutes"] = int(minutes)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def contact_quick(request: HttpRequest, pk: int) -> HttpResponse:
    """Quick log (htmx): three required fields, no page reload; a full page without htmx.

    GET returns the empty form (the caseload loads it when a row's log is opened), started with
    the `purpose` and `minutes` the address gives (Today opens it ready to save)."""
    # The program (access, audit) and the current episode (the date's check, most often).
    client = client_for(request, pk, write=True, related=("program", "current_episode"))
    form = QuickContactForm(request.POST or None, initial=quick_initial(request.GET))
    contact = None
    if request.method == "POST" and form.is_valid():
        try:
            made, replayed = idempotency.form_create(
                request=request,
                create=lambda: services.contact_log(
                    client=client, specialist=request.user, **form.service_kwargs()
                ),
            )
            # Sent again under its key: the first answer, about the contact first made.
            contact = Contact.objects.get(client=client, pk=made) if replayed else made
        except ValidationError as error:
            add_service_errors(form, error)
        except idempotency.KeyRefused as refused:
            form.add_error(None, refused.message)
    if not request.htmx:
        if contact is not None:
            messages.success(request, "Contact logged.")
            return redirect("clients:detail", pk=client.pk)
        return form_page(request, form, title=f"Log a contact with {client}", client=client)
    # htmx swaps only 2xx responses, so errors come back as 200 with the form re-rendered.
    where = request.POST.get("where") or request.GET.get("where", "detail")
    context = {
        "client": client,
        "form": QuickContactForm() if contact else form,
        "contact": contact,
        "item": contact is not None,
        "new_items": [contact_item(contact)] if contact else [],
        # The caseload row's "last contact", updated in place.
        "last_contact_on": (
            Contact.objects.live().filter(client=client).aggregate(last=Max("contacted_on"))["last"]
            if contact and where == "caseload"
            else None
        ),
        "today": today(),
        "where": where,
    }
    return render(request, "clients/_quick_contact.html", context)
