"""Routes of the partners API, registered on the v1 router by config.api_urls."""

from .views import PartnerViewSet

routes = [
    ("partners", PartnerViewSet, "partner"),
]
