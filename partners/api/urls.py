"""Routes of the partners API, included under /api/v1/ by config.api_urls."""

from rest_framework.routers import SimpleRouter

from .views import CalendarSlotViewSet, PartnerViewSet

router = SimpleRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("calendar-slots", CalendarSlotViewSet, basename="calendar-slot")

urlpatterns = router.urls
