"""Versioned SOP parameters and the pure decision functions that use them."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PoliciesConfig(AppConfig):
    name = "policies"

    def ready(self) -> None:
        from .models import PolicyVersion
        from .selectors import clear_policy_cache

        def changed(**kwargs) -> None:
            clear_policy_cache()

        post_save.connect(changed, sender=PolicyVersion, weak=False)
        post_delete.connect(changed, sender=PolicyVersion, weak=False)
