"""Seed one team-lead row per team, the tags of the cases decisions open, and the permissions
of tasks, notifications and team leads for the role groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("agent", "partner support", "finance", "supervisor")
EVERY_ROLE = ["view_task", "change_task", "view_notification", "change_notification"]
EVERY_ROLE += ["view_teamlead"]
SUPERVISOR = ["change_teamlead"]


def seed(apps, schema_editor):
    from cases.catalog import Team
    from cases.taxonomy import sync_taxonomy

    sync_taxonomy(apps.get_model("cases", "DispositionTag"))
    TeamLead = apps.get_model("cases", "TeamLead")
    for team in Team.values:
        TeamLead.objects.get_or_create(team=team)
    grant(apps, schema_editor)


def grant(apps, schema_editor):
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
    dependencies = [("cases", "0007_tasks_notifications_team_leads"), ("cases", "0003_role_groups")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
