"""What payouts tell the layer that sends work to the workers (payouts.tasks)."""

from django.dispatch import Signal

# A run was given to a new computation (run_id, task_id): sent once the queueing commits;
# payouts.tasks sends the computation to a worker under that task id.
run_queued = Signal()
