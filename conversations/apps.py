"""Conversations: e-mail in (a gateway and providers' inbound webhooks) and out (through the
outbox), threaded onto cases, with the SOP's reply templates and the customer's rating."""

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = "Conversations"
    default_auto_field = "django.db.models.BigAutoField"
