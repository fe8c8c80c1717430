from rest_framework.routers import SimpleRouter

from evaluation.api import year

router = SimpleRouter()
router.register("ledger-entries", year.LedgerEntryViewSet, basename="ledger-entry")
router.register("notifications", year.NotificationViewSet, basename="notification")

urlpatterns = router.urls
