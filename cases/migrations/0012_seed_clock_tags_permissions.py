"""The tags the clock sweeps open complaint tickets with, and who may view what the clocks
leave behind (every role sees a case's clocks and firings; supervisors see the sweeps)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("agent", "partner support", "finance", "supervisor")
EVERY_ROLE = ["view_caseclock", "view_clockfiring"]
SUPERVISOR = ["view_sweepstatus"]


def seed(apps, schema_editor):
    from cases.taxonomy import sync_taxonomy

    sync_taxonomy(apps.get_model("cases", "DispositionTag"))
    app_config = apps.get_app_config("cases")
    was = getattr(app_config, "models_module", None)
    app_config.models_module = was or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = was
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLES):
        codenames = EVERY_ROLE + (SUPERVISOR if group.name == "supervisor" else [])
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_clocks"), ("cases", "0008_seed_teams_tags_task_permissions")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
