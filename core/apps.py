"""The kernel as a Django app: no models and nothing registered; the apps above build on it."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Casework kernel"
