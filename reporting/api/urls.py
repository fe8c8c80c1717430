from rest_framework.routers import SimpleRouter

from reporting.api import views

# Mounted under api/t/<slug:tenant_slug>/ by config/urls.py.
router = SimpleRouter()
router.register("result-revisions", views.ResultRevisionViewSet, basename="result-revision")

urlpatterns = router.urls
