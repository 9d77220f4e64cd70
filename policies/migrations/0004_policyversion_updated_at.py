import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_version_allows_dots")]

    operations = [
        migrations.AddField(
            model_name="policyversion",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
