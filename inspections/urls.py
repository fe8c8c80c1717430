from django.urls import path

from inspections import views

app_name = "inspections"

# Mounted under t/<slug:tenant_slug>/inspections/ by config/urls.py.
urlpatterns = [
    # supervisor app (PWA): the service worker lives here so its scope covers the app
    path("", views.supervisor_app, name="app"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    # office
    path("office/", views.office, name="office"),
    path("campaigns/<int:campaign_id>/catalogue/", views.catalogue, name="catalogue"),
    path("campaigns/<int:campaign_id>/catalogue/import/", views.catalogue_import, name="catalogue_import"),
    path("campaigns/<int:campaign_id>/catalogue/<int:item_id>/", views.catalogue_item, name="catalogue_item"),
    path("campaigns/<int:campaign_id>/plan/", views.plan, name="plan"),
    path("campaigns/<int:campaign_id>/plan/<int:assignment_id>/delete/", views.assignment_delete, name="assignment_delete"),
    path("campaigns/<int:campaign_id>/review/", views.review, name="review"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit_detail"),
    path("findings/<int:finding_id>/review/", views.finding_review, name="finding_review"),
    path("findings/<int:finding_id>/appeal/decide/", views.appeal_decide, name="appeal_decide"),
    # unit
    path("findings/", views.unit_findings, name="unit_findings"),
    path("findings/<int:finding_id>/appeal/", views.finding_appeal, name="finding_appeal"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    # bulletin
    path("bulletins/", views.bulletins, name="bulletins"),
    path("campaigns/<int:campaign_id>/bulletin/", views.bulletin, name="bulletin"),
    path("campaigns/<int:campaign_id>/bulletin/<int:quarter>.pdf", views.bulletin_pdf_download, name="bulletin_pdf"),
    path("campaigns/<int:campaign_id>/bulletin/<int:quarter>.xlsx", views.bulletin_xlsx_download, name="bulletin_xlsx"),
    # complaints
    path("campaigns/<int:campaign_id>/complaints/", views.complaints, name="complaints"),
    path("campaigns/<int:campaign_id>/complaints/rules/", views.complaint_rules, name="complaint_rules"),
    path("complaints/<int:complaint_id>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/mine/", views.unit_complaints, name="unit_complaints"),
    path("complaints/<int:complaint_id>/reply/", views.complaint_reply, name="complaint_reply"),
]
