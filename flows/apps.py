"""The SOP-flow engine as a Django app."""

from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = "SOP flows"

    def ready(self) -> None:
        from cases.admin.page import register_panel

        from .case_panel import case_page_panel

        register_panel(case_page_panel)
