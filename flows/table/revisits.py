"""Revisit SOP flows: the warranty gate and the five scenarios."""

from __future__ import annotations

from cases.catalog import REVISIT_SCENARIO_KINDS, CaseKind, Sop
from policies.sop import revisits

from .. import fills as from_records
from ..flow import Flow, service_day_reference

FLOWS: list[Flow] = [
    Flow(
        "revisit.create",
        "Revisit request: inside the warranty?",
        Sop.REVISIT,
        (CaseKind.POST_SERVICE_COMPLAINT, *REVISIT_SCENARIO_KINDS),
        revisits.may_create_revisit,
        fills={
            "service_date": from_records.ORIGINAL_SERVICE_DATE,
            "requested_on": from_records.OPENED_ON,
            "prior_revisits_on_issue": from_records.PRIOR_REVISITS,
        },
        reference=service_day_reference("service_date"),
        gate=True,
    ),
    Flow(
        "revisit.scenario_1",
        "Scenario 1: revisit created but the customer cancelled",
        Sop.REVISIT,
        REVISIT_SCENARIO_KINDS,
        revisits.decide_scenario_1,
        help={"paf_genuine": "From the call recordings and the customer."},
    ),
    Flow(
        "revisit.scenario_2",
        "Scenario 2: revisit created, work not required",
        Sop.REVISIT,
        REVISIT_SCENARIO_KINDS,
        revisits.decide_scenario_2,
    ),
    Flow(
        "revisit.scenario_3",
        "Scenario 3: new work required, customer denied it",
        Sop.REVISIT,
        REVISIT_SCENARIO_KINDS,
        revisits.decide_scenario_3,
        help={"customer_accepts_new_sku": "Leave unknown until the trainer has explained."},
    ),
    Flow(
        "revisit.scenario_4",
        "Scenario 4: partner denied / no show / poor service",
        Sop.REVISIT,
        REVISIT_SCENARIO_KINDS,
        revisits.decide_scenario_4,
        fills={"original_invoice_amount": from_records.ORIGINAL_INVOICE},
        choices={"partner_failure": tuple(sorted(revisits.PARTNER_FAILURES))},
    ),
    Flow(
        "revisit.scenario_5",
        "Scenario 5: revisit payment issue",
        Sop.REVISIT,
        (CaseKind.REVISIT_PAYMENT,),
        revisits.decide_scenario_5,
        fills={"is_sme_revisit": from_records.IS_SME},
    ),
    Flow(
        "revisit.paf_reversal",
        "PAF and penalty reversal request",
        Sop.REVISIT,
        (CaseKind.PAF_REVERSAL,),
        revisits.decide_paf_reversal_request,
    ),
]
