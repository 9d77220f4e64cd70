"""The kernel as a Django app: no models; after every migrate it syncs the role groups'
console permissions to the role matrix (core.access); every console list gets the CSV export
(core.admin.export) as a site-wide action."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync(sender, **kwargs) -> None:
    from .access import sync_role_permissions

    sync_role_permissions()


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Casework kernel"

    def ready(self) -> None:
        from django.contrib import admin

        from . import lookups  # noqa: F401  (registers field__contains_ci)
        from .admin.export import EXPORT_ACTION, export_csv
        from .api import checks  # noqa: F401  (every API operation names a matrix permission)

        admin.site.add_action(export_csv, EXPORT_ACTION)

        from .admin import theme

        theme.install()  # the theme's per-row header rebuild, done once per list

        post_migrate.connect(_sync, dispatch_uid="core.sync_role_permissions")
