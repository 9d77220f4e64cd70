"""The site's URLs with the providers' inbound webhooks mounted (config.urls mounts them
only when a secret is set in the environment)."""

from django.urls import include, path

from config.urls import handler404, handler500
from config.urls import urlpatterns as site

urlpatterns = [path("anymail/", include("anymail.urls")), *site]
__all__ = ["handler404", "handler500", "urlpatterns"]
