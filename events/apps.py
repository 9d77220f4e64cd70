"""The outbox as a Django app: it stores events recorded by the domain apps in the transaction
of their change, and knows no domain model (the catalogue is filled by the apps that record)."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events out"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each app declares its event types in its own `events` module (as admin modules are
        # found): importing them fills the catalogue before any schema or check reads it.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("events")
