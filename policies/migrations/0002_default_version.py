"""Activate the SOP defaults as the first policy version, in force from 2020-01-01."""

from datetime import UTC, datetime

from django.db import migrations


def create(apps, schema_editor):
    from policies.parameters import DEFAULT_POLICY

    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    PolicyVersion.objects.get_or_create(
        version=DEFAULT_POLICY.version,
        defaults={
            "parameters": DEFAULT_POLICY.params.to_dict(),
            "effective_from": datetime(2020, 1, 1, tzinfo=UTC),
            "status": "active",
            "activated_at": datetime(2020, 1, 1, tzinfo=UTC),
            "change_note": "The values of the five SOPs as written.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
