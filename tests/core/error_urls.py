"""The project's URLs plus two views that fail on purpose, to test the 500 contract."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from config.urls import handler404, handler500
from config.urls import urlpatterns as project

__all__ = ["handler404", "handler500", "urlpatterns"]


@api_view(["GET"])
@permission_classes([AllowAny])
def api_boom(request):
    raise RuntimeError("a bug in an API view")


def plain_boom(request):
    raise RuntimeError("a bug outside DRF")


urlpatterns = [
    path("api/v1/test-boom/", api_boom),
    path("api/v1/test-plain-boom/", plain_boom),
    path("test-console-boom/", plain_boom),
    *project,
]
