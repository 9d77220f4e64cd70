from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console"

    def ready(self) -> None:
        from cases.admin.page import register_panel

        from . import middleware  # noqa: F401  (its sign-in receiver puts the zone in the session)
        from .case_panels import case_page_panel

        register_panel(case_page_panel)
