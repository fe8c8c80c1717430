from django.urls import path

from inspections.api import views

# Mounted under api/t/<slug:tenant_slug>/ by config/urls.py.
urlpatterns = [
    path("inspections/visits/", views.VisitsView.as_view(), name="inspection-visits"),
    path("inspections/visits/<uuid:key>/photos/", views.VisitPhotosView.as_view(), name="inspection-visit-photos"),
]
