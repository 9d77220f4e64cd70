"""Create the role groups (agent, partner support, finance, supervisor) with permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_ALL = [
    "partners.view_region",
    "partners.view_city",
    "partners.view_partner",
    "partners.view_calendarslot",
    "cases.view_customer",
    "cases.view_booking",
    "cases.view_bookingline",
    "cases.view_dispositiontag",
    "cases.view_case",
    "cases.view_caseevent",
    "policies.view_policyversion",
]
WORK_CASES = ["cases.add_case", "cases.change_case"]
ROLES = {
    "agent": VIEW_ALL + WORK_CASES,
    "partner support": VIEW_ALL + WORK_CASES + ["partners.change_partner"],
    "finance": VIEW_ALL,
    "supervisor": VIEW_ALL
    + WORK_CASES
    + [
        "cases.reopen_case",
        "cases.change_booking",
        "cases.change_customer",
        "partners.change_partner",
        "partners.add_calendarslot",
        "partners.change_calendarslot",
        "policies.add_policyversion",
        "policies.change_policyversion",
    ],
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        # Historical app configs have no models_module, which create_permissions requires.
        was = getattr(app_config, "models_module", None)
        app_config.models_module = was or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = was
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_seed_taxonomy"),
        ("partners", "0002_seed_regions"),
        ("policies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
