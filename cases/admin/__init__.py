"""The back-office console for cases and bookings: thin, every write goes through a service."""

from . import bookings, case, events, people  # noqa: F401  (registers the model admins)
