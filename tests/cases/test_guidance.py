"""The case page's SOP guidance: every kind has it, it names its own SOP, and the scenarios are
not mixed up (the numbers are the SOP's own, checked against the SOP text when it is there)."""

import dataclasses
import re
from pathlib import Path

import pytest

from cases.catalog import FOLLOW_UP_KINDS, KIND_INFO, CaseKind
from cases.guidance import GUIDANCE, Guidance, guidance_for

# The SOP documents sit beside the repository (shared/sop/); a checkout without them skips the
# comparison with the SOP text, not the content checks.
SOP_DIR = Path(__file__).resolve().parents[3] / "shared" / "sop"


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _text(guidance: Guidance) -> str:
    return _words(" ".join((guidance.scenario, *guidance.checks)))


@pytest.mark.parametrize("kind", CaseKind.values)
def test_every_kind_has_a_scenario_and_checks(kind):
    guidance = guidance_for(kind)
    assert guidance is not None
    assert guidance.scenario.strip()
    assert isinstance(guidance.checks, tuple) and guidance.checks
    assert all(isinstance(check, str) and check.strip() for check in guidance.checks)


def test_the_table_holds_exactly_the_catalog_kinds():
    assert set(GUIDANCE) == set(CaseKind.values) == set(KIND_INFO)


@pytest.mark.parametrize("kind", CaseKind.values)
def test_the_section_names_the_kinds_sop(kind):
    sop = KIND_INFO[kind][0]
    assert guidance_for(kind).sop_section.startswith(sop.label)


def test_an_unknown_kind_has_no_guidance():
    assert guidance_for("no_such_kind") is None


def test_guidance_is_immutable():
    guidance = guidance_for(CaseKind.OB_FORM)
    with pytest.raises(dataclasses.FrozenInstanceError):
        guidance.scenario = "changed"


@pytest.mark.parametrize(
    "kind, section",
    [
        (CaseKind.REVISIT_CUSTOMER_CANCELLED, "Revisit work, scenario 1"),
        (CaseKind.REVISIT_WORK_NOT_REQUIRED, "Revisit work, scenario 2"),
        (CaseKind.REVISIT_NEW_WORK_DENIED, "Revisit work, scenario 3"),
        (CaseKind.REVISIT_PARTNER_FAULT, "Revisit work, scenario 4"),
        (CaseKind.REVISIT_PAYMENT, "Revisit work, scenario 5"),
        (CaseKind.POST_SERVICE_COMPLAINT, "L1 installation & maintenance, scenario 1.3"),
        (CaseKind.PRODUCT_PICKUP, "L1 installation & maintenance, scenario 10"),
        (CaseKind.PRE_SERVICE_CANCELLATION, "Pre-services: request for cancellation"),
        (CaseKind.RATING_REVERSAL, "Out-of-scope cancellations, scenario 1"),
        (CaseKind.OOS_OTP_OR_PAYMENT, "Out-of-scope cancellations, scenario 2"),
    ],
)
def test_numbered_scenarios_point_at_their_number(kind, section):
    assert guidance_for(kind).sop_section == section


# (kind, what its guidance must say): each would fail if two scenarios were swapped.
CONTENT = [
    (CaseKind.REVISIT_CUSTOMER_CANCELLED, "call recordings"),
    (CaseKind.REVISIT_CUSTOMER_CANCELLED, "personal number"),
    (CaseKind.REVISIT_WORK_NOT_REQUIRED, '"placed revisit by mistake"'),
    (CaseKind.REVISIT_NEW_WORK_DENIED, "estimate"),
    (CaseKind.REVISIT_NEW_WORK_DENIED, '"issue resolved"'),
    (CaseKind.REVISIT_PARTNER_FAULT, "penalty of 60% of the total original invoice"),
    (CaseKind.REVISIT_PARTNER_FAULT, "next payout"),
    (CaseKind.REVISIT_PAYMENT, "sme revisit - payout issue"),
    (CaseKind.REVISIT_PAYMENT, "non-sme revisit - payout issue"),
    (CaseKind.PAF_REVERSAL, "paf and penalty reversal form"),
    (CaseKind.POST_SERVICE_COMPLAINT, "within 30 days"),
    (CaseKind.POST_SERVICE_COMPLAINT, "post policy-service denial"),
    (CaseKind.CANCELLATION_REQUEST, "my booking"),
    (CaseKind.PROPERTY_DAMAGE, "technician damaged customers property"),
    (CaseKind.MISSING_INVOICE, "bill not given by technician"),
    (CaseKind.PAYMENT_NOT_CONFIRMED, "delay in refund"),
    (CaseKind.EXTRA_CHARGES, "extra cash collected by technician"),
    (CaseKind.SAFETY_INCIDENT, "women & child safety case"),
    (CaseKind.PRODUCT_PICKUP, "4-5 days"),
    (CaseKind.CHANGE_REQUEST, "park the case until the job is delivered"),
    (CaseKind.PREFERRED_PROFESSIONAL, "red is on leave"),
    (CaseKind.PRE_SERVICE_CANCELLATION, "rs 100 for a cart value below 500"),
    (CaseKind.PRE_SERVICE_CANCELLATION, "rs 150 for a cart value above 500"),
    (CaseKind.WRONG_JOB_STARTED, "after 2 attempts"),
    (CaseKind.WRONG_JOB_STARTED, "up to rs 3000"),
    (CaseKind.WRONG_JOB_STARTED, "fraud score"),
    (CaseKind.CONTACT_EDIT, "rs 100 extra"),
    (CaseKind.UNABLE_TO_BOOK, "screenshot"),
    (CaseKind.OB_FORM, "24 hrs"),
    (CaseKind.OUT_OF_SCOPE, "within 500 meters"),
    (CaseKind.OUT_OF_SCOPE, "3 hours"),
    (CaseKind.OUT_OF_SCOPE, "rwm in delhi or mumbai"),
    (CaseKind.OUT_OF_SCOPE, "4.2 on job - partner led cancellation < out of scope"),
    (CaseKind.OOS_OTP_OR_PAYMENT, "start-job otp"),
    (CaseKind.RATING_REVERSAL, "rating reversal form"),
    (CaseKind.FOLLOW_UP_FIRST_VISIT, "twice after the day of cancellation"),
    (CaseKind.FOLLOW_UP_FIRST_VISIT, "no answer twice during two following days"),
    (CaseKind.FOLLOW_UP_FIRST_VISIT, "cancel the order on the dashboard"),
    (CaseKind.FOLLOW_UP_SECOND_APPOINTMENT, "twice since the inspection was completed"),
    (CaseKind.FOLLOW_UP_SECOND_APPOINTMENT, "no answer twice during two following days"),
    (CaseKind.FOLLOW_UP_SECOND_APPOINTMENT, "from reschedule to complete"),
    (CaseKind.FOLLOW_UP_SECOND_APPOINTMENT, "within 8 hours"),
    (CaseKind.FOLLOW_UP_PAINTING, "once during the painting order"),
    (CaseKind.FOLLOW_UP_PAINTING, "plus 10 %"),
    (CaseKind.FOLLOW_UP_PAINTING, "add 29 %"),
    (CaseKind.COMPLAINT, "out of spd"),
    (CaseKind.REVISIT_ESCALATION, "after the sme revisit"),
]


@pytest.mark.parametrize("kind, phrase", CONTENT)
def test_the_guidance_says_what_its_scenario_needs(kind, phrase):
    assert phrase in _text(guidance_for(kind))


# Phrases that belong to one scenario (or a known few): seen anywhere else, a scenario is mixed up.
ONLY_IN = [
    ('"placed revisit by mistake"', {CaseKind.REVISIT_WORK_NOT_REQUIRED}),
    ('"issue resolved"', {CaseKind.REVISIT_NEW_WORK_DENIED}),
    ("60%", {CaseKind.REVISIT_PARTNER_FAULT, CaseKind.REVISIT_ESCALATION}),
    ("goodwill", {CaseKind.PRE_SERVICE_CANCELLATION}),
    ("fraud score", {CaseKind.WRONG_JOB_STARTED}),
    ("500 meters", {CaseKind.OUT_OF_SCOPE}),
    ("two following days", set(FOLLOW_UP_KINDS)),
    ("painting order", {CaseKind.FOLLOW_UP_PAINTING}),
    ("rating reversal", {CaseKind.RATING_REVERSAL}),
]


@pytest.mark.parametrize("phrase, kinds", ONLY_IN)
def test_a_scenarios_own_words_appear_only_on_it(phrase, kinds):
    found = {kind for kind, guidance in GUIDANCE.items() if phrase in _text(guidance)}
    assert found == {str(kind) for kind in kinds}


# The numbers in the guidance, and the SOP sentence each comes from (verbatim, any case).
FROM_SOP = [
    (
        CaseKind.REVISIT_PARTNER_FAULT,
        "60%",
        "revisit-work.txt",
        "penalty of 60% of total original invoice",
    ),
    (
        CaseKind.REVISIT_CUSTOMER_CANCELLED,
        "call recordings",
        "revisit-work.txt",
        "check the call recordings",
    ),
    (CaseKind.PRE_SERVICE_CANCELLATION, "below 500", "pre-services.txt", "cart vale below 500"),
    (CaseKind.PRE_SERVICE_CANCELLATION, "rs 100", "pre-services.txt", "refund 100 rs goodwill"),
    (CaseKind.PRE_SERVICE_CANCELLATION, "rs 150", "pre-services.txt", "refund 150 rs goodwill"),
    (CaseKind.WRONG_JOB_STARTED, "2 attempts", "pre-services.txt", "after 2 attempts"),
    (CaseKind.WRONG_JOB_STARTED, "rs 3000", "pre-services.txt", "upto 3000 rs"),
    (CaseKind.CONTACT_EDIT, "rs 100 extra", "pre-services.txt", "pay 100 extra"),
    (CaseKind.OB_FORM, "24 hrs", "pre-services.txt", "tat of 24hrs"),
    (
        CaseKind.POST_SERVICE_COMPLAINT,
        "30 days",
        "l1-installation-maintenance.txt",
        "within 30 days",
    ),
    (CaseKind.PRODUCT_PICKUP, "4-5 days", "l1-installation-maintenance.txt", "within 4-5 days"),
    (CaseKind.OUT_OF_SCOPE, "500 meters", "out-of-scope-cancellations.txt", "within 500 meters"),
    (CaseKind.OUT_OF_SCOPE, "3 hours", "out-of-scope-cancellations.txt", "park ticket for 3 hours"),
    (
        CaseKind.FOLLOW_UP_FIRST_VISIT,
        "up twice after the day of cancellation",
        "pending-customer-action.txt",
        "followed twice after day of cancelation",
    ),
    (
        CaseKind.FOLLOW_UP_FIRST_VISIT,
        "two following days",
        "pending-customer-action.txt",
        "during two following days",
    ),
    (
        CaseKind.FOLLOW_UP_FIRST_VISIT,
        "7 days",
        "pending-customer-action.txt",
        "closed during 7 days",
    ),
    (
        CaseKind.FOLLOW_UP_SECOND_APPOINTMENT,
        "8 hours",
        "pending-customer-action.txt",
        "during 8 hours",
    ),
    (
        CaseKind.FOLLOW_UP_SECOND_APPOINTMENT,
        "48",
        "pending-customer-action.txt",
        "costing by maximum 48",
    ),
    (
        CaseKind.FOLLOW_UP_SECOND_APPOINTMENT,
        "up to 2 days",
        "pending-customer-action.txt",
        "by maximum 2 days",
    ),
    (
        CaseKind.FOLLOW_UP_SECOND_APPOINTMENT,
        "30 days",
        "pending-customer-action.txt",
        "after 30 days of appointment day",
    ),
    (CaseKind.FOLLOW_UP_PAINTING, "50 %", "pending-customer-action.txt", "50 % for material"),
    (
        CaseKind.FOLLOW_UP_PAINTING,
        "10 %",
        "pending-customer-action.txt",
        "add 10 % for regular material price",
    ),
    (CaseKind.FOLLOW_UP_PAINTING, "29 %", "pending-customer-action.txt", "add 29 % on"),
    (
        CaseKind.FOLLOW_UP_PAINTING,
        "follow the customer up once",
        "pending-customer-action.txt",
        "follow customer once during painting orders",
    ),
]


@pytest.mark.parametrize("kind, said, sop_file, sop_says", FROM_SOP)
def test_the_guidance_quotes_the_sop_numbers(kind, said, sop_file, sop_says):
    assert _words(said) in _text(guidance_for(kind))
    path = SOP_DIR / sop_file
    if not path.exists():
        pytest.skip(f"{path} is not in this checkout")
    assert _words(sop_says) in _words(path.read_text(encoding="utf-8"))
