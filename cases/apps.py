"""Customers, bookings and the cases support staff work."""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
