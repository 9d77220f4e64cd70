"""Routes of the messages API, included under /api/v1/ by config.api_urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import CaseMessageViewSet, ReplyTemplateViewSet

messages = CaseMessageViewSet.as_view({"get": "list", "post": "create"})
preview = CaseMessageViewSet.as_view({"get": "preview"})

router = SimpleRouter()
router.register("reply-templates", ReplyTemplateViewSet, basename="reply-template")

urlpatterns = [
    path("cases/<int:case_id>/messages/", messages, name="case-messages"),
    path("cases/<int:case_id>/messages/preview/", preview, name="case-message-preview"),
    *router.urls,
]
