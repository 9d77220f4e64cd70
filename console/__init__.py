"""The back-office console as a workday: each role's home page, its menu, dashboards. It
reads through the apps' models and selectors and sits above them (config mounts it)."""
