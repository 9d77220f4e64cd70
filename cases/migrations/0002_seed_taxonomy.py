"""Load the disposition taxonomy: every tag path the SOPs use."""

from django.db import migrations


def load(apps, schema_editor):
    from cases.taxonomy import sync_taxonomy

    sync_taxonomy(apps.get_model("cases", "DispositionTag"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
