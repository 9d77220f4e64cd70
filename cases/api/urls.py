"""Routes of the cases API, included under /api/v1/ by config.api_urls."""

from rest_framework.routers import SimpleRouter

from .views import (
    BookingViewSet,
    CaseViewSet,
    CustomerViewSet,
    DispositionViewSet,
    NotificationViewSet,
)

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("bookings", BookingViewSet, basename="booking")
router.register("cases", CaseViewSet, basename="case")
router.register("dispositions", DispositionViewSet, basename="disposition")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
