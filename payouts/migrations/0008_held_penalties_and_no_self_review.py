# Payout runs record the penalties they held (PAF awaiting review); nobody reviews a PAF they
# marked (docs/money.md).

import django_fsm
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
                help_text="Not deducted by this run: their PAF awaits review (or is not genuine, "
                "or a reversal request for it is open).",
                verbose_name="penalties held: PAF awaiting review",
            ),
        ),
        migrations.AddField(
            model_name="payoutrun",
            name="held_penalty_total",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                help_text="Not deducted by this run.",
                max_digits=14,
                verbose_name="held penalties' total",
            ),
        ),
        # A pending penalty is no longer "due in the next run": it may be held.
        migrations.AlterField(
            model_name="penalty",
            name="state",
            field=django_fsm.FSMField(
                choices=[
                    ("pending", "Pending (no run has taken it yet)"),
                    ("scheduled", "Scheduled (deduction entry written)"),
                    ("deducted", "Deducted (run paid)"),
                    ("reversed", "Reversed"),
                    ("waived", "Waived"),
                ],
                default="pending",
                max_length=50,
                protected=True,
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
