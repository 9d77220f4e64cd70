"""Every role may read a booking's transitions (they are shown on the booking page)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("agent", "partner support", "finance", "supervisor")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("cases")
    was = getattr(app_config, "models_module", None)
    app_config.models_module = was or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = was
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="cases", codename="view_bookingevent")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(view)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_booking_events"), ("cases", "0003_role_groups")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
