"""Who may see and add working-calendar versions and closures: every role sees them, a
supervisor adds them (the console's Region calendars and Closures)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("agent", "partner support", "finance", "supervisor")
EVERY_ROLE = ["view_regioncalendar", "view_closure"]
SUPERVISOR = ["add_regioncalendar", "add_closure"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("partners")
    was = getattr(app_config, "models_module", None)
    app_config.models_module = was or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = was
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLES):
        codenames = EVERY_ROLE + (SUPERVISOR if group.name == "supervisor" else [])
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="partners", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_seed_region_calendars"),
        ("cases", "0003_role_groups"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
