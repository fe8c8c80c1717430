from django.urls import path

from evaluation import views

app_name = "evaluation"

# Mounted under t/<slug:tenant_slug>/ by config/urls.py.
urlpatterns = [
    path("", views.tenant_home, name="tenant_home"),
    path("people/", views.members, name="members"),
]
