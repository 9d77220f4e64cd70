from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console"

    def ready(self) -> None:
        from cases.admin.page import register_panel

        from .case_panels import case_page_panel

        register_panel(case_page_panel)
