app_name = "surveys"

# Mounted under t/<slug:tenant_slug>/surveys/ by config/urls.py.
urlpatterns: list = []
