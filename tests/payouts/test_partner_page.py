"""The partner page: metrics, PAF history, penalties, ledger with running balance and the next
payout preview, which must agree with the line a real payout run computes."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Booking, CaseEvent
from partners.models import Region
from payouts import selectors, services
from payouts.models import PayoutLine, PayoutRun
from tests.factories import (
    BookingFactory,
    CaseFactory,
    LedgerEntryFactory,
    PafFactory,
    PartnerFactory,
    PayoutRunFactory,
)
from tests.helpers import (
    completed_booking,
    revisit_job,
    revisit_of,
    revisit_penalty,
    set_state,
)

pytestmark = pytest.mark.django_db
D = Decimal
LINE_FIELDS = (
    "earnings",
    "deductions",
    "bonuses",
    "reversals",
    "carried_forward_in",
    "net",
    "carried_forward_out",
    "entry_count",
)


def _region_today():
    return datetime.now(ZoneInfo(Region.objects.get(country="IN").timezone)).date()


def _run(**kwargs) -> PayoutRun:
    """A run of the Indian region ending today, region time (not the test machine's date)."""
    kwargs.setdefault("period_end", _region_today())
    return PayoutRunFactory(**kwargs)


def _cancelled(partner, code: str, by: str, **kwargs) -> Booking:
    booking = BookingFactory(partner=partner, **kwargs)
    Booking.objects.filter(pk=booking.pk).update(
        status="cancelled", cancellation_code=code, cancelled_by=by
    )
    return booking


def _validated_as_out_of_scope(booking: Booking, outcome: str) -> None:
    """What the OOS flow leaves behind: a DECISION event on the job's out-of-scope case."""
    case = CaseFactory(booking=booking, kind="out_of_scope", team="engineering_ops")
    CaseEvent.objects.create(case=case, type="decision", payload={"outcome": outcome})


def _pending_penalty(partner, invoice: str = "500.00", genuine: bool = True):
    """A pending penalty on the partner; its PAF genuine (a run deducts it) unless told."""
    paf = PafFactory(booking=revisit_job(invoice, partner=partner))
    return revisit_penalty(paf, genuine=genuine)


def _line(run: PayoutRun, partner) -> dict:
    line = PayoutLine.objects.filter(run=run, partner=partner).values(*LINE_FIELDS).first()
    return line or dict.fromkeys(LINE_FIELDS, D("0.00")) | {"entry_count": 0}


def _as_line(preview: dict) -> dict:
    return {name: preview[name] for name in LINE_FIELDS}


def _pay(run: PayoutRun, finance_user) -> None:
    services.approve_run(run_id=run.pk, actor=finance_user)
    services.export_run(run_id=run.pk, actor=finance_user)
    services.mark_run_paid(run_id=run.pk, actor=finance_user)


def _paid_run_carrying(partner, finance_user, debt: str) -> PayoutRun:
    """A paid run of the region in which the partner's net was -debt (carried forward)."""
    today = _region_today()
    LedgerEntryFactory(
        partner=partner,
        kind="recovery",
        amount=-D(debt),
        occurred_at=timezone.now() - timedelta(days=20),
    )
    run = _run(period_start=today - timedelta(days=30), period_end=today - timedelta(days=14))
    services.compute_payout_run(run_id=run.pk)
    _pay(run, finance_user)
    assert _line(run, partner)["carried_forward_out"] == -D(debt)
    return run


# --- metrics -----------------------------------------------------------------------------------


def test_paf_rate_counts_pafs_not_reversed_over_completed_jobs():
    partner = PartnerFactory()
    jobs = [completed_booking(partner=partner) for _ in range(8)]
    PafFactory(booking=jobs[0])  # pending review
    set_state(PafFactory(booking=jobs[1]), "genuine")
    set_state(PafFactory(booking=jobs[2]), "not_genuine")
    set_state(PafFactory(booking=jobs[3]), "reversed")
    set_state(PafFactory(booking=jobs[4]), "reversed")

    metrics = selectors.partner_metrics(partner)

    assert metrics["delivered"] == 8
    assert (metrics["paf_count"], metrics["pafs_standing"]) == (5, 3)
    assert metrics["paf_rate"] == D("0.3750")  # 3 / 8: the two reversed PAFs do not count
    assert (metrics["genuine"], metrics["not_genuine"], metrics["pending_review"]) == (1, 1, 1)
    assert metrics["reversed"] == 2


def test_the_case_pages_one_query_paf_rate_agrees_with_the_partner_page():
    partner = PartnerFactory()
    jobs = [completed_booking(partner=partner) for _ in range(8)]
    PafFactory(booking=jobs[0])
    set_state(PafFactory(booking=jobs[1]), "genuine")
    set_state(PafFactory(booking=jobs[3]), "reversed")
    old = timezone.now() - timedelta(days=200)
    PafFactory(booking=completed_booking(partner=partner, booking_time=old))  # out of window
    today = timezone.localdate()
    metrics = selectors.partner_metrics(partner, today=today)
    with CaptureQueriesContext(connection) as ctx:
        lean = selectors.paf_rate(partner.pk, today=today)
    assert len(ctx.captured_queries) == 1
    assert lean == {"rate": metrics["paf_rate"], "standing": 2, "delivered": 8, "days": 90}
    assert lean["rate"] == D("0.2500")
    nobody = selectors.paf_rate(PartnerFactory().pk, today=today)
    assert (nobody["rate"], nobody["standing"], nobody["delivered"]) == (None, 0, 0)


def test_paf_rate_is_none_without_completed_jobs():
    partner = PartnerFactory()
    PafFactory(booking=BookingFactory(partner=partner))

    metrics = selectors.partner_metrics(partner)

    assert (metrics["paf_count"], metrics["delivered"], metrics["paf_rate"]) == (1, 0, None)


def test_metrics_count_only_jobs_in_the_window():
    partner = PartnerFactory()
    completed_booking(partner=partner)
    old = timezone.now() - timedelta(days=200)
    PafFactory(booking=completed_booking(partner=partner, booking_time=old))
    _cancelled(partner, "cant_deliver", "partner", booking_time=old)

    metrics = selectors.partner_metrics(partner)

    assert (metrics["allocated"], metrics["delivered"]) == (1, 1)
    assert (metrics["paf_count"], metrics["cancellations_against_partner"]) == (0, 0)
    assert selectors.partner_metrics(partner, days=365)["allocated"] == 3


def test_cancellations_against_the_partner_leave_validated_out_of_scope_jobs_out():
    partner = PartnerFactory()
    BookingFactory(partner=partner)  # allocated, not cancelled
    completed_booking(partner=partner)
    _cancelled(partner, "customer_voc", "partner")  # the partner cancelled: counts
    _cancelled(partner, "cant_deliver", "agent")  # code against the partner: counts
    _cancelled(partner, "pro_cannot_deliver", "partner")  # counts
    validated = _cancelled(partner, "pro_cannot_deliver", "partner")
    _validated_as_out_of_scope(validated, "partner_cancels_pro_cannot_deliver")
    refused = _cancelled(partner, "cant_deliver", "partner")
    _validated_as_out_of_scope(refused, "cant_deliver_against_partner")  # not a validation
    _cancelled(partner, "customer_voc", "customer")  # the customer's choice
    _cancelled(PartnerFactory(), "cant_deliver", "partner")  # someone else's

    metrics = selectors.partner_metrics(partner)

    assert metrics["allocated"] == 8
    assert metrics["cancelled"] == 6
    assert metrics["cancellations_against_partner"] == 4
    assert metrics["cancellation_rate"] == D("0.5000")


def test_metrics_take_two_queries(django_assert_num_queries):
    partner = PartnerFactory()
    for _ in range(3):
        PafFactory(booking=completed_booking(partner=partner))
        _cancelled(partner, "cant_deliver", "partner")
    partner = type(partner).objects.select_related("city__region").get(pk=partner.pk)
    with django_assert_num_queries(2):
        selectors.partner_metrics(partner)


# --- ledger ------------------------------------------------------------------------------------


def test_ledger_rows_carry_the_balance_after_each_entry():
    partner = PartnerFactory()
    start = timezone.now() - timedelta(days=5)
    for hours, kind, amount in [
        (0, "earning", "500.00"),
        (1, "penalty_deduction", "-300.00"),
        (2, "bonus", "100.00"),
        (3, "recovery", "-450.00"),
        (4, "reversal", "300.00"),
    ]:
        LedgerEntryFactory(
            partner=partner,
            kind=kind,
            amount=D(amount),
            occurred_at=start + timedelta(hours=hours),
        )
    LedgerEntryFactory(amount=D("999.00"))  # another partner's

    rows = list(selectors.ledger_statement(partner_id=partner.pk)[:50])

    assert [row.running_balance for row in rows] == [
        D("150.00"),
        D("-150.00"),
        D("300.00"),
        D("200.00"),
        D("500.00"),
    ]
    assert selectors.partner_balances(partner_id=partner.pk) == {"INR": D("150.00")}


# --- next payout preview -----------------------------------------------------------------------


def test_preview_equals_the_line_the_next_run_computes(finance_user):
    partner = PartnerFactory()
    previous = _paid_run_carrying(partner, finance_user, "400.00")
    recent = timezone.now() - timedelta(days=2)
    for kind, amount in [
        ("earning", "900.00"),
        ("earning", "350.50"),
        ("bonus", "100.00"),
        ("recovery", "-75.25"),
        ("penalty_deduction", "-60.00"),
        ("reversal", "60.00"),
    ]:
        LedgerEntryFactory(partner=partner, kind=kind, amount=D(amount), occurred_at=recent)
    LedgerEntryFactory(partner=partner, currency="EGP", amount=D("1000.00"))  # not the region's
    _pending_penalty(partner, "500.00")  # 0.60 x 500, scheduled by the run
    LedgerEntryFactory(partner=PartnerFactory(), amount=D("123.00"))  # another partner

    preview = selectors.next_payout_preview(partner)
    run = _run(period_start=previous.period_end + timedelta(days=1))
    services.compute_payout_run(run_id=run.pk)

    assert _as_line(preview) == _line(run, partner)
    assert preview["carried_forward_in"] == D("-400.00")
    assert preview["deductions"] == D("-435.25")  # -75.25 - 60.00 - 300.00 (pending)
    assert preview["net"] == D("575.25")  # 900 + 350.50 + 100 - 435.25 + 60 - 400
    assert preview["payable"] == D("575.25")
    assert (preview["run"], preview["after_run"]) == (None, None)
    assert preview["carried_from_run"].pk == previous.pk


def test_preview_of_a_partner_still_in_debt_equals_the_run_line(finance_user):
    partner = PartnerFactory()
    previous = _paid_run_carrying(partner, finance_user, "1000.00")
    LedgerEntryFactory(partner=partner, amount=D("200.00"))

    preview = selectors.next_payout_preview(partner)
    run = _run(period_start=previous.period_end + timedelta(days=1))
    services.compute_payout_run(run_id=run.pk)

    assert _as_line(preview) == _line(run, partner)
    assert (preview["net"], preview["payable"]) == (D("-800.00"), D("0.00"))
    assert preview["carried_forward_out"] == D("-800.00")


def test_preview_of_an_open_computed_run_equals_its_recomputation():
    partner = PartnerFactory()
    LedgerEntryFactory(partner=partner, amount=D("500.00"))
    run = _run()
    services.compute_payout_run(run_id=run.pk)
    LedgerEntryFactory(partner=partner, kind="bonus", amount=D("100.00"))
    _pending_penalty(partner, "100.00")

    preview = selectors.next_payout_preview(partner)
    services.compute_payout_run(run_id=run.pk)

    assert preview["run"].pk == run.pk
    assert _as_line(preview) == _line(run, partner)
    assert preview["net"] == D("540.00")


def test_preview_after_an_approved_run_takes_its_carried_net(finance_user):
    partner = PartnerFactory()
    LedgerEntryFactory(partner=partner, kind="recovery", amount=D("-300.00"))
    approved = _run()
    services.compute_payout_run(run_id=approved.pk)
    services.approve_run(run_id=approved.pk, actor=finance_user)
    LedgerEntryFactory(partner=partner, amount=D("700.00"), occurred_at=timezone.now())

    preview = selectors.next_payout_preview(partner)
    services.export_run(run_id=approved.pk, actor=finance_user)
    services.mark_run_paid(run_id=approved.pk, actor=finance_user)
    after = _run(
        period_start=approved.period_end + timedelta(days=1),
        period_end=approved.period_end + timedelta(days=7),
    )
    services.compute_payout_run(run_id=after.pk)

    assert preview["after_run"].pk == approved.pk
    assert preview["after_run_line_net"] == D("-300.00")
    assert _as_line(preview) == _line(after, partner)
    assert preview["net"] == D("400.00")


def test_preview_with_a_period_end_leaves_later_entries_out():
    partner = PartnerFactory()
    today = _region_today()
    LedgerEntryFactory(partner=partner, amount=D("100.00"), occurred_at=timezone.now())
    LedgerEntryFactory(
        partner=partner, amount=D("50.00"), occurred_at=timezone.now() - timedelta(days=10)
    )
    period_end = today - timedelta(days=1)

    preview = selectors.next_payout_preview(partner, period_end=period_end)
    run = _run(period_start=today - timedelta(days=30), period_end=period_end)
    services.compute_payout_run(run_id=run.pk)

    assert _as_line(preview) == _line(run, partner)
    assert preview["earnings"] == D("50.00")


def test_preview_of_a_partner_without_money_is_zero():
    preview = selectors.next_payout_preview(PartnerFactory())

    assert (preview["net"], preview["entry_count"], preview["currency"]) == (D("0.00"), 0, "INR")


# --- the page ----------------------------------------------------------------------------------


def _history(partner, *, pafs: int, entries: int) -> None:
    for _ in range(pafs):
        paf = PafFactory(booking=revisit_of(completed_booking(partner=partner)))
        revisit_penalty(paf)
    start = timezone.now() - timedelta(days=3)
    for i in range(entries):
        LedgerEntryFactory(
            partner=partner, amount=D("10.00"), occurred_at=start + timedelta(minutes=i)
        )
    _cancelled(partner, "cant_deliver", "partner")


def _page(client, user, partner):
    client.force_login(user)
    return client.get(reverse("admin:partners_partner_change", args=[partner.pk]))


@pytest.mark.parametrize("role", ["finance_user", "partner_support", "supervisor"])
def test_partner_page_loads_in_the_same_queries_whatever_the_history(
    client, request, role, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    small, large = PartnerFactory(), PartnerFactory()
    _history(small, pafs=1, entries=1)
    _history(large, pafs=30, entries=80)
    _page(client, user, small)  # warm caches (content types, policy) outside the count

    with CaptureQueriesContext(connection) as small_page:
        assert _page(client, user, small).status_code == 200
    with django_assert_max_num_queries(len(small_page.captured_queries)):
        response = _page(client, user, large)

    assert response.status_code == 200
    assert len(small_page.captured_queries) <= 30
    assert response.context["partner_page"]["metrics"]["paf_count"] == 30


def test_partner_page_shows_the_latest_rows_of_each_section(client, supervisor):
    partner = PartnerFactory()
    _history(partner, pafs=25, entries=60)
    newest_paf = partner.pafs.order_by("-id").first()
    reversed_paf = partner.pafs.order_by("id").first()
    set_state(reversed_paf, "reversed")

    response = _page(client, supervisor, partner)
    page = response.context["partner_page"]
    html = response.content.decode()

    assert len(page["pafs"]) == 20 and page["pafs"][0].pk == newest_paf.pk
    assert reversed_paf not in page["pafs"]  # the oldest falls off the latest 20
    assert len(page["penalties"]) == 20
    assert len(page["ledger"]) == 50
    # Newest first; the balance after the newest entry is the whole balance.
    assert page["ledger"][0].running_balance == D("600.00")
    assert page["ledger"][-1].running_balance == D("110.00")
    assert page["balances"] == {"INR": D("600.00")}
    assert page["metrics"]["reversed"] == 1 and page["metrics"]["paf_count"] == 25
    assert page["metrics"]["cancellations_against_partner"] == 1
    # 25 pending penalties of 0.60 x 799.00 each, none of whose PAFs is genuine: held (the
    # money rule), shown apart and left out of the net until the PAFs are reviewed genuine.
    preview = page["preview"]
    assert (preview["deductions"], preview["net"]) == (D("0.00"), D("600.00"))
    assert (preview["held_penalties"], preview["held_penalty_total"]) == (25, D("11985.00"))
    assert 'id="preview-held">11,985.00 INR<' in html
    paf_url = reverse("admin:payouts_partneratfault_change", args=[newest_paf.pk])
    assert f'href="{paf_url}"' in html
    assert html.count('class="paf-row"') == 20
    assert html.count('class="penalty-row"') == 20
    assert html.count('class="ledger-row"') == 50
    assert '<td class="money" id="preview-net"><strong>600.00 INR</strong>' in html


def test_partner_support_sees_pafs_without_a_ledger_link(client, partner_support):
    partner = PartnerFactory()
    _history(partner, pafs=2, entries=2)

    html = _page(client, partner_support, partner).content.decode()

    paf = partner.pafs.order_by("-id").first()
    assert reverse("admin:payouts_partneratfault_change", args=[paf.pk]) in html
    assert reverse("admin:payouts_ledgerentry_changelist") not in html  # no ledger admin
    assert html.count('class="ledger-row"') == 2  # but the statement, as the API shows it
