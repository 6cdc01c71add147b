from django.urls import path, register_converter

from outcomes import views
from outcomes.reports import views as report_views


class ScopeConverter:
    """`programs` or `agencies` in the URL; `program` or `agency` for the view."""

    regex = "programs|agencies"

    def to_python(self, value: str) -> str:
        return "program" if value == "programs" else "agency"

    def to_url(self, value: str) -> str:
        return "programs" if value == "program" else "agencies"


register_converter(ScopeConverter, "scope")

app_name = "outcomes"

urlpatterns = [
    path("submission/<str:period>.csv", views.submission_csv, name="submission_csv"),
    path("reports/", report_views.reports, name="reports"),
    path("reports/generate/", report_views.report_request, name="report_request"),
    path("reports/<int:pk>/status/", report_views.report_status, name="report_status"),
    path("reports/<int:pk>/download/", report_views.report_download, name="report_download"),
    path("<scope:scope>/<int:pk>/", report_views.dashboard, name="dashboard"),
    path(
        "<scope:scope>/<int:pk>/reports/<str:period>/",
        report_views.report_generate,
        name="report_generate",
    ),
    path(
        "<scope:scope>/<int:pk>/<str:period>/<str:table>.csv",
        report_views.table_download,
        name="table_download",
    ),
]
