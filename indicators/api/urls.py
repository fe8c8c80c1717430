from django.urls import path

from indicators.api import views

# Mounted under api/t/<slug:tenant_slug>/ by config/urls.py.
urlpatterns = [
    path("campaigns/<int:campaign_id>/scheme/", views.SchemeDocumentView.as_view(), name="scheme-document"),
    path("scheme-import/", views.SchemeImportView.as_view(), name="scheme-import"),
    path("scheme-templates/", views.TemplateListView.as_view(), name="scheme-templates"),
    path("scheme-templates/<slug:template_key>/", views.CampaignFromTemplateView.as_view(), name="scheme-template"),
]
