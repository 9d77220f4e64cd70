"""Supervisors see failed sign-ins and unlock an account (delete its access attempts, in the
console's Axes pages); nobody else does."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPERVISOR = ["view_accessattempt", "delete_accessattempt", "view_accesslog"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("axes")
    was = getattr(app_config, "models_module", None)
    app_config.models_module = was or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = was
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="supervisor"):
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="axes", codename__in=SUPERVISOR)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_sla_queue_indexes"),
        ("cases", "0003_role_groups"),
        ("axes", "0010_accessattemptexpiration"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
