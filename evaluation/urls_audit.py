"""The audit trail's pages, mounted under t/<slug:tenant_slug>/audit/ by evaluation/urls.py."""

from django.urls import path

from evaluation import views_audit

urlpatterns = [
    path("", views_audit.audit_list, name="audit"),
    path("export.xlsx", views_audit.audit_export_xlsx, name="audit_export_xlsx"),
    path("export.csv", views_audit.audit_export_csv, name="audit_export_csv"),
]
