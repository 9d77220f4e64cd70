"""The role matrix walked: every back-office role over every console page and every API
operation, each answer compared with what core.access grants the role.

The API table below names, for every operation of the schema, the matrix permission it
needs; a new operation fails the walk until it is named here. A role without the permission
gets a 403 (before anything is read from the body); a role with it never gets a 403 (an
empty body is answered 400, a wrong state 409, and so on) and never a server error.
"""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from backtests.models import Backtest
from cases.models import Notification, Task
from conversations.models import ReplyTemplate
from core.access import MATRIX, may
from demo.loader import load_demo
from events.models import Delivery, OutboxEvent, WebhookEndpoint
from payouts.models import (
    PartnerAtFault,
    PayoutRun,
    Penalty,
    Refund,
    ReversalRequest,
)
from tests.factories import CalendarSlotFactory, UserFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

ROLES = ["agent", "partner support", "finance", "supervisor"]

# (method, path) -> the matrix permission the operation needs.
API: dict[tuple[str, str], str] = {
    ("get", "/api/v1/backtests/"): "backtests.view_backtest",
    ("get", "/api/v1/backtests/what-if/"): "backtests.view_backtest",
    ("post", "/api/v1/backtests/"): "backtests.run_backtest",
    ("get", "/api/v1/backtests/{id}/"): "backtests.view_backtest",
    ("post", "/api/v1/backtests/{id}/cancel/"): "backtests.run_backtest",
    ("get", "/api/v1/backtests/{id}/changed.csv"): "backtests.view_backtest",
    ("get", "/api/v1/bookings/"): "cases.view_booking",
    ("post", "/api/v1/bookings/"): "cases.push_records",
    ("post", "/api/v1/bookings/{booking_id}/revisits/"): "cases.work_case",
    ("get", "/api/v1/bookings/{id}/"): "cases.view_booking",
    ("get", "/api/v1/bookings/{id}/allocation-candidates/"): "cases.view_booking",
    ("post", "/api/v1/bookings/{id}/transitions/{name}/"): "cases.push_records",
    ("get", "/api/v1/calendar-slots/"): "partners.view_calendarslot",
    ("post", "/api/v1/calendar-slots/"): "partners.edit_calendar",
    ("get", "/api/v1/calendar-slots/{id}/"): "partners.view_calendarslot",
    ("delete", "/api/v1/calendar-slots/{id}/"): "partners.edit_calendar",
    ("get", "/api/v1/cases/"): "cases.view_case",
    ("post", "/api/v1/cases/"): "cases.work_case",
    ("post", "/api/v1/cases/{case_id}/call-attempts/"): "cases.work_case",
    ("get", "/api/v1/cases/{case_id}/decisions/"): "cases.view_case",
    ("get", "/api/v1/cases/{case_id}/flows/"): "cases.view_case",
    ("post", "/api/v1/cases/{case_id}/flows/{flow}/"): "cases.work_case",
    ("get", "/api/v1/cases/{id}/"): "cases.view_case",
    ("patch", "/api/v1/cases/{id}/"): "cases.work_case",
    ("post", "/api/v1/cases/{id}/notes/"): "cases.work_case",
    ("get", "/api/v1/cases/{case_id}/messages/"): "cases.view_case",
    ("post", "/api/v1/cases/{case_id}/messages/"): "cases.work_case",
    ("get", "/api/v1/cases/{case_id}/messages/preview/"): "cases.work_case",
    ("get", "/api/v1/reply-templates/"): "conversations.view_replytemplate",
    ("get", "/api/v1/reply-templates/{id}/"): "conversations.view_replytemplate",
    ("post", "/api/v1/cases/{id}/transitions/{name}/"): "cases.work_case",
    ("get", "/api/v1/customers/"): "cases.view_customer",
    ("post", "/api/v1/customers/"): "cases.push_records",
    ("get", "/api/v1/customers/{id}/"): "cases.view_customer",
    ("get", "/api/v1/dispositions/"): "cases.view_dispositiontag",
    ("get", "/api/v1/notifications/"): "cases.view_notification",
    ("post", "/api/v1/notifications/{id}/read/"): "cases.change_notification",
    ("post", "/api/v1/oos-tickets/"): "payouts.log_reversal",
    ("get", "/api/v1/pafs/"): "payouts.view_partneratfault",
    ("post", "/api/v1/pafs/"): "payouts.mark_paf",
    ("get", "/api/v1/pafs/{id}/"): "payouts.view_partneratfault",
    ("post", "/api/v1/pafs/{id}/review/"): "payouts.review_paf",
    ("get", "/api/v1/partners/"): "partners.view_partner",
    ("post", "/api/v1/partners/"): "cases.push_records",
    ("get", "/api/v1/partners/{partner_id}/ledger/"): "payouts.view_ledgerentry",
    ("get", "/api/v1/partners/{partner_id}/mg-plan/"): "payouts.view_mgplanexclusion",
    ("get", "/api/v1/partners/{id}/"): "partners.view_partner",
    ("get", "/api/v1/payout-runs/"): "payouts.view_payoutrun",
    ("post", "/api/v1/payout-runs/"): "payouts.operate_run",
    ("get", "/api/v1/payout-runs/{id}/"): "payouts.view_payoutrun",
    ("post", "/api/v1/payout-runs/{id}/approve/"): "payouts.approve_run",
    ("post", "/api/v1/payout-runs/{id}/compute/"): "payouts.operate_run",
    ("get", "/api/v1/payout-runs/{id}/export.csv"): "payouts.operate_run",
    ("get", "/api/v1/payout-runs/{id}/lines/"): "payouts.view_payoutline",
    ("post", "/api/v1/payout-runs/{id}/mark-paid/"): "payouts.approve_run",
    ("get", "/api/v1/penalties/"): "payouts.view_penalty",
    ("get", "/api/v1/penalties/{id}/"): "payouts.view_penalty",
    ("post", "/api/v1/penalties/{id}/waive/"): "payouts.waive_penalty",
    ("get", "/api/v1/refunds/"): "payouts.view_refund",
    ("post", "/api/v1/refunds/"): "payouts.request_refund",
    ("get", "/api/v1/refunds/{id}/"): "payouts.view_refund",
    ("post", "/api/v1/refunds/{id}/approve/"): "payouts.decide_refund",
    ("post", "/api/v1/refunds/{id}/mark-failed/"): "payouts.decide_refund",
    ("post", "/api/v1/refunds/{id}/mark-paid/"): "payouts.decide_refund",
    ("post", "/api/v1/refunds/{id}/reject/"): "payouts.decide_refund",
    ("get", "/api/v1/reversal-requests/"): "payouts.view_reversalrequest",
    ("post", "/api/v1/reversal-requests/"): "payouts.log_reversal",
    ("get", "/api/v1/reversal-requests/{id}/"): "payouts.view_reversalrequest",
    ("post", "/api/v1/reversal-requests/{id}/approve/"): "payouts.decide_reversal",
    ("post", "/api/v1/reversal-requests/{id}/reject/"): "payouts.decide_reversal",
    ("post", "/api/v1/reversal-requests/{id}/start-review/"): "payouts.decide_reversal",
    ("get", "/api/v1/tasks/"): "cases.view_task",
    ("get", "/api/v1/tasks/{id}/"): "cases.view_task",
    ("post", "/api/v1/tasks/{id}/close/"): "cases.change_task",
    ("post", "/api/v1/tasks/{id}/reassign/"): "cases.reassign_task",
    ("get", "/api/v1/webhook-deliveries/"): "events.view_delivery",
    ("get", "/api/v1/webhook-deliveries/{id}/"): "events.view_delivery",
    ("post", "/api/v1/webhook-deliveries/{id}/retry/"): "events.manage_webhooks",
    ("get", "/api/v1/webhook-endpoints/"): "events.view_webhookendpoint",
    ("post", "/api/v1/webhook-endpoints/"): "events.manage_webhooks",
    ("get", "/api/v1/webhook-endpoints/{id}/"): "events.view_webhookendpoint",
    ("patch", "/api/v1/webhook-endpoints/{id}/"): "events.manage_webhooks",
    ("post", "/api/v1/webhook-endpoints/{id}/redeliver-failed/"): "events.manage_webhooks",
    ("post", "/api/v1/webhook-endpoints/{id}/rotate-secret/"): "events.manage_webhooks",
    ("post", "/api/v1/webhook-endpoints/{id}/send-test/"): "events.manage_webhooks",
}
OPEN = {("post", "/api/v1/auth/token/")}  # anyone may ask for a token


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_the_table_names_every_operation_of_the_schema():
    assert schema_operations() - OPEN == set(API)


ADMINISTRATORS_ONLY = {"events.manage_webhooks"}  # granted to no role: superusers only


def test_every_permission_the_table_names_is_in_the_matrix():
    granted = set().union(*MATRIX.values())
    assert {permission for permission in API.values()} - ADMINISTRATORS_ONLY <= granted
    assert not ADMINISTRATORS_ONLY & granted


@pytest.fixture
def world(db):
    """The demo world: a row of every kind for the paths' ids."""
    load_demo(history_days=0)
    booking = Refund.objects.select_related("booking").first().booking
    case = booking.cases.first() or Task.objects.exclude(case=None).first().case
    endpoint = WebhookEndpoint.objects.first()
    event = OutboxEvent.objects.create(
        type="webhook.test", subject=f"webhook_endpoint:{endpoint.pk}", payload={}
    )
    delivery = Delivery.objects.create(event=event, endpoint=endpoint, subject=event.subject)
    return {
        "booking_id": booking.pk,
        "case_id": case.pk,
        "partner_id": booking.partner_id,
        "name": "start_progress",
        "flow": "l1.status_check",
        "ids": {
            "backtests": Backtest.objects.create(
                label="walk",
                parameters={},
                period_start=timezone.now() - timedelta(days=1),
                period_end=timezone.now(),
                inputs_key="walk",
                state="done",
            ).pk,
            "bookings": booking.pk,
            "calendar-slots": CalendarSlotFactory(partner=booking.partner).pk,
            "cases": case.pk,
            "customers": booking.customer_id,
            "notifications": Notification.objects.create(
                recipient=UserFactory(username="someone"), kind="note", title="Hello"
            ).pk,
            "pafs": PartnerAtFault.objects.first().pk,
            "partners": booking.partner_id,
            "payout-runs": PayoutRun.objects.first().pk,
            "penalties": Penalty.objects.first().pk,
            "refunds": Refund.objects.first().pk,
            "reply-templates": ReplyTemplate.objects.first().pk,
            "reversal-requests": ReversalRequest.objects.first().pk,
            "tasks": Task.objects.first().pk,
            "webhook-endpoints": endpoint.pk,
            "webhook-deliveries": delivery.pk,
        },
    }


def concrete(path: str, world: dict) -> str:
    resource = path.split("/")[3]

    def fill(match: re.Match) -> str:
        name = match.group(1)
        return str(world["ids"][resource] if name == "id" else world[name])

    return re.sub(r"\{(\w+)\}", fill, path)


def walk(client: APIClient, world: dict) -> dict[tuple[str, str], int]:
    answers = {}
    for method, path in sorted(API):
        url = concrete(path, world)
        if method == "get":
            response = client.get(url)
        else:
            response = getattr(client, method)(url, {}, format="json")
        answers[method, path] = response.status_code
    return answers


def test_every_api_operation_answers_every_role_as_the_matrix_says(world):
    """One walk per role (the demo world is loaded once for all of them)."""
    wrong = {}
    for role in ROLES:
        user = UserFactory(username=f"walker-{role.replace(' ', '-')}", role=role)
        client = APIClient()
        client.force_authenticate(user)
        for operation, status in walk(client, world).items():
            allowed = may(user, API[operation])
            if status >= 500 or (status == 403) == allowed:
                wrong[role, *operation] = (status, "allowed" if allowed else "refused")
    roleless = APIClient()
    roleless.force_authenticate(UserFactory(username="walker-roleless"))
    for operation, status in walk(roleless, world).items():
        if status != 403:
            wrong["no role", *operation] = (status, "refused")
    for operation, status in walk(APIClient(), world).items():
        if status != 401:
            wrong["anonymous", *operation] = (status, "unauthenticated")
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in sorted(wrong.items(), key=str))


def console_models() -> list[str]:
    return sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry)


def test_every_console_list_answers_every_role_as_the_matrix_says(world):
    models = console_models()
    assert len(models) > 20  # the whole console is walked
    wrong = {}
    for role in [*ROLES, None]:
        name = role.replace(" ", "-") if role else "roleless"
        user = UserFactory(username=f"walker-{name}", role=role) if role else None
        user = user or UserFactory(username="walker-roleless")
        console = logged_in(user)
        for label in models:
            app, model = label.split(".")
            response = console.get(reverse(f"admin:{app}_{model}_changelist"))
            allowed = may(user, f"{app}.view_{model}") or may(user, f"{app}.change_{model}")
            if response.status_code != (200 if allowed else 403):
                wrong[role, label] = (response.status_code, "allowed" if allowed else "refused")
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in sorted(wrong.items(), key=str))


# A partner login is not in the matrix: it reads its own rows and may do only these.
PARTNER_WRITES = {
    ("post", "/api/v1/calendar-slots/"),
    ("delete", "/api/v1/calendar-slots/{id}/"),  # its own leave
    ("post", "/api/v1/oos-tickets/"),
    ("post", "/api/v1/reversal-requests/"),
    ("post", "/api/v1/notifications/{id}/read/"),
}
BACK_OFFICE_READS = {
    "backtests",
    "reply-templates",
    "payout-runs",
    "refunds",
    "tasks",
    "webhook-endpoints",
    "webhook-deliveries",
}
# Reads of the partner's own rows that would show what is not its to see: other partners
# (allocation candidates), the SOP flows and decisions (the customer's fraud score), the
# case's mail with the customer.
PARTNER_REFUSED_READS = {
    "/api/v1/bookings/{id}/allocation-candidates/",
    "/api/v1/cases/{case_id}/decisions/",
    "/api/v1/cases/{case_id}/flows/",
    "/api/v1/cases/{case_id}/messages/",
    "/api/v1/cases/{case_id}/messages/preview/",
}


def test_a_partner_login_reads_its_own_and_writes_only_its_few_operations(world):
    from partners.models import Partner

    partner = Partner.objects.get(pk=world["partner_id"])
    partner.user = UserFactory(username="walker-partner", is_staff=False)
    partner.save(update_fields=["user"])
    client = APIClient()
    client.force_authenticate(partner.user)

    wrong = {}
    for (method, path), status in walk(client, world).items():
        if method == "get":
            refused = path.split("/")[3] in BACK_OFFICE_READS or path in PARTNER_REFUSED_READS
        else:
            refused = (method, path) not in PARTNER_WRITES
        if status >= 500 or (status == 403) != refused:
            wrong[method, path] = (status, "refused" if refused else "allowed")
    assert wrong == {}
