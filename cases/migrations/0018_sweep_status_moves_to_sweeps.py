"""SweepStatus moves to the sweeps app: its table stays where it is (the model keeps the
table's name); only the migration state moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_due_at_is_a_promise")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SweepStatus")],
            database_operations=[],
        )
    ]
