"""Routes of the webhook API, included under /api/v1/ by config.api_urls."""

from rest_framework.routers import SimpleRouter

from .views import DeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", DeliveryViewSet, basename="webhook-delivery")

urlpatterns = router.urls
