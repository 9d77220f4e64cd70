"""The payout run page and its bank file: progress counts partners, the counts, lines and
totals agree, the bank file is refused while a partner it pays lacks bank details, the new
run's dates carry no time-zone note, amounts read "1,234.00 INR"."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.money_text import money_text
from demo.bank import demo_bank_details
from partners.models import Partner, Region
from payouts import services
from payouts.models import PayoutRun
from tests.factories import LedgerEntryFactory, PartnerFactory, PayoutRunFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _page(client, run):
    return client.get(reverse("admin:payouts_payoutrun_change", args=[run.pk]))


def _approved_run(computer, approver, *partners_and_amounts):
    for partner, amount in partners_and_amounts:
        kind = "recovery" if amount.startswith("-") else "earning"
        LedgerEntryFactory(partner=partner, kind=kind, amount=Decimal(amount))
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=computer)
    services.approve_run(run_id=run.pk, actor=approver)
    return run


# progress and counts


def test_progress_counts_the_regions_partners_not_batches(finance_user):
    PartnerFactory.create_batch(5)
    run = services.compute_payout_run(
        run_id=PayoutRunFactory().pk, actor=finance_user, batch_size=2
    )
    partners = Partner.objects.filter(city__region__country="IN").count()
    assert partners >= 5
    assert (run.progress_done, run.progress_total) == (partners, partners)


def test_a_computed_run_without_lines_says_so_and_claims_no_partners(finance_console, finance_user):
    PartnerFactory.create_batch(3)  # partners, but no ledger entry
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    assert run.state_message == "Computed, not approved"
    html = _page(finance_console, run).content.decode()
    assert 'id="run-no-lines"' in html and "No partner is paid or charged" in html
    assert "Net 0.00 INR" in html
    assert "partners</span>" not in html and not re.search(r"Computed: \d+ partner", html)


def test_the_page_counts_and_totals_come_from_the_lines(finance_console, finance_user):
    a, b, c = PartnerFactory.create_batch(3)
    LedgerEntryFactory(partner=a, amount=Decimal("1234.00"))
    LedgerEntryFactory(partner=b, amount=Decimal("0.50"))
    LedgerEntryFactory(partner=c, kind="recovery", amount=Decimal("-100.00"))
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    html = _page(finance_console, run).content.decode()
    assert re.search(r'id="run-partners"><a href="[^"]+">3</a>', html)
    assert 'id="run-paid-partners">2<' in html
    assert 'id="run-net">1,134.50 INR<' in html
    assert 'id="run-to-pay">1,234.50 INR<' in html
    assert 'id="run-carried">-100.00 INR<' in html
    listing = finance_console.get(reverse("admin:payouts_payoutrun_changelist")).content.decode()
    assert "1,134.50 INR" in listing


def test_a_computing_run_shows_partners_done_of_total(finance_console):
    run = PayoutRunFactory(state="computing", progress_total=33, progress_done=12)
    html = _page(finance_console, run).content.decode()
    assert "Computing: 12 of 33 partners" in html
    assert '<progress id="run-progress" value="12" max="33">' in html
    assert "12 of 33 partners" in html and "No lines yet" in html


def test_the_run_page_costs_the_same_queries_for_2_lines_as_for_20(
    finance_console, finance_user, finance_user2
):
    def measured(n):
        partners = PartnerFactory.create_batch(n, payout_account_number="")
        run = _approved_run(finance_user, finance_user2, *[(p, "10.00") for p in partners])
        with CaptureQueriesContext(connection) as ctx:
            assert _page(finance_console, run).status_code == 200
        PayoutRun.objects.filter(pk=run.pk).update(state="paid")
        return len(ctx)

    assert measured(2) == measured(20)


# the bank file


def test_the_bank_file_is_refused_while_a_paid_partner_lacks_bank_details(
    finance_user, finance_user2
):
    ok = PartnerFactory(name="Asha Kumar")
    no_account = PartnerFactory(name="Bina Das", payout_account_number="", payout_ifsc="")
    no_holder = PartnerFactory(name="Chetan Rao", payout_account_holder="")
    owing = PartnerFactory(name="Dev Owes", payout_account_holder="")  # not paid: no row
    run = _approved_run(
        finance_user,
        finance_user2,
        (ok, "100.00"),
        (no_account, "50.00"),
        (no_holder, "20.00"),
        (owing, "-10.00"),
    )
    with pytest.raises(services.BankDetailsMissing) as refused:
        services.export_run(run_id=run.pk, actor=finance_user)
    assert [p.pk for p in refused.value.partners] == sorted([no_account.pk, no_holder.pk])
    assert refused.value.fields == {
        "partners": sorted(
            [f"{no_account.external_id} (Bina Das)", f"{no_holder.external_id} (Chetan Rao)"]
        )
    }
    assert PayoutRun.objects.get(pk=run.pk).state == "approved"  # nothing changed


def test_an_iban_alone_is_complete_bank_details(finance_user, finance_user2):
    partner = PartnerFactory(payout_account_number="", payout_ifsc="", payout_iban="EG38001900")
    run = _approved_run(finance_user, finance_user2, (partner, "75.00"))
    run, rows = services.export_run(run_id=run.pk, actor=finance_user)
    assert list(rows)[1][-3:] == ("EG38001900", "INR", "75.00")
    assert run.state == "exported"


def test_the_console_lists_the_partners_first_and_refuses_the_export(
    finance_console, finance_user, finance_user2
):
    partner = PartnerFactory(name="Bina Das", payout_account_number="")
    run = _approved_run(finance_user, finance_user2, (partner, "50.00"))
    html = _page(finance_console, run).content.decode()
    link = reverse("admin:partners_partner_change", args=[partner.pk])
    assert 'id="run-bank-details"' in html
    assert f'<a href="{link}">Bina Das</a> ({partner.external_id})' in html
    assert 'id="run-export-blocked"' in html and 'id="run-export"' not in html
    response = finance_console.get(reverse("admin:payouts_payoutrun_export", args=[run.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#run-bank-details")
    followed = finance_console.get(response["Location"]).content.decode()
    assert "No bank file: 1 partner has no complete bank details" in followed
    assert PayoutRun.objects.get(pk=run.pk).state == "approved"


def test_the_console_exports_once_the_details_are_there(
    finance_console, finance_user, finance_user2
):
    partner = PartnerFactory(name="Asha Kumar")
    run = _approved_run(finance_user, finance_user2, (partner, "1234.00"))
    html = _page(finance_console, run).content.decode()
    assert 'id="run-export"' in html and 'id="run-bank-details"' not in html
    response = finance_console.get(reverse("admin:payouts_payoutrun_export", args=[run.pk]))
    body = b"".join(response.streaming_content).decode().splitlines()
    assert body[1].split(",")[3:6] == ["Asha Kumar", partner.payout_account_number, "HDFC0001234"]


def test_the_api_refuses_the_bank_file_with_the_partners(
    finance_client, finance_user, finance_user2
):
    partner = PartnerFactory(name="Bina Das", payout_ifsc="")
    run = _approved_run(finance_user, finance_user2, (partner, "50.00"))
    response = finance_client.get(f"{API}/payout-runs/{run.pk}/export.csv")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "bank_details_missing"
    assert body["errors"] == {"partners": [f"{partner.external_id} (Bina Das)"]}
    assert PayoutRun.objects.get(pk=run.pk).state == "approved"


def test_demo_bank_details_are_well_formed():
    india = demo_bank_details(7, "Asha Kumar", "IN")
    assert india["payout_account_holder"] == "Asha Kumar"
    assert re.fullmatch(r"[A-Z]{4}0[A-Z0-9]{6}", india["payout_ifsc"])
    assert india["payout_account_number"].isdigit()
    iban = demo_bank_details(7, "Mona Adel", "EG")["payout_iban"]
    assert len(iban) == 29 and iban.startswith("EG")
    rearranged = iban[4:] + iban[:4]
    assert int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


# the new run's form, the confirm page, money in words


def test_the_new_run_form_has_no_time_zone_note_and_keeps_the_period(finance_console):
    url = reverse("admin:payouts_payoutrun_add")
    html = finance_console.get(url).content.decode()
    for name in ("period_start", "period_end"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>\s*<span class="timezonewarning"', html)
        assert field and "vDateField" in field.group(0)
    region = Region.objects.get(country="IN")
    response = finance_console.post(
        url, {"region": region.pk, "period_start": "2031-01-01", "period_end": "2031-01-31"}
    )
    assert response.status_code == 302
    run = PayoutRun.objects.get(region=region, period_start=date(2031, 1, 1))
    assert run.period_end == date(2031, 1, 31)


def test_the_approve_confirmation_is_a_styled_page(finance_console, finance_user):
    LedgerEntryFactory(amount=Decimal("2500.00"))
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    html = finance_console.get(
        reverse("admin:payouts_payoutrun_step", args=[run.pk, "approve"])
    ).content.decode()
    assert "cw-form-page" in html and 'class="cw-form"' in html
    assert 'class="cw-button"' in html and "to pay 2,500.00 INR" in html


def test_the_run_page_compute_button_is_styled(finance_console):
    html = _page(finance_console, PayoutRunFactory()).content.decode()
    assert re.search(r'<button type="submit" class="cw-button" id="run-compute">Compute<', html)


@pytest.mark.parametrize(
    "amount, currency, text",
    [
        (Decimal("1234"), "INR", "1,234.00 INR"),
        (Decimal("0"), "INR", "0.00 INR"),
        (None, "EGP", "0.00 EGP"),
        (Decimal("-16182.5"), "INR", "-16,182.50 INR"),
        (Decimal("1234567.891"), "", "1,234,567.89"),
    ],
)
def test_money_is_written_with_grouping_and_a_space_before_the_currency(amount, currency, text):
    assert money_text(amount, currency) == text
