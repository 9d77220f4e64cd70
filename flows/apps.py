"""The SOP-flow engine as a Django app."""

from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = "SOP flows"

    def ready(self) -> None:
        from cases.admin.page import register_panel
        from cases.timeline import register_flow_titles

        from .case_panel import case_page_panel, flow_title

        register_panel(case_page_panel)
        register_flow_titles(flow_title)
