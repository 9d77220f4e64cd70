"""SweepStatus, moved here from the cases app: the table cases_sweepstatus exists already
(cases 0011), so only the migration state is created."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("cases", "0018_sweep_status_moves_to_sweeps")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SweepStatus",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=64, unique=True)),
                        ("last_started_at", models.DateTimeField(blank=True, null=True)),
                        ("last_finished_at", models.DateTimeField(blank=True, null=True)),
                        ("last_processed", models.PositiveIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("runs", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name_plural": "sweep statuses",
                        "db_table": "cases_sweepstatus",
                        "ordering": ["name"],
                    },
                )
            ],
            database_operations=[],
        )
    ]
