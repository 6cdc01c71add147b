from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("programs/<int:pk>/", views.program_import, name="start"),
    path(
        "programs/<int:pk>/export/<str:name>.<str:fmt>",
        views.program_export,
        name="export",
    ),
    path("caseload.<str:fmt>", views.caseload_export, name="caseload_export"),
    path("employers.<str:fmt>", views.employers_export, name="employers_export"),
    path("templates/<str:kind>.<str:fmt>", views.template_download, name="template"),
    path("<int:pk>/", views.run_detail, name="detail"),
    path("<int:pk>/status/", views.run_status, name="status"),
    path("<int:pk>/confirm/", views.run_confirm, name="confirm"),
    path("<int:pk>/errors.csv", views.run_errors, name="errors"),
]
