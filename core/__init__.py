"""The kernel: no domain models. Errors, roles and role sets, the API and admin base, CSV,
upsert by external id, row locks: what every app shares, owned in one place."""
