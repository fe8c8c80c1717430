from django.urls import include, path

from evaluation import views

app_name = "evaluation"

# Mounted under t/<slug:tenant_slug>/ by config/urls.py.
urlpatterns = [
    path("", views.tenant_home, name="tenant_home"),
    path("people/", views.members, name="members"),
    path("audit/", include("evaluation.urls_audit")),
    path("campaigns/<int:campaign_id>/results/", views.campaign_results, name="campaign_results"),
    path("campaigns/<int:campaign_id>/results/compute/", views.compute_start, name="compute_start"),
    path("campaigns/<int:campaign_id>/jobs/<int:job_id>/", views.job_status, name="job_status"),
    path(
        "campaigns/<int:campaign_id>/units/<int:unit_id>/result/",
        views.unit_result,
        name="unit_result",
    ),
]
