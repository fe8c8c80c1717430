from django.urls import path

from evaluation import views_year as views

app_name = "year"

C = "campaigns/<int:campaign_id>/"

# Mounted under t/<slug:tenant_slug>/year/ by config/urls.py.
urlpatterns = [
    path("", views.index, name="index"),
    path(C, views.campaign_hub, name="campaign"),
    path(C + "settings/", views.campaign_settings, name="settings"),
    # targets (指标细化)
    path(C + "targets/", views.targets, name="targets"),
    path(C + "targets/units/<int:unit_id>/", views.target_sheet, name="target_sheet"),
    path(C + "targets/units/<int:unit_id>/items/", views.target_item_add, name="target_item_add"),
    path(C + "targets/units/<int:unit_id>/submit/", views.target_submit, name="target_submit"),
    path(C + "targets/units/<int:unit_id>/review/", views.target_review, name="target_review"),
    path(C + "targets/items/<int:target_item_id>/", views.target_item_edit, name="target_item_edit"),
    path(C + "targets/items/<int:target_item_id>/delete/", views.target_item_delete, name="target_item_delete"),
    # ledger (台帐)
    path(C + "ledger/", views.ledger, name="ledger"),
    path(C + "ledger/new/", views.ledger_new, name="ledger_new"),
    path(C + "ledger/import/", views.ledger_import, name="ledger_import"),
    path(C + "ledger/import/template.xlsx", views.ledger_template, name="ledger_template"),
    path(C + "ledger/<int:entry_id>/appeal/", views.ledger_appeal, name="ledger_appeal"),
    path(C + "ledger/<int:entry_id>/review/", views.ledger_review, name="ledger_review"),
    # self-assessment (自评)
    path(C + "self/", views.self_overview, name="self_overview"),
    path(C + "self/units/<int:unit_id>/", views.self_sheet, name="self_sheet"),
    path(C + "self/units/<int:unit_id>/leaves/<int:leaf_id>/", views.self_save, name="self_save"),
    path(C + "self/units/<int:unit_id>/submit/", views.self_submit, name="self_submit"),
    path(C + "self/units/<int:unit_id>/reopen/", views.self_reopen, name="self_reopen"),
    path(C + "self/evidence/<int:evidence_id>/delete/", views.self_evidence_delete, name="self_evidence_delete"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    # assessors' scoring sheets
    path(C + "assessment/", views.assessment, name="assessment"),
    path(C + "assessment/units/<int:unit_id>/", views.scoring_unit, name="scoring_unit"),
    path(C + "assessment/leaves/<int:leaf_id>/", views.scoring_leaf, name="scoring_leaf"),
    path(C + "assessment/save/", views.scoring_save, name="scoring_save"),
    path(C + "assessment/reconcile/", views.reconcile, name="reconcile"),
    # vetoes (一票否决)
    path(C + "vetoes/", views.vetoes, name="vetoes"),
    path(C + "vetoes/units/<int:unit_id>/", views.veto_decide, name="veto_decide"),
    path(C + "vetoes/<int:decision_id>/document/", views.veto_document, name="veto_document"),
    # notifications
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
]
