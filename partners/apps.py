"""Partners (professionals), their regions, cities and calendars."""

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
