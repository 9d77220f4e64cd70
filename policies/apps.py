"""Versioned SOP parameters and the pure decision functions that use them."""

from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
