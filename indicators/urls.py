app_name = "indicators"

# Mounted under t/<slug:tenant_slug>/indicators/ by config/urls.py.
urlpatterns: list = []
