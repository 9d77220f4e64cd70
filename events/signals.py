"""What the outbox tells the apps above it (it knows no user model's notifications): a
delivery that used every attempt, an endpoint disabled. The console connects receivers that
notify the endpoint's owners."""

from django.dispatch import Signal

delivery_failed = Signal()  # delivery=
endpoint_disabled = Signal()  # endpoint=, reason=
