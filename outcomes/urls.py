from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("submission/<str:period>.csv", views.submission_csv, name="submission_csv"),
]
