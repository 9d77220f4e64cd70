"""Add the tag paths the SOP decision flows record (cases.taxonomy, additive)."""

from django.db import migrations


def load(apps, schema_editor):
    from cases.taxonomy import sync_taxonomy

    sync_taxonomy(apps.get_model("cases", "DispositionTag"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_role_groups")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
