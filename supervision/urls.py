from django.urls import path

from supervision import views
from supervision.meeting import views as meeting

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("drilldown/", views.drilldown, name="drilldown"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/archive/", views.session_archive, name="session_archive"),
    path("action-items/<int:pk>/done/", views.action_item_done, name="action_item_done"),
    path("action-items/<int:pk>/undo/", views.action_item_undo, name="action_item_undo"),
    path("meeting/", meeting.meeting, name="meeting"),
    path("meeting/items/", meeting.meeting_item_new, name="meeting_item_new"),
    path("meeting/session/", meeting.meeting_session_save, name="meeting_session_save"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/archive/", views.meeting_archive, name="meeting_archive"),
]
