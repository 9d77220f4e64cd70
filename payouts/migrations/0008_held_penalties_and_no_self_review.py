# Payout runs record the penalties they held (PAF awaiting review); nobody reviews a PAF they
# marked (docs/money.md).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_console_search"),
        ("partners", "0007_payout_account"),
        ("payouts", "0007_run_lease"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="payoutrun",
            name="held_penalty_count",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Penalties held: PAF awaiting review (not deducted by this run).",
            ),
        ),
        migrations.AddField(
            model_name="payoutrun",
            name="held_penalty_total",
            field=models.DecimalField(
                decimal_places=2, default=0, help_text="Their total, not deducted.", max_digits=14
            ),
        ),
        # NOT VALID: new and changed rows must hold the rule; a self-review recorded before the
        # rule existed stays as history instead of failing the migration.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=(
                        "ALTER TABLE payouts_partneratfault ADD CONSTRAINT "
                        "paf_not_reviewed_by_marker CHECK (reviewer_id IS NULL OR "
                        "marked_by_id IS NULL OR reviewer_id <> marked_by_id) NOT VALID"
                    ),
                    reverse_sql=(
                        "ALTER TABLE payouts_partneratfault DROP CONSTRAINT "
                        "paf_not_reviewed_by_marker"
                    ),
                )
            ],
            state_operations=[
                migrations.AddConstraint(
                    model_name="partneratfault",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("reviewer__isnull", True),
                            ("marked_by__isnull", True),
                            models.Q(("reviewer", models.F("marked_by")), _negated=True),
                            _connector="OR",
                        ),
                        name="paf_not_reviewed_by_marker",
                    ),
                )
            ],
        ),
    ]
