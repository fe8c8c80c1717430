app_name = "reporting"

# Mounted under t/<slug:tenant_slug>/reporting/ by config/urls.py.
urlpatterns: list = []
