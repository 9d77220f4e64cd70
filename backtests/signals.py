"""What backtests tell the layer that sends work to the workers (backtests.tasks)."""

from django.dispatch import Signal

# A backtest was queued (backtest_id, task_id), sent once the queueing commits.
backtest_queued = Signal()
