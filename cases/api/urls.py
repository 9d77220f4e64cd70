"""Routes of the cases API, registered on the v1 router by config.api_urls."""

from .views import BookingViewSet, CaseViewSet, CustomerViewSet, DispositionViewSet

routes = [
    ("customers", CustomerViewSet, "customer"),
    ("bookings", BookingViewSet, "booking"),
    ("cases", CaseViewSet, "case"),
    ("dispositions", DispositionViewSet, "disposition"),
]
