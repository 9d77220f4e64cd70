"""Routes of the cases API (filled in by the API module)."""

urlpatterns: list = []
