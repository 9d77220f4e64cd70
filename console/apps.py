from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console"

    def ready(self) -> None:
        from cases.admin.page import register_panel
        from events import signals

        from . import (
            middleware,  # noqa: F401  (its sign-in receiver puts the zone in the session)
            webhook_notices,
        )
        from .case_panels import case_page_panel

        signals.delivery_failed.connect(webhook_notices.on_delivery_failed)
        signals.endpoint_disabled.connect(webhook_notices.on_endpoint_disabled)

        register_panel(case_page_panel)
