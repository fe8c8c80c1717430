from rest_framework.routers import SimpleRouter

from evaluation.api import views
from evaluation.api.audit import AuditEventViewSet

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("units", views.UnitViewSet, basename="unit")
router.register("compute-jobs", views.ComputeJobViewSet, basename="compute-job")
router.register("unit-results", views.UnitResultViewSet, basename="unit-result")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = router.urls
