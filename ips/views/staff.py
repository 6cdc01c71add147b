"""Staff administration for agency admins: accounts, roles, passwords, agency settings.

The rules (who may grant what, the second person's approval, what a password reset entails)
live in `ips.services`, shared with every other way in; these pages ask and report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ips import access, pages, selectors, services
from ips.access import Capability
from ips.forms import AgencyForm, NewPasswordForm, RoleGrantForm, StaffCreateForm
from ips.models import Agency, Program, RoleRequest, StaffRole, User
from ips.versioning import StaleVersionError, show_stale


def _admin_agencies(user: User) -> list[Agency]:
    agencies = list(
        Agency.objects.filter(id__in=access.agency_ids_for(user, Capability.MANAGE_STAFF))
    )
    if not agencies:
        raise PermissionDenied("Only agency admins manage staff.")
    return agencies


def _account_for_admin(request: HttpRequest, pk: int) -> User:
    """The account, 404 when outside the admin's agencies, 403 when another agency employs it."""
    account = pages.record_for(request, User.objects.select_related("home_agency"), pk=pk)
    if request.method == "POST" and not selectors.can_manage_account(request.user, account):
        raise PermissionDenied("Another agency manages this account.")
    return account


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    agencies = _admin_agencies(request.user)
    return render(
        request,
        "ips/staff_list.html",
        {
            "accounts": selectors.staff_rows(request.user),
            "agencies": agencies,
            "pending_count": selectors.pending_role_requests(request.user).count(),
        },
    )


@login_required
def staff_create(request: HttpRequest) -> HttpResponse:
    agency = _admin_agencies(request.user)[0]
    form = StaffCreateForm(request.POST or None)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["password"] = data.pop("password1")
        data.pop("password2")
        try:
            account = services.staff_create(agency=agency, actor=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Account created. Now grant a role.")
            return redirect("staff_detail", pk=account.pk)
    return render(request, "ips/form_page.html", {"form": form, "title": f"New staff — {agency}"})


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for_admin(request, pk)
    programs = Program.objects.visible_to(request.user).filter(
        agency_id__in=access.agency_ids_for(request.user, Capability.MANAGE_STAFF)
    )
    return render(
        request,
        "ips/staff_detail.html",
        {
            "account": account,
            "roles": StaffRole.objects.visible_to(request.user)
            .filter(user=account)
            .select_related("program", "agency", "granted_by", "approved_by"),
            "pending": selectors.pending_role_requests(request.user).filter(user=account),
            "role_form": RoleGrantForm(programs=programs),
            "password_form": NewPasswordForm(),
            "can_manage_account": selectors.can_manage_account(request.user, account),
            "is_self": account.pk == request.user.pk,
        },
    )


@login_required
@require_POST
def staff_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for_admin(request, pk)
    form = NewPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.user_password_reset(
                user=account, password=form.cleaned_data["password1"], actor=request.user
            )
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            messages.success(request, _password_reset_message(account))
            return redirect("staff_detail", pk=account.pk)
    return render(request, "ips/form_page.html", {"form": form, "title": f"Password — {account}"})


def _password_reset_message(account: User) -> str:
    said = [f"New password set for {account}. Any lockout is lifted."]
    if services.holds_privileged_role(account):
        said.append("They will set up their authenticator app again at their next login.")
    if account.email:
        said.append("They have been told by e-mail.")
    else:
        said.append("This account has no e-mail address: tell them yourself.")
    return " ".join(said)


@login_required
@require_POST
def staff_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for_admin(request, pk)
    active = request.POST.get("active") == "1"
    if account.pk == request.user.pk and not active:
        messages.error(request, "You cannot deactivate your own account.")
    else:
        services.user_set_active(user=account, active=active)
        messages.success(request, f"{account} is now {'active' if active else 'deactivated'}.")
    return redirect("staff_detail", pk=account.pk)


@login_required
@require_POST
def staff_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for_admin(request, pk)
    try:
        services.user_two_factor_reset(user=account, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{account} will enrol a new authenticator at next login.")
    return redirect("staff_detail", pk=account.pk)


@login_required
@require_POST
def staff_role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    account = pages.record_for(request, User.objects, pk=pk)
    agencies = _admin_agencies(request.user)
    programs = Program.objects.filter(agency__in=agencies)
    form = RoleGrantForm(request.POST, programs=programs)
    if form.is_valid():
        program = form.cleaned_data["program"]
        agency = program.agency if program else agencies[0]
        try:
            granted = services.staff_role_grant(
                actor=request.user,
                user=account,
                role=form.cleaned_data["role"],
                agency=agency,
                program=program,
                fte=form.cleaned_data["fte"] or services.FULL_TIME,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if isinstance(granted, RoleRequest):
                messages.info(
                    request,
                    "This role reads client records or manages staff, so a second person must "
                    f"approve it: another admin of {agency} (not you, not {account}) or a "
                    "platform operator. It is listed under Role requests until then.",
                )
            else:
                messages.success(request, "Role granted.")
    else:
        messages.error(request, "Choose a role (and a program for program roles).")
    return redirect("staff_detail", pk=account.pk)


@login_required
@require_POST
def staff_role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    staff_role = pages.record_for(request, StaffRole.objects, pk=pk)
    services.staff_role_revoke(staff_role=staff_role)
    messages.success(request, "Role removed.")
    return redirect("staff_detail", pk=staff_role.user_id)


@login_required
def role_request_list(request: HttpRequest) -> HttpResponse:
    """Privileged roles waiting for a second person, in the admin's agencies."""
    _admin_agencies(request.user)
    return render(
        request,
        "ips/role_request_list.html",
        {
            "pending": selectors.pending_role_requests(request.user),
            "decided": selectors.decided_role_requests(request.user)[:50],
        },
    )


def _decide_role_request(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    role_request = pages.record_for(request, RoleRequest.objects, pk=pk)
    try:
        if approve:
            services.role_request_approve(role_request=role_request, approver=request.user)
        else:
            services.role_request_reject(role_request=role_request, approver=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Role granted." if approve else "Request turned down.")
    return redirect("role_request_list")


@login_required
@require_POST
def role_request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_role_request(request, pk, approve=True)


@login_required
@require_POST
def role_request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_role_request(request, pk, approve=False)


@login_required
def agency_settings(request: HttpRequest, pk: int) -> HttpResponse:
    agency = pages.record_for(request, Agency.objects, needs=Capability.MANAGE_STAFF, pk=pk)
    form = AgencyForm(request.POST or None, instance=agency)
    differences = []
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.agency_update(agency=agency, version=version, changes=data)
        except StaleVersionError as stale:
            differences = show_stale(form, stale)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Agency settings saved.")
            return redirect("home")
    return render(
        request,
        "ips/form_page.html",
        {"form": form, "title": f"Settings — {agency}", "differences": differences},
    )
