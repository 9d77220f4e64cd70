"""The console's shared pieces: bulk decisions with a confirmation page, read-only and
service-created admins, capped counts, error messages. No models are registered here."""
