from django.urls import path

from clients.views import caseload, client, records

app_name = "clients"

urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("new/", caseload.client_new, name="new"),
    path("<int:pk>/", client.client_detail, name="detail"),
    path("<int:pk>/edit/", client.client_edit, name="edit"),
    path("<int:pk>/enroll/", client.client_enroll, name="enroll"),
    path("<int:pk>/close/", client.client_close, name="close"),
    path("<int:pk>/reenroll/", client.client_reenroll, name="reenroll"),
    path("<int:pk>/archive/", client.client_archive, name="archive"),
    path("<int:pk>/contacts/quick/", client.contact_quick, name="contact_quick"),
    path("contacts/<int:pk>/edit/", records.contact_edit, name="contact_edit"),
    path("<int:pk>/profile/", records.profile_edit, name="profile"),
    path("<int:pk>/plan/", records.plan, name="plan"),
    path("<int:pk>/plan/goals/new/", records.goal_new, name="goal_new"),
    path("<int:pk>/plan/steps/new/", records.step_new, name="step_new"),
    path("plan/steps/<int:pk>/done/", records.step_done, name="step_done"),
    path("<int:pk>/education/new/", records.education_new, name="education_new"),
    path("<int:pk>/jobs/new/", records.job_new, name="job_new"),
    path("jobs/<int:pk>/edit/", records.job_edit, name="job_edit"),
    path("jobs/<int:pk>/end/", records.job_end, name="job_end"),
    path("<int:pk>/supports/new/", records.support_new, name="support_new"),
    path("<int:pk>/benefits/new/", records.benefits_new, name="benefits_new"),
    path("benefits/<int:pk>/edit/", records.benefits_edit, name="benefits_edit"),
]
