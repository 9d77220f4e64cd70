"""CSV export on every console list: the columns and titles the list shows, as text, for the
selected rows or for all the filters match, streamed with a flat number of queries, to
whoever may view the list (and only to them)."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from unfold.templatetags.unfold_list import result_headers

from cases.models import Booking, Case, Task
from core.admin.export import EXPORT_ACTION, export_csv
from partners.models import Partner
from payouts.models import PartnerAtFault, PayoutRun, Penalty, Refund, ReversalRequest
from policies.actions import ActionKind
from tests.factories import (
    CaseFactory,
    PafFactory,
    PartnerFactory,
    PayoutRunFactory,
    RefundFactory,
    UserFactory,
)
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

ROLES = ("agent", "partner support", "finance", "supervisor")
# Registered lists with no export, and why. Anything else a user can view must offer one.
NO_EXPORT = {
    "authtoken.tokenproxy": "DRF turns actions off on its token list; the keys are secrets",
}


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def export(console, model, ids, *, query: str = "", **extra):
    return console.post(
        changelist(model) + query,
        {"action": EXPORT_ACTION, "_selected_action": [str(pk) for pk in ids], **extra},
    )


def csv_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def exported(console, model, ids, **kwargs) -> list[dict[str, str]]:
    header, *rows = csv_of(export(console, model, ids, **kwargs))
    return [dict(zip(header, row, strict=True)) for row in rows]


def column_titles(console, model) -> list[str]:
    """The titles the list page shows above its columns (after the checkbox)."""
    response = console.get(changelist(model))
    assert response.status_code == 200
    headers = result_headers(response.context["cl"])  # as the theme's template renders them
    return [
        capfirst(str(h["text"]))
        for h in headers
        if "action-checkbox-column" not in str(h.get("class_attrib", ""))
    ]


def local(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def penalty(amount: str = "100.00", **kwargs) -> Penalty:
    paf = PafFactory(**kwargs)
    return Penalty.objects.create(
        paf=paf,
        booking=paf.booking,
        partner=paf.partner,
        currency="INR",
        base_amount=Decimal("1000.00"),
        rate=Decimal("0.1"),
        amount=Decimal(amount),
        policy_version="sop-2026.1",
    )


def reversal_request(by, **kwargs) -> ReversalRequest:
    paf = PafFactory()
    return ReversalRequest.objects.create(
        kind="paf_penalty",
        paf=paf,
        partner=paf.partner,
        booking=paf.booking,
        requested_by=by,
        **kwargs,
    )


def task(**kwargs) -> Task:
    kwargs.setdefault("case", CaseFactory())
    return Task.objects.create(
        kind=ActionKind.CALL_CUSTOMER,
        title="Call the customer back",
        owner_team="customer_care",
        due_at=timezone.now() + timedelta(hours=1),
        **kwargs,
    )


def paid_run() -> PayoutRun:
    run = PayoutRunFactory()
    PayoutRun.objects.filter(pk=run.pk).update(state="paid")  # one open run per region
    return run


# --- every list -------------------------------------------------------------------------------


def test_every_list_a_user_can_view_offers_the_csv_export():
    users = [UserFactory(username=f"csv-{r.replace(' ', '-')}", role=r) for r in ROLES]
    users.append(UserFactory(username="csv-root", is_superuser=True))
    missing, offered = [], set()
    for user in users:
        for model, model_admin in admin.site._registry.items():
            request = RequestFactory().get(changelist(model))
            request.user = user
            if not model_admin.has_view_permission(request):
                continue
            label = model._meta.label_lower
            if EXPORT_ACTION in model_admin.get_actions(request):
                offered.add(label)
            elif label not in NO_EXPORT:
                missing.append((user.username, label))
    assert missing == []
    assert len(offered) == len(admin.site._registry) - len(NO_EXPORT)
    assert offered.isdisjoint(NO_EXPORT)  # an exemption that no longer holds is removed


def test_the_case_and_booking_lists_keep_their_own_richer_export(supervisor):
    request = RequestFactory().get("/")
    request.user = supervisor
    for model in (Case, Booking):
        model_admin = admin.site._registry[model]
        func = model_admin.get_actions(request)[EXPORT_ACTION][0]
        assert func is type(model_admin).export_csv and func is not export_csv
    assert [n for n, _ in admin.site.actions].count(EXPORT_ACTION) == 1


# --- what a list's export holds ---------------------------------------------------------------


def test_penalties_export_the_columns_the_list_shows_as_text(finance_console):
    chosen = penalty("250.50")
    penalty()  # not selected
    rows = exported(finance_console, Penalty, [chosen.pk])

    assert list(rows[0]) == column_titles(finance_console, Penalty)
    assert rows == [
        {
            "ID": str(chosen.pk),
            "Partner": str(chosen.partner),  # a related record by its name
            "Booking": chosen.booking.external_id,
            "Base amount": "1000.00",  # Decimal as it is, no thousands separator
            "Rate": "0.1000",
            "Amount": "250.50",
            "Currency": "Indian rupee",  # a choice by its label
            "State": "Pending (no run has taken it yet)",
            "Created at": local(chosen.created_at),  # ISO, in the current time zone
            "Policy version": "sop-2026.1",
        }
    ]


def test_refunds_export_labels_yes_no_and_people(agent_console, agent):
    refund = RefundFactory(requested_by=agent)
    Refund.objects.filter(pk=refund.pk).update(
        deduct_from_partner=True, partner=refund.booking.partner
    )
    (row,) = exported(agent_console, Refund, [refund.pk])
    assert list(row) == column_titles(agent_console, Refund)
    assert row["Reason"] == "Goodwill: partner no show"
    assert row["Deduct from partner"] == "yes"
    assert row["Requested by"] == agent.username
    assert row["Approved by"] == ""  # empty, not the page's dash
    assert row["Amount"] == "100.00"
    assert row["Requested at"] == local(refund.requested_at)


def test_reversal_requests_export_their_evidence_as_text_and_defuse_formulas(
    partner_support_console, partner_support
):
    chosen = reversal_request(
        partner_support,
        notes='=HYPERLINK("http://evil.example")',
        evidence=["https://files.example/a.jpg", "receipt.pdf"],
    )
    (row,) = exported(partner_support_console, ReversalRequest, [chosen.pk])

    assert list(row) == column_titles(partner_support_console, ReversalRequest)
    assert row["Kind"] == "PAF and penalty reversal"
    assert row["State"] == "Submitted"
    assert row["Requested by"] == partner_support.username
    # The cell's HTML as the reader sees it: lines kept, a link's address after its words,
    # and a cell a spreadsheet would run is quoted.
    assert row["Evidence"] == (
        '\'=HYPERLINK("http://evil.example")\nimage 1 (https://files.example/a.jpg)\n'
        "1 name(s) without a stored file"
    )
    assert row["Original PAF decision"] == (
        "Pending review · marked for: No show: the partner did not come"
    )
    assert "<" not in "".join(row.values())


def test_payout_runs_export_their_titles_and_totals(finance_console, finance_user):
    run = PayoutRunFactory(computed_by=finance_user)
    (row,) = exported(finance_console, PayoutRun, [run.pk])
    assert list(row) == column_titles(finance_console, PayoutRun)
    assert row == {
        "Run": run.title,
        "State": "Not computed yet",
        "Partners in the run": "0",
        "Total net": "0.00 INR",
        "Computed by": finance_user.username,
        "Approved by": "",
    }


def test_partners_export_never_holds_their_payout_account(agent_console):
    partner = PartnerFactory(
        payout_account_holder="R Sharma",
        payout_account_number="123456789012",
        payout_ifsc="HDFC0001234",
    )
    (row,) = exported(agent_console, Partner, [partner.pk])
    assert list(row) == column_titles(agent_console, Partner)
    assert row["External id"] == partner.external_id
    assert row["Phone"] == partner.phone  # +91… is a phone, not a formula
    assert row["Categories"] == "appliances"
    assert row["RWM"] == "no" and row["Is active"] == "yes"
    assert row["Rating"] == "4.50"
    body = ",".join(row.values())
    assert "123456789012" not in body and "HDFC0001234" not in body


def test_tasks_export_their_case_team_and_due_time(agent_console):
    chosen = task()
    (row,) = exported(agent_console, Task, [chosen.pk])
    assert list(row) == column_titles(agent_console, Task)
    assert row["Title"] == "Call the customer back"
    assert row["Case"] == str(chosen.case)
    assert row["Owner team"] == chosen.get_owner_team_display()
    assert row["Due at"] == local(chosen.due_at)
    # The list marks late tasks only (no red cross on the others); the file says the same.
    assert row["State"] == "Open" and row["Overdue"] == "" and row["Kind"] == "Call the customer"
    Task.objects.filter(pk=chosen.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    (late,) = exported(agent_console, Task, [chosen.pk])
    assert late["Overdue"] == "overdue"


# --- all rows the filters match, streamed -----------------------------------------------------


def test_select_all_exports_every_row_the_filters_match(finance_console):
    pending = [penalty() for _ in range(3)]
    waived = penalty()
    Penalty.objects.filter(pk=waived.pk).update(state="waived")
    rows = exported(
        finance_console,
        Penalty,
        [pending[0].pk],  # the page's ticked rows; "Select all" sends select_across
        query="?state__exact=pending",
        select_across="1",
        index="0",
    )
    assert sorted(int(r["ID"]) for r in rows) == sorted(p.pk for p in pending)


def test_the_rows_are_read_while_the_file_streams(finance_console):
    chosen = penalty()
    response = export(finance_console, Penalty, [chosen.pk])
    with CaptureQueriesContext(connection) as reading:
        csv_of(response)
    assert any('FROM "payouts_penalty"' in q["sql"] for q in reading.captured_queries)


MAKERS = {
    "penalties": (Penalty, "finance", lambda users: penalty()),
    "refunds": (Refund, "agent", lambda users: RefundFactory(requested_by=users["agent"])),
    "reversal requests": (
        ReversalRequest,
        "partner support",
        lambda users: reversal_request(users["partner support"], evidence=["https://x.example/1"]),
    ),
    "payout runs": (PayoutRun, "finance", lambda users: paid_run()),
    "partners": (Partner, "supervisor", lambda users: PartnerFactory()),
    "tasks": (Task, "agent", lambda users: task(owner=users["agent"])),
    "pafs": (PartnerAtFault, "supervisor", lambda users: PafFactory()),
}


@pytest.mark.parametrize("name", MAKERS)
def test_an_export_costs_the_same_queries_for_2_rows_as_for_20(name):
    model, role, make = MAKERS[name]
    users = {r: UserFactory(username=f"q-{r.replace(' ', '-')}", role=r) for r in ROLES}
    console = logged_in(users[role])
    made = [make(users)]
    csv_of(export(console, model, [made[0].pk]))  # warm the per-process caches

    def queries_for(count: int) -> int:
        while len(made) < count:
            made.append(make(users))
        with CaptureQueriesContext(connection) as ctx:
            header, *rows = csv_of(export(console, model, [m.pk for m in made]))
        assert len(rows) == count
        return len(ctx.captured_queries)

    few = queries_for(2)
    many = queries_for(20)
    assert many == few <= 16  # session, user, permissions, the list's count, one row query


# --- who may export ---------------------------------------------------------------------------


def test_a_role_that_cannot_view_a_list_cannot_export_it(agent_console, partner_support_console):
    run = PayoutRunFactory()
    assert export(agent_console, PayoutRun, [run.pk]).status_code == 403
    refund = RefundFactory()
    assert export(partner_support_console, Refund, [refund.pk]).status_code == 403


def test_a_user_in_no_role_cannot_export(roleless_console):
    chosen = penalty()
    response = export(roleless_console, Penalty, [chosen.pk])
    assert response.status_code == 403
