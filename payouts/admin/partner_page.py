"""The partner page with its money: metrics, PAF history, penalties, the ledger with a running
balance and the next payout preview (read only). It extends the partners app's admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.roles import is_back_office
from partners.admin import PartnerAdmin
from partners.models import Partner

from .. import selectors

PAGE_PAFS = 20
PAGE_PENALTIES = 20
PAGE_LEDGER = 50


class PartnerMoneyAdmin(PartnerAdmin):
    # Below the form: metrics, PAF history, penalties, ledger, next payout (read-only).
    change_form_template = "admin/partners/partner/change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and is_back_office(request.user):
            context["partner_page"] = self.partner_page(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def partner_page(self, request: HttpRequest, partner: Partner) -> dict[str, Any]:
        """The read-only sections; a fixed number of queries whatever the partner's history."""
        user = request.user
        metrics = selectors.partner_metrics(partner)
        rate = metrics["paf_rate"]
        return {
            "metrics": metrics,
            "paf_rate_percent": None if rate is None else rate * 100,
            "pafs": list(selectors.paf_list(user=user).filter(partner=partner)[:PAGE_PAFS]),
            "penalties": list(
                selectors.penalty_list(user=user).filter(partner=partner)[:PAGE_PENALTIES]
            ),
            "ledger": list(
                selectors.ledger_statement(partner_id=partner.pk).select_related("booking")[
                    :PAGE_LEDGER
                ]
            ),
            "balances": selectors.partner_balances(partner_id=partner.pk),
            "preview": selectors.next_payout_preview(partner),
            "mg_plan": selectors.mg_plan_summary(partner),
            "limits": {"pafs": PAGE_PAFS, "penalties": PAGE_PENALTIES, "ledger": PAGE_LEDGER},
        }


admin.site.unregister(Partner)
admin.site.register(Partner, PartnerMoneyAdmin)
