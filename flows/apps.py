"""The SOP-flow engine as a Django app."""

from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = "SOP flows"
