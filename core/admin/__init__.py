"""The console's shared pieces: bulk decisions with a confirmation page, read-only and
service-created admins, capped counts, error messages, the CSV export of every list. No
models are registered here."""
