"""Seed the two regions we operate in and their cities (the OOS SOP's eight metros included)."""

from django.db import migrations

INDIA_METROS = [
    "Delhi",
    "Mumbai",
    "Hyderabad",
    "Bangalore",
    "Ahmedabad",
    "Pune",
    "Kolkata",
    "Chennai",
]
INDIA_OTHERS = ["Jaipur", "Lucknow", "Chandigarh", "Indore", "Nagpur", "Kochi", "Surat", "Bhopal"]
EGYPT = ["Cairo", "Alex", "Sahel"]


def seed(apps, schema_editor):
    Region = apps.get_model("partners", "Region")
    City = apps.get_model("partners", "City")
    india, _ = Region.objects.get_or_create(
        country="IN",
        defaults={
            "name": "India",
            "currency": "INR",
            "timezone": "Asia/Kolkata",
            "weekend_days": [6],
        },
    )
    egypt, _ = Region.objects.get_or_create(
        country="EG",
        defaults={
            "name": "Egypt",
            "currency": "EGP",
            "timezone": "Africa/Cairo",
            "weekend_days": [4, 5],
        },
    )
    for name in INDIA_METROS:
        City.objects.get_or_create(region=india, name=name, defaults={"is_metro": True})
    for name in INDIA_OTHERS:
        City.objects.get_or_create(region=india, name=name, defaults={"is_metro": False})
    for name in EGYPT:
        City.objects.get_or_create(region=egypt, name=name, defaults={"is_metro": False})


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
