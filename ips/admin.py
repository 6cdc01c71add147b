"""The Django admin, for platform operators (superusers) only. Agencies use the app's pages."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from ips import services
from ips.models import (
    Agency,
    AuditEvent,
    MinimumWage,
    Program,
    Role,
    RoleRequest,
    StaffRole,
    User,
)

admin.site.has_permission = lambda request: bool(  # type: ignore[method-assign]
    request.user.is_active and request.user.is_superuser
)
admin.site.site_header = "IPS case management — operators"


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OperatorPasswordForm(AdminPasswordChangeForm):
    """An operator's new password for an account goes through the same service as an agency
    admin's: a privileged account enrols a new second factor, the reset is audited (the actor
    comes from the request) and e-mailed to the owner."""

    def save(self, commit: bool = True) -> User:
        password = self.cleaned_data.get("password1")
        if not commit or not password or not self.cleaned_data.get("set_usable_password", True):
            return super().save(commit=commit)
        return services.user_password_reset(user=self.user, password=password)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    change_password_form = OperatorPasswordForm
    list_display = ["username", "first_name", "last_name", "home_agency", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Agency", {"fields": ["home_agency"]}))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(NoDeleteAdmin):
    list_display = ["name", "requires_two_factor"]


class MinimumWageInline(admin.TabularInline):
    model = MinimumWage
    extra = 0


@admin.register(Program)
class ProgramAdmin(NoDeleteAdmin):
    list_display = ["name", "agency", "site", "is_active"]
    list_select_related = ["agency"]
    inlines = [MinimumWageInline]


class StaffRoleGrantForm(forms.ModelForm):
    """A platform operator's grant: the service's checks (not to oneself; only the agency's own
    staff hold roles other than reviewer) run as the form is validated."""

    fte = forms.DecimalField(
        label="Full-time equivalent",
        required=False,
        initial=services.FULL_TIME,
        min_value=Decimal("0.05"),
        max_value=Decimal("1.00"),
        max_digits=3,
        decimal_places=2,
    )

    class Meta:
        model = StaffRole
        fields = ["user", "role", "agency", "program", "fte"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        operator = self.request_user  # type: ignore[attr-defined]
        if data["user"].pk == operator.pk:
            raise ValidationError("Nobody grants a role to themselves.")
        services.check_grant(
            user=data["user"],
            role=Role(data["role"]),
            agency=data["agency"],
            program=data.get("program"),
            fte=data.get("fte") or services.FULL_TIME,
        )
        return data


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    """Operators grant roles directly (they are the second person); a role is never edited,
    only removed and granted anew."""

    form = StaffRoleGrantForm
    list_display = ["user", "role", "agency", "program", "fte", "granted_by", "approved_by"]
    list_select_related = ["user", "agency", "program", "granted_by", "approved_by"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: StaffRole, form: Any, change: bool) -> None:
        granted = services.staff_role_grant(
            actor=request.user,  # type: ignore[arg-type]
            user=obj.user,
            role=obj.role,
            agency=obj.agency,
            program=obj.program,
            fte=obj.fte or services.FULL_TIME,
        )
        obj.pk = granted.pk


@admin.register(RoleRequest)
class RoleRequestAdmin(NoDeleteAdmin):
    """Where a platform operator approves the requests of an agency with a single admin."""

    list_display = ["user", "role", "agency", "program", "requested_by", "requested_at", "status"]
    list_filter = ["status", "agency"]
    list_select_related = ["user", "agency", "program", "requested_by"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _decide(self, request: HttpRequest, queryset: QuerySet, decide: Any, done: str) -> None:
        for role_request in queryset:
            try:
                decide(role_request=role_request, approver=request.user)
            except (ValidationError, PermissionDenied) as error:
                messages.error(
                    request, f"{role_request}: {' '.join(getattr(error, 'messages', [str(error)]))}"
                )
            else:
                messages.success(request, f"{role_request}: {done}")

    @admin.action(description="Approve the selected requests")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, services.role_request_approve, "approved")

    @admin.action(description="Turn down the selected requests")
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, services.role_request_reject, "turned down")


@admin.register(AuditEvent)
class AuditEventAdmin(NoDeleteAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_id"]
    list_select_related = ["actor", "content_type"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
