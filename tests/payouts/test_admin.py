"""The payouts console: queues, bulk decisions with a reason, run progress and bank file."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from payouts import services
from payouts.models import LedgerEntry, PayoutRun, Refund, ReversalRequest
from tests.factories import (
    BookingFactory,
    LedgerEntryFactory,
    PafFactory,
    PartnerFactory,
    PayoutRunFactory,
    RefundFactory,
)
from tests.helpers import revisit_job, revisit_penalty, set_state

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "partneratfault",
    "penalty",
    "ledgerentry",
    "reversalrequest",
    "refund",
    "payoutrun",
    "payoutrunentry",
    "payoutline",
]


def _login(client, user):
    client.force_login(user)
    return client


def _requests(n, requester):
    made = []
    for _ in range(n):
        paf = PafFactory(booking=revisit_job("500.00"))
        revisit_penalty(paf)
        set_state(paf, "not_genuine", decision_reason="QA: partner was on site")
        made.append(
            services.submit_reversal_request(
                kind="paf_penalty",
                actor=requester,
                paf=paf,
                call_recording_ref="REC-77",
                notes="customer confirms visit",
                evidence=["https://img.example/proof.jpg"],
            )
        )
    return made


def test_role_groups_hold_their_payouts_permissions():
    def codenames(group):
        return set(
            Group.objects.get(name=group)
            .permissions.filter(content_type__app_label="payouts")
            .values_list("codename", flat=True)
        )

    assert {
        "change_reversalrequest",
        "change_refund",
        "change_payoutrun",
        "view_ledgerentry",
    } <= codenames("finance")
    assert codenames("partner support") == {
        "add_reversalrequest",
        "view_reversalrequest",
        "view_partneratfault",
        "view_penalty",
        "view_mgplanexclusion",
    }
    assert codenames("agent") == {
        "view_partneratfault",
        "view_penalty",
        "view_refund",
        "add_refund",
        "view_mgplanexclusion",
    }
    assert len(codenames("supervisor")) == 33


@pytest.mark.parametrize("model", CHANGELISTS)
def test_every_changelist_loads_in_constant_queries(
    client, supervisor, partner_support, model, django_assert_max_num_queries
):
    _requests(3, partner_support)
    LedgerEntryFactory.create_batch(3)
    RefundFactory.create_batch(3)
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk)
    assert run.state == "computed"
    _login(client, supervisor)
    url = reverse(f"admin:payouts_{model}_changelist")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200


def test_reversal_queue_shows_evidence_and_the_paf_decision(client, finance_user, partner_support):
    _requests(2, partner_support)
    _login(client, finance_user)
    response = client.get(reverse("admin:payouts_reversalrequest_changelist") + "?queue=awaiting")
    body = response.content.decode()
    assert "REC-77" in body and "https://img.example/proof.jpg" in body
    assert "QA: partner was on site" in body


def test_bulk_approval_asks_for_a_reason_then_calls_the_service(
    client, supervisor, partner_support
):
    requests = _requests(2, partner_support)
    own_paf = PafFactory()
    set_state(own_paf, "not_genuine")
    own = services.submit_reversal_request(kind="paf_penalty", actor=supervisor, paf=own_paf)
    _login(client, supervisor)
    url = reverse("admin:payouts_reversalrequest_changelist")
    ids = [str(r.pk) for r in [*requests, own]]
    page = client.post(url, {"action": "approve", "_selected_action": ids})
    assert page.status_code == 200 and b"decision-form" in page.content
    missing = client.post(url, {"action": "approve", "_selected_action": ids, "apply": "1"})
    assert missing.status_code == 200  # the reason is required: the form comes back
    assert not ReversalRequest.objects.filter(state="approved").exists()
    done = client.post(
        url,
        {"action": "approve", "_selected_action": ids, "apply": "1", "reason": "recording ok"},
        follow=True,
    )
    texts = [str(m) for m in done.context["messages"]]
    assert any("2 done" in t for t in texts)
    assert any(f"#{own.pk}" in t and "themselves" in t for t in texts)
    assert set(ReversalRequest.objects.filter(state="approved").values_list("pk", flat=True)) == {
        r.pk for r in requests
    }


def test_partner_support_logs_a_reversal_request_from_the_paf_list(client, partner_support):
    paf = PafFactory()
    set_state(paf, "not_genuine")
    genuine = PafFactory()
    set_state(genuine, "genuine")
    _login(client, partner_support)
    url = reverse("admin:payouts_partneratfault_changelist")
    response = client.post(
        url,
        {
            "action": "log_reversal_request",
            "_selected_action": [paf.pk, genuine.pk],
            "apply": "1",
            "call_recording_ref": "REC-1",
            "notes": "partner reached on time",
            "evidence": "https://img.example/a.jpg\nuploads/b.jpg",
        },
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("bad experience" in t for t in texts)
    request = ReversalRequest.objects.get()
    assert (request.paf, request.requested_by, request.evidence) == (
        paf,
        partner_support,
        ["https://img.example/a.jpg", "uploads/b.jpg"],
    )


def test_agents_see_pafs_but_not_the_reversal_queue(client, agent):
    _login(client, agent)
    assert client.get(reverse("admin:payouts_partneratfault_changelist")).status_code == 200
    assert client.get(reverse("admin:payouts_reversalrequest_changelist")).status_code == 403


def test_run_page_has_a_progress_bar_and_a_polling_endpoint(client, finance_user):
    run = PayoutRunFactory(state="computing", progress_total=10, progress_done=4)
    _login(client, finance_user)
    page = client.get(reverse("admin:payouts_payoutrun_change", args=[run.pk]))
    assert b'<progress id="run-progress" value="4" max="10">' in page.content
    progress = client.get(reverse("admin:payouts_payoutrun_progress", args=[run.pk]))
    assert progress.json() == {"state": "computing", "done": 4, "total": 10, "error": ""}


def test_compute_button_queues_the_task(client, finance_user, monkeypatch):
    from payouts import tasks

    sent = []
    monkeypatch.setattr(tasks.compute_payout_run_task, "apply_async", lambda **kw: sent.append(kw))
    run = PayoutRunFactory()
    _login(client, finance_user)
    with pytest.MonkeyPatch.context():
        client.post(reverse("admin:payouts_payoutrun_step", args=[run.pk, "compute"]))
    run.refresh_from_db()
    assert run.state == "computing" and run.computed_by == finance_user


def test_bank_file_download_from_the_console(client, finance_user, finance_user2):
    LedgerEntryFactory(amount=Decimal("123.45"))
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    _login(client, finance_user2)
    client.post(reverse("admin:payouts_payoutrun_step", args=[run.pk, "approve"]))
    response = client.get(reverse("admin:payouts_payoutrun_export", args=[run.pk]))
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert (
        body.splitlines()[0]
        == "partner_external_id,name,phone,account_holder,account_number,ifsc,iban,currency,net"
    )
    assert body.splitlines()[1].endswith(",INR,123.45")
    assert PayoutRun.objects.get(pk=run.pk).state == "exported"


def test_refund_queue_bulk_approval_skips_own_requests(client, finance_user, agent):
    theirs = services.request_refund(
        booking=BookingFactory(),
        reason="wrong_job",
        amount=Decimal("50.00"),
        actor=agent,
        deduct_from_partner=True,
    )
    mine = services.request_refund(
        booking=BookingFactory(), reason="other", amount=Decimal("5.00"), actor=finance_user
    )
    _login(client, finance_user)
    client.post(
        reverse("admin:payouts_refund_changelist"),
        {"action": "approve", "_selected_action": [theirs.pk, mine.pk], "apply": "1"},
    )
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (theirs.state, mine.state) == ("approved", "requested")
    assert LedgerEntry.objects.get().amount == Decimal("-50.00")


def test_marking_refunds_paid_asks_for_the_payment_reference_by_its_name(
    client, finance_user, agent, supervisor
):
    refunds = [
        services.request_refund(
            booking=BookingFactory(), reason="other", amount=Decimal("5.00"), actor=agent
        )
        for _ in range(2)
    ]
    for refund in refunds:
        services.approve_refund(refund_id=refund.pk, actor=supervisor)
    _login(client, finance_user)
    changelist = reverse("admin:payouts_refund_changelist")
    chosen = {"action": "mark_paid", "_selected_action": [r.pk for r in refunds]}
    page = client.post(changelist, chosen).content.decode()
    assert '<label for="id_payment_reference"' in page and "Payment reference" in page
    assert 'name="reason"' not in page
    refused = client.post(changelist, {**chosen, "apply": "1", "payment_reference": ""})
    assert 'name="payment_reference"' in refused.content.decode()  # asked again, nothing paid
    assert {r.state for r in Refund.objects.filter(pk__in=chosen["_selected_action"])} == {
        "approved"
    }
    client.post(changelist, {**chosen, "apply": "1", "payment_reference": " UTR-2026-7781 "})
    assert set(
        Refund.objects.filter(pk__in=chosen["_selected_action"]).values_list(
            "state", "payment_reference"
        )
    ) == {("paid", "UTR-2026-7781")}


def test_console_cannot_edit_or_delete_ledger_entries(client, supervisor):
    entry = LedgerEntryFactory()
    _login(client, supervisor)
    url = reverse("admin:payouts_ledgerentry_change", args=[entry.pk])
    assert client.get(url).status_code == 200  # view only
    assert client.post(url, {"memo": "x"}).status_code == 403
    delete = reverse("admin:payouts_ledgerentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_supervisor_adds_a_paf_through_the_service(client, supervisor):
    booking = BookingFactory()
    _login(client, supervisor)
    client.post(
        reverse("admin:payouts_partneratfault_add"),
        {"partner": booking.partner_id, "booking": booking.pk, "reason": "no show on revisit"},
    )
    paf = booking.pafs.get()
    assert (paf.marked_by, paf.state) == (supervisor, "pending_review")


def test_finance_creates_a_run_and_a_second_open_run_is_refused(client, finance_user):
    from partners.models import Region

    _login(client, finance_user)
    url = reverse("admin:payouts_payoutrun_add")
    region = Region.objects.get(country="IN").pk
    client.post(url, {"region": region, "period_start": "2026-01-01", "period_end": "2026-01-07"})
    response = client.post(
        url,
        {"region": region, "period_start": "2026-01-08", "period_end": "2026-01-14"},
    )
    assert PayoutRun.objects.count() == 1
    # The refusal comes back on the add form, with the dates typed kept.
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert any("open payout run" in e for e in form.non_field_errors())
    assert form.data["period_start"] == "2026-01-08"


def test_computed_run_page_shows_totals_and_the_next_step(client, finance_user):
    LedgerEntryFactory(amount=Decimal("10.00"))
    LedgerEntryFactory(kind="penalty_deduction", amount=Decimal("-4.00"))
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    _login(client, finance_user)
    body = client.get(reverse("admin:payouts_payoutrun_change", args=[run.pk])).content.decode()
    assert 'id="run-paid-partners">1<' in body and ">2</a>" in body
    assert 'id="run-to-pay">10.00 INR<' in body and 'id="run-carried">-4.00 INR<' in body
    # finance_user computed it: someone else approves
    assert 'id="run-approve"' not in body and 'id="run-approve-note"' in body
    assert 'id="run-compute">Recompute</button>' in body


def test_approve_is_offered_to_other_finance_users_and_asks_for_confirmation(
    client, finance_user, finance_user2
):
    from payouts.models import PayoutRun

    LedgerEntryFactory(amount=Decimal("10.00"))
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    _login(client, finance_user2)
    page = reverse("admin:payouts_payoutrun_change", args=[run.pk])
    body = client.get(page).content.decode()
    assert 'id="run-approve"' in body
    assert "India payout" in body and "Computed, not approved" in body
    assert "task_id" not in body and "lease" not in body.lower()

    step = reverse("admin:payouts_payoutrun_step", args=[run.pk, "approve"])
    confirm = client.get(step)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert PayoutRun.objects.get(pk=run.pk).state == "computed"  # asking changes nothing

    done = client.post(step, follow=True)
    assert PayoutRun.objects.get(pk=run.pk).state == "approved"
    assert ": approved." in done.content.decode()


def test_the_partner_page_shows_the_payout_account_masked_and_keeps_it_when_left_blank(
    supervisor_console,
):
    from partners.models import Partner

    partner = PartnerFactory(payout_account_number="001234567890", payout_ifsc="HDFC0001234")
    page = reverse("admin:partners_partner_change", args=[partner.pk])
    body = supervisor_console.get(page).content.decode()
    assert "••••7890 · IFSC HDFC0001234" in body
    assert "001234567890" not in body  # never shown back, not even in the input

    from django.forms.models import model_to_dict

    from partners.admin import PartnerForm

    data = {
        key: ",".join(value) if isinstance(value, list) else value
        for key, value in model_to_dict(partner).items()
        if value is not None
    }
    kept = PartnerForm(data={**data, "payout_account_number": ""}, instance=partner)
    assert kept.is_valid(), kept.errors
    assert kept.cleaned_data["payout_account_number"] == "001234567890"
    changed = PartnerForm(data={**data, "payout_account_number": "9988 7766 55"}, instance=partner)
    assert changed.is_valid(), changed.errors
    assert changed.cleaned_data["payout_account_number"] == "9988776655"
    assert Partner.objects.get(pk=partner.pk).payout_account_number == "001234567890"
