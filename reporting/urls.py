from django.urls import path

from reporting import views

app_name = "reporting"

C = "campaigns/<int:campaign_id>/"
R = C + "revisions/<int:revision_id>/"

# Mounted under t/<slug:tenant_slug>/reports/ by config/urls.py.
urlpatterns = [
    path("", views.home, name="home"),
    path(C, views.campaign, name="campaign"),
    path(R + "submit/", views.publication_submit, name="publication_submit"),
    path(C + "publications/<int:publication_id>/approve/", views.publication_approve, name="publication_approve"),
    path(C + "publications/<int:publication_id>/publish/", views.publication_publish, name="publication_publish"),
    path(C + "publications/<int:publication_id>/withdraw/", views.publication_withdraw, name="publication_withdraw"),
    path(R + "bulletins/", views.bulletin_start, name="bulletin_start"),
    path(R + "bulletins/<int:bulletin_id>/", views.bulletin_status, name="bulletin_status"),
    path(R + "bulletins/<int:bulletin_id>/download/", views.bulletin_download, name="bulletin_download"),
    path(R + "units/<int:unit_id>/", views.scorecard, name="scorecard"),
    path(R + "units/<int:unit_id>/pdf/", views.scorecard_pdf, name="scorecard_pdf"),
    path(C + "dashboard/", views.dashboard, name="dashboard"),
    path(C + "dashboard/data/", views.dashboard_data_view, name="dashboard_data"),
    path(C + "standings/", views.standings, name="standings"),
    path(C + "rectifications/", views.rectifications, name="rectifications"),
    path(C + "rectifications/<int:rectification_id>/review/", views.rectification_review, name="rectification_review"),
    path(C + "rectifications/<int:rectification_id>/", views.rectification_file, name="rectification_file"),
]
