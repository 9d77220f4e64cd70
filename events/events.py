"""The outbox's own event type: the test event an administrator sends to one endpoint (the
console's and the API's "Send test event"), so a receiver can be checked before real events
reach it."""

from events.catalogue import declare

WEBHOOK_TEST = declare(
    "webhook.test",
    summary="A test event sent to one endpoint by an administrator; it reports no change.",
    subject="webhook_endpoint",
    example={"endpoint_id": 3, "sent_by": "admin", "note": "Sent from the console."},
)
