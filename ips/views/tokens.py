"""API tokens: a user's own (issue, list, revoke), and those of an agency's staff (its admins list
them and revoke any of the accounts the agency employs).

Not under /accounts/: those pages are open before two-factor verification, and a key issued
there would skip the second factor for good.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ips import access, pages, selectors, services
from ips.access import Capability
from ips.forms import ApiTokenForm, add_service_errors
from ips.models import ApiToken, ApiTokenQuerySet, User


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own tokens, and the form that issues one (its key shown once, on the answer to
    the form: never stored, never in a message or a redirect)."""
    form = ApiTokenForm(request.POST or None)
    if form.is_valid():
        if _password_matches(request, form.cleaned_data["password"]):
            try:
                token, key = services.api_token_create(
                    user=request.user,  # type: ignore[arg-type]
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return render(request, "ips/api_token_created.html", {"token": token, "key": key})
        else:
            form.add_error("password", "That is not your password.")
    tokens = ApiToken.objects.filter(user=request.user)  # type: ignore[misc]
    return render(request, "ips/api_tokens.html", {"form": form, "tokens": tokens})


def _password_matches(request: HttpRequest, password: str) -> bool:
    """Through the authentication backends, so that wrong guesses count towards the lockout."""
    user = authenticate(request, username=request.user.get_username(), password=password)
    return user is not None and user.pk == request.user.pk


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = pages.record_for(request, ApiToken.objects.filter(user=request.user), pk=pk)  # type: ignore[misc]
    services.api_token_revoke(token=token)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("api_tokens")


def _staff_tokens(user: User) -> ApiTokenQuerySet:
    """Tokens of the accounts the admin manages (`User.visible_to`), not merely their own."""
    return ApiToken.objects.filter(user__in=User.objects.visible_to(user)).select_related(
        "user__home_agency"
    )


@pages.requires(Capability.MANAGE_STAFF)
def staff_api_tokens(request: HttpRequest) -> HttpResponse:
    """Every token of the agency's staff; revocable where the agency employs the account."""
    managed = set(
        access.agency_ids_for(request.user, Capability.MANAGE_STAFF).values_list(
            "agency_id", flat=True
        )
    )
    tokens = _staff_tokens(request.user).order_by(  # type: ignore[arg-type]
        "user__last_name", "user__first_name", "user__username", "-created_at"
    )
    rows = [(token, token.user.home_agency_id in managed) for token in tokens]
    return render(request, "ips/staff_api_tokens.html", {"rows": rows})


@login_required
@require_POST
def staff_api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """404 outside the admin's agencies; 403 for an account another agency employs."""
    token = pages.record_for(request, _staff_tokens(request.user), pk=pk)  # type: ignore[arg-type]
    if not selectors.can_manage_account(request.user, token.user):  # type: ignore[arg-type]
        raise PermissionDenied("Another agency manages this account.")
    services.api_token_revoke(token=token)
    messages.success(request, f"The token “{token.name}” of {token.user} is revoked.")
    return redirect("staff_api_tokens")
