"""Routes of the backtests API, included under /api/v1/ by config.api_urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import BacktestViewSet

router = SimpleRouter()
router.register("backtests", BacktestViewSet, basename="backtest")

urlpatterns = [
    path(
        "backtests/<int:pk>/changed.csv",
        BacktestViewSet.as_view({"get": "changed"}),
        name="backtest-changed-csv",
    ),
    *router.urls,
]
