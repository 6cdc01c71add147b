"""The Django admin, for platform operators (superusers) only. Agencies use the app's pages."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from ips.models import Agency, AuditEvent, MinimumWage, Program, StaffRole, User

admin.site.has_permission = lambda request: bool(  # type: ignore[method-assign]
    request.user.is_active and request.user.is_superuser
)
admin.site.site_header = "IPS case management — operators"


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class StaffUserAdmin(UserAdmin):
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


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency", "program"]
    list_select_related = ["user", "agency", "program"]


@admin.register(AuditEvent)
class AuditEventAdmin(NoDeleteAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_id"]
    list_select_related = ["actor", "content_type"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
