from django.apps import AppConfig


class BacktestsConfig(AppConfig):
    name = "backtests"
    verbose_name = "Policy backtests"
    default_auto_field = "django.db.models.BigAutoField"
