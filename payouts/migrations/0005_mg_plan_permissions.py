"""Every role may read MG plan exclusions (they are shown on the partner page)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("agent", "partner support", "finance", "supervisor")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("payouts")
    had = getattr(app_config, "models_module", None)
    app_config.models_module = had or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = had
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(
        content_type__app_label="payouts", codename="view_mgplanexclusion"
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(view)


class Migration(migrations.Migration):
    dependencies = [("payouts", "0004_mg_plan_exclusions"), ("payouts", "0002_role_permissions")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
