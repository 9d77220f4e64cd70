"""The first calendar version of each region: India works Monday to Saturday, Egypt Sunday to
Thursday, 09:00 to 18:00 local time; public holidays come from the holidays package."""

from datetime import UTC, datetime, time

from django.db import migrations

HOURS = {"IN": (time(9), time(18)), "EG": (time(9), time(18))}
SINCE = datetime(2020, 1, 1, tzinfo=UTC)


def seed(apps, schema_editor):
    Region = apps.get_model("partners", "Region")
    RegionCalendar = apps.get_model("partners", "RegionCalendar")
    for region in Region.objects.all():
        opens, closes = HOURS.get(region.country, (time(9), time(18)))
        RegionCalendar.objects.get_or_create(
            region=region,
            effective_from=SINCE,
            defaults={
                "weekend_days": list(region.weekend_days),
                "opens": opens,
                "closes": closes,
                "note": "First version: the region's working week, 09:00-18:00.",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_region_calendars"), ("partners", "0002_seed_regions")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
