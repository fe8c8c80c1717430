from rest_framework.routers import SimpleRouter

from evaluation.api import views

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("units", views.UnitViewSet, basename="unit")

urlpatterns = router.urls
