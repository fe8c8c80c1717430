from django.urls import path

from indicators import views

app_name = "indicators"

C = "campaigns/<int:campaign_id>/"
K = C + "categories/<int:category_id>/"

# Mounted under t/<slug:tenant_slug>/scheme/ by config/urls.py.
urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("new/template/", views.campaign_new_from_template, name="campaign_new_from_template"),
    path("new/clone/", views.campaign_new_from_clone, name="campaign_new_from_clone"),
    path("new/import/", views.campaign_import, name="campaign_import"),
    path("templates/", views.templates, name="templates"),
    path(C, views.campaign_detail, name="campaign_detail"),
    path(C + "edit/", views.campaign_update, name="campaign_update"),
    path(C + "phases/", views.phases_update, name="phases_update"),
    path(C + "categories/new/", views.category_add, name="category_add"),
    path(C + "units/enrol/", views.enrolment_update, name="enrolment_update"),
    path(C + "units/new/", views.unit_add, name="unit_add"),
    path(C + "export.xlsx", views.export_xlsx, name="export_xlsx"),
    path(C + "export.json", views.export_json, name="export_json"),
    path(K, views.tree, name="tree"),
    path(K + "nodes/new/", views.node_new, name="node_new"),
    path(K + "nodes/create/", views.node_save, name="node_create"),
    path(K + "nodes/preview/", views.rule_preview, name="rule_preview"),
    path(K + "nodes/<int:node_id>/", views.node_edit, name="node_edit"),
    path(K + "nodes/<int:node_id>/save/", views.node_save, name="node_update"),
    path(K + "nodes/<int:node_id>/move/", views.node_move_view, name="node_move"),
    path(K + "nodes/<int:node_id>/delete/", views.node_delete_view, name="node_delete"),
    path(K + "rules/", views.rules, name="rules"),
    path(K + "rules/save/", views.rules_save, name="rules_save"),
    path(K + "rules/preview/", views.rules_preview, name="rules_preview"),
]
