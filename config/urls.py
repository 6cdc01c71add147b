"""The root URLs: each app's pages under its prefix, the API under /api/v1/."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found

from config import home
from ips import health
from ips.views import accounts, audit, notices, offline, programs, staff, tokens

urlpatterns = [
    path("", home.home, name="home"),
    # Answered by ips.health.HealthProbeMiddleware before the session and host checks; named
    # here so that they can be reversed and are in the access matrix.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The installable app: at the root, where a service worker's scope covers every page.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.web_manifest, name="web_manifest"),
    path("offline/", offline.offline, name="offline"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/two-factor/", accounts.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", accounts.two_factor_verify, name="two_factor_verify"),
    path("programs/", programs.program_list, name="program_list"),
    path("programs/<int:pk>/", programs.program_detail, name="program_detail"),
    path("programs/<int:pk>/edit/", programs.program_edit, name="program_edit"),
    path("programs/<int:pk>/minimum-wages/", programs.minimum_wage_add, name="minimum_wage_add"),
    path("agencies/<int:agency_pk>/programs/new/", programs.program_create, name="program_create"),
    path("agencies/<int:pk>/settings/", staff.agency_settings, name="agency_settings"),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/password/", staff.staff_password, name="staff_password"),
    path("staff/<int:pk>/active/", staff.staff_set_active, name="staff_set_active"),
    path(
        "staff/<int:pk>/two-factor/reset/",
        staff.staff_two_factor_reset,
        name="staff_two_factor_reset",
    ),
    path("staff/<int:pk>/roles/", staff.staff_role_grant, name="staff_role_grant"),
    path("staff/roles/<int:pk>/revoke/", staff.staff_role_revoke, name="staff_role_revoke"),
    # Not under accounts/, which is open before the second factor (`ips.views.tokens`).
    path("api-tokens/", tokens.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", tokens.api_token_revoke, name="api_token_revoke"),
    path("staff/api-tokens/", tokens.staff_api_tokens, name="staff_api_tokens"),
    path(
        "staff/api-tokens/<int:pk>/revoke/",
        tokens.staff_api_token_revoke,
        name="staff_api_token_revoke",
    ),
    path("staff/role-requests/", staff.role_request_list, name="role_request_list"),
    path(
        "staff/role-requests/<int:pk>/approve/",
        staff.role_request_approve,
        name="role_request_approve",
    ),
    path(
        "staff/role-requests/<int:pk>/reject/",
        staff.role_request_reject,
        name="role_request_reject",
    ),
    path("audit/", audit.audit_log, name="audit_log"),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/count/", notices.notice_count, name="notice_count"),
    path("notices/read/", notices.notices_read, name="notices_read"),
    path("notices/settings/", notices.notice_settings, name="notice_settings"),
    path("clients/", include("clients.urls")),
    path("employers/", include("employers.urls")),
    path("supervision/", include("supervision.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("fidelity/", include("fidelity.urls")),
    path("imports/", include("imports.urls")),
    path("api/v1/", include(("config.api", "api"), namespace="api")),
    path(settings.ADMIN_URL, admin.site.urls),
]


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON under the API (an address no route matches, as a missing record answers),
    the page everywhere else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
