from django.urls import path

from surveys.api import views

# Mounted under api/t/<slug:tenant_slug>/ by config/urls.py.
urlpatterns = [
    path("surveys/<int:survey_id>/batches/", views.BatchCreateView.as_view(), name="survey-batch-create"),
    path("surveys/batches/<int:batch_id>/sheets/", views.SheetCreateView.as_view(), name="survey-sheet-create"),
]
