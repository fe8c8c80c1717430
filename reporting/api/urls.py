# Mounted under api/t/<slug:tenant_slug>/ by config/urls.py.
urlpatterns: list = []
