"""The API router: every app's viewsets under /api/v1/, the OpenAPI schema and its docs."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from clients.api.views import (
    BenefitsReferralViewSet,
    ClientViewSet,
    ContactViewSet,
    JobViewSet,
    SupportViewSet,
)
from employers.api.views import EmployerContactViewSet, EmployerPersonViewSet, EmployerViewSet
from fidelity.api.views import FidelityItemViewSet, FidelityReviewViewSet
from imports.api import ImportRunViewSet, export_view
from ips.api.views import ProgramViewSet, me
from outcomes.api.views import outcome_detail
from outcomes.reports.api import agency_report, program_report
from supervision.api.views import (
    SupervisionSessionViewSet,
    TeamMeetingViewSet,
    supervision_numbers,
)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per version and language by each process: it describes
    the code, which does not change while the process runs, and generating it takes about a
    second. The schema is public (the same for every caller), so it holds nothing of a user."""

    _generated: dict[tuple[Any, str | None], dict[str, Any]] = {}

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language())
        if key not in self._generated:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            self._generated[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(
            data=self._generated[key],
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )


router = DefaultRouter()
router.register("programs", ProgramViewSet, basename="program")
router.register("clients", ClientViewSet, basename="client")
router.register("contacts", ContactViewSet, basename="contact")
router.register("employers", EmployerViewSet, basename="employer")
router.register("employer-contacts", EmployerContactViewSet, basename="employer-contact")
router.register("employer-people", EmployerPersonViewSet, basename="employer-person")
router.register("jobs", JobViewSet, basename="job")
router.register("supports", SupportViewSet, basename="support")
router.register("benefits-referrals", BenefitsReferralViewSet, basename="benefits-referral")
router.register("team-meetings", TeamMeetingViewSet, basename="team-meeting")
router.register("supervision-sessions", SupervisionSessionViewSet, basename="supervision-session")
router.register("fidelity-items", FidelityItemViewSet, basename="fidelity-item")
router.register("fidelity-reviews", FidelityReviewViewSet, basename="fidelity-review")
router.register("imports", ImportRunViewSet, basename="import")

urlpatterns = [
    path("supervision/", supervision_numbers, name="supervision"),
    path("programs/<int:pk>/reports/<str:period>.pdf", program_report, name="program-report"),
    path("agencies/<int:pk>/reports/<str:period>.pdf", agency_report, name="agency-report"),
    path("exports/<str:name>/", export_view, name="export"),
    path("", include(router.urls)),
    path("me/", me, name="me"),
    path("outcomes/", outcome_detail, name="outcomes"),
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from `docs/?script` instead of inlining
    # it, as the Content-Security-Policy requires.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api_docs.html"
            )
        ),
        name="docs",
    ),
]
