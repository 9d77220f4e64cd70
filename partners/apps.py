"""Partners (professionals), their regions, cities and calendars."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PartnersConfig(AppConfig):
    name = "partners"

    def ready(self) -> None:
        from .models import Closure, RegionCalendar
        from .selectors import clear_calendar_cache

        def clear(**kwargs) -> None:
            clear_calendar_cache()

        for model in (RegionCalendar, Closure):
            post_save.connect(clear, sender=model, weak=False)
            post_delete.connect(clear, sender=model, weak=False)
