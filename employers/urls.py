from django.urls import path

from employers import views

app_name = "employers"

urlpatterns = [
    path("", views.employer_list, name="list"),
    path("new/", views.employer_new, name="new"),
    path("week/", views.week, name="week"),
    path("contacts/quick/", views.contact_quick, name="contact_quick"),
    path("<int:pk>/people/new/", views.person_new, name="person_new"),
    path("<int:pk>/", views.employer_detail, name="detail"),
    path("<int:pk>/edit/", views.employer_edit, name="edit"),
    path("<int:pk>/archive/", views.employer_archive, name="archive"),
]
