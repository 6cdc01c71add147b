"""The user's notices (the bell in the navigation, the list) and their notice settings.

Everyone logged in has their own, whatever their role; nobody sees anyone else's. The bell's
count is fetched by htmx after the page, so that no page pays a query for it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ips import access
from ips.forms import NoticeSettingsForm, add_service_errors
from ips.notices import kinds_for
from ips.notices import services as notices
from ips.notices.models import Notice
from ips.versioning import StaleVersionError

SHOWN = 50


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """The user's latest notices, unread first marked."""
    shown = Notice.objects.filter(user=request.user)[:SHOWN]
    return render(request, "ips/notice_list.html", {"notices": shown})


@login_required
def notice_count(request: HttpRequest) -> HttpResponse:
    """The bell's badge: the number of unread notices (htmx, after the page)."""
    unread = Notice.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "ips/_notice_count.html", {"unread": unread})


@login_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    """Mark every notice read."""
    notices.notices_mark_read(user=request.user)
    messages.success(request, "All notices marked read.")
    return redirect("notices")


@login_required
def notice_settings(request: HttpRequest) -> HttpResponse:
    """E-mail on or off per kind of notice, and for events at once or in the weekly e-mail."""
    kinds = kinds_for(access.roles_of(request.user))
    current = notices.settings_of(request.user)
    form = NoticeSettingsForm(request.POST or None, kinds=kinds, current=current)
    if form.is_valid():
        try:
            notices.notice_settings_save(
                user=request.user, version=form.cleaned_data["version"], choices=form.choices()
            )
        except StaleVersionError as stale:
            add_service_errors(form, stale)
        else:
            messages.success(request, "Notice settings saved.")
            return redirect("notice_settings")
    context = {"form": form, "kinds": kinds, "email": request.user.email}
    return render(request, "ips/notice_settings.html", context)
