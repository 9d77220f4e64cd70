"""Conversations: e-mail in (a gateway and providers' inbound webhooks) and out (through the
outbox), threaded onto cases, with the SOP's reply templates and the customer's rating."""

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = "Conversations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anymail.signals import inbound
        from django.db.models.signals import post_migrate, post_save

        from cases.admin.page import register_panel
        from cases.services.transitions import after_move

        from .console import case_page_panel
        from .seeds import ensure_seed_templates
        from .selectors import forget_templates
        from .services.csat import queue_survey, wants_survey
        from .signals import on_inbound

        register_panel(case_page_panel)
        after_move(wants_survey, queue_survey)
        post_migrate.connect(ensure_seed_templates, sender=self)
        inbound.connect(on_inbound, dispatch_uid="conversations.on_inbound")
        post_save.connect(forget_templates, sender="conversations.ReplyTemplate")
