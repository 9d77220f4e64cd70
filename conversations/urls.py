"""Console routes of conversations (included by config.urls under the case's URL)."""

from django.contrib import admin

from .console import app_name, urls

urlpatterns = urls(admin.site)
__all__ = ["app_name", "urlpatterns"]
