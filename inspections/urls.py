app_name = "inspections"

# Mounted under t/<slug:tenant_slug>/inspections/ by config/urls.py.
urlpatterns: list = []
