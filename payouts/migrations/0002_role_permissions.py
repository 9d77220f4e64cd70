"""Grant the role groups their payouts permissions (the groups come from cases 0003)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "partneratfault",
    "penalty",
    "ledgerentry",
    "reversalrequest",
    "refund",
    "payoutrun",
    "payoutrunentry",
    "payoutline",
]
ROLES = {
    "finance": [f"view_{m}" for m in MODELS]
    + ["change_reversalrequest", "change_refund", "add_payoutrun", "change_payoutrun"],
    "partner support": [
        "add_reversalrequest",
        "view_reversalrequest",
        "view_partneratfault",
        "view_penalty",
    ],
    "supervisor": [f"{verb}_{m}" for m in MODELS for verb in ("add", "change", "delete", "view")],
    "agent": ["view_partneratfault", "view_penalty", "view_refund", "add_refund"],
}


def grant(apps, schema_editor):
    """Idempotent; also run by tests/payouts/conftest.py when a reused test db was flushed."""
    app_config = apps.get_app_config("payouts")
    # Historical app configs lack models_module, which create_permissions checks for.
    had = getattr(app_config, "models_module", None)
    app_config.models_module = had or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = had
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="payouts", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="payouts"))


class Migration(migrations.Migration):
    dependencies = [
        ("payouts", "0001_initial"),
        ("cases", "0003_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
