"""Routes of the messages API, included under /api/v1/ by config.api_urls."""

from django.urls import path

from .views import CaseMessageViewSet

messages = CaseMessageViewSet.as_view({"get": "list", "post": "create"})

urlpatterns = [
    path("cases/<int:case_id>/messages/", messages, name="case-messages"),
]
