from rest_framework.routers import SimpleRouter

from evaluation.api import views

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("units", views.UnitViewSet, basename="unit")
router.register("compute-jobs", views.ComputeJobViewSet, basename="compute-job")
router.register("unit-results", views.UnitResultViewSet, basename="unit-result")

urlpatterns = router.urls
