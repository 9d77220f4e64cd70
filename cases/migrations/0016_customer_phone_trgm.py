"""Customer search by a fragment of the phone's digits: a trigram index on the phone."""

import django.contrib.postgres.indexes
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_console_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["phone"], name="customer_phone_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
