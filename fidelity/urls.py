from django.urls import path

from fidelity import views

app_name = "fidelity"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("programs/<int:program_pk>/new/", views.review_new, name="new"),
    path("programs/<int:program_pk>/history/", views.history, name="history"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/edit/", views.review_edit, name="edit"),
    path("<int:pk>/score/", views.review_score, name="score"),
    path("<int:pk>/score/<int:number>/", views.score_item, name="score_item"),
    path("<int:pk>/consensus/open/", views.open_consensus, name="open_consensus"),
    path("<int:pk>/consensus/", views.consensus, name="consensus"),
    path("<int:pk>/consensus/<int:number>/", views.agree_item, name="agree_item"),
    path("<int:pk>/finalise/", views.finalise, name="finalise"),
    path("<int:pk>/items/<int:number>/amend/", views.amend, name="amend"),
    path("<int:pk>/evidence/", views.evidence_page, name="evidence"),
    path("<int:pk>/evidence/<slug:key>/", views.evidence_rows, name="evidence_rows"),
    path("<int:pk>/report.pdf", views.report, name="report"),
]
