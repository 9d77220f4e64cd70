"""PolicyParameters: SOP defaults, validation, exact JSON round trip, schema."""

import json
from dataclasses import fields, replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.parameters import (
    DEFAULT_POLICY,
    Policy,
    PolicyParameters,
    PolicyValidationError,
)

SOP_DEFAULTS = [
    ("warranty_days", 30),
    ("sme_revisit_number", 2),
    ("revisit_penalty_rate", Decimal("0.60")),
    ("goodwill_threshold_cart_value", Decimal("500")),
    ("goodwill_below_threshold", Decimal("100")),
    ("goodwill_from_threshold", Decimal("150")),
    ("wrong_job_refund_cap", Decimal("3000")),
    ("wrong_job_unanswered_attempts", 2),
    ("wrong_job_fraud_score_max", Decimal("0.70")),
    ("changed_address_partner_bonus", Decimal("100")),
    ("oos_radius_m", 500),
    ("oos_park_hours", 3),
    (
        "metro_cities",
        ("Delhi", "Mumbai", "Hyderabad", "Bangalore", "Ahmedabad", "Pune", "Kolkata", "Chennai"),
    ),
    ("rwm_cities", ("Delhi", "Mumbai")),
    ("ob_form_tat_hours", 24),
    ("product_pickup_return_days", 5),
    ("followup_max_attempts", 2),
    ("followup_close_within_days", 7),
    ("followup_first_call_within_hours", 8),
    ("costing_known_within_hours", 48),
    ("material_booking_delay_hours", 24),
    ("material_booking_max_days", 2),
    ("waiting_on_customer_reopen_days", 30),
    ("operations_handover_hours", 1),
    ("painting_material_markup_rate", Decimal("0.10")),
    ("painting_tax_invoice_surcharge_rate", Decimal("0.29")),
    ("painting_material_advance_rate", Decimal("0.50")),
    ("painting_followups_during_order", 1),
    ("reschedule_change_window_minutes", 90),
    ("refund_tat_days", (("cash", 7), ("online", 7))),
    ("followup_areas", ("Cairo", "Sahel", "Alex")),
    ("escalation_contacts", ("Sajan", "Karuna")),
    ("escalation_cc", ("AM", "TL", "QA")),
    ("material_orders_eo_contact", "Ahmed Fasial"),
    ("call_task_due_minutes", 60),
    ("task_due_hours", 4),
    ("escalation_priority", "high"),
    ("safety_escalation_priority", "urgent"),
    ("job_duration_hours", 2),
    ("sla_first_response_minutes", (("high", 60), ("low", 480), ("medium", 240), ("urgent", 30))),
    ("sla_resolution_minutes", (("high", 1440), ("low", 4320), ("medium", 2880), ("urgent", 240))),
    ("sla_resolution_minutes_by_kind", (("safety_incident", 240),)),
    ("sla_warn_rate", Decimal("0.80")),
    ("sla_breach_priority_steps", 1),
    ("business_time_clocks", ("sla", "material_booking")),
    ("training_review_business_days", 5),
    ("money_decimal_places", 2),
    ("money_rounding", "ROUND_HALF_UP"),
]


@pytest.mark.parametrize("name, expected", SOP_DEFAULTS)
def test_defaults_are_the_sop_values(name, expected):
    assert getattr(PolicyParameters(), name) == expected


def test_every_parameter_names_its_source_sop():
    for f in fields(PolicyParameters):
        assert f.metadata["sop"], f.name


def test_default_policy_version():
    assert DEFAULT_POLICY.version == "sop-2026.1"
    assert DEFAULT_POLICY.params == PolicyParameters()


def test_to_dict_is_json_with_decimals_as_strings():
    data = PolicyParameters().to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["revisit_penalty_rate"] == "0.60"
    assert data["goodwill_threshold_cart_value"] == "500"
    assert data["refund_tat_days"] == {"cash": 7, "online": 7}
    assert data["metro_cities"][0] == "Delhi"


def test_round_trip_is_exact():
    params = PolicyParameters()
    data = json.loads(json.dumps(params.to_dict()))
    again = PolicyParameters.from_dict(data)
    assert again == params
    assert again.to_dict() == params.to_dict()
    assert str(again.revisit_penalty_rate) == "0.60"


def test_missing_keys_take_the_sop_defaults():
    params = PolicyParameters.from_dict({"warranty_days": 45})
    assert params.warranty_days == 45
    assert params.oos_radius_m == 500
    assert PolicyParameters.from_dict({}) == PolicyParameters()


def test_from_dict_normalises_types():
    params = PolicyParameters.from_dict(
        {
            "goodwill_below_threshold": 200,
            "revisit_penalty_rate": "0.5",
            "metro_cities": [" Delhi ", "Pune"],
            "refund_tat_days": [["prepaid", 10], ["cash", 3]],
        }
    )
    assert params.goodwill_below_threshold == Decimal("200")
    assert params.revisit_penalty_rate == Decimal("0.5")
    assert params.metro_cities == ("Delhi", "Pune")
    assert params.refund_tat_days == (("cash", 3), ("online", 10))


@pytest.mark.parametrize(
    "data, field_name, message",
    [
        ({"no_such_thing": 1}, "no_such_thing", "unknown parameter"),
        ({"warranty_days": "30"}, "warranty_days", "integer"),
        ({"warranty_days": 30.0}, "warranty_days", "integer"),
        ({"warranty_days": True}, "warranty_days", "integer"),
        ({"warranty_days": -1}, "warranty_days", "negative"),
        ({"followup_max_attempts": 0}, "followup_max_attempts", "at least 1"),
        ({"oos_radius_m": 0}, "oos_radius_m", "at least 1"),
        ({"goodwill_below_threshold": "-100"}, "goodwill_below_threshold", "negative"),
        ({"goodwill_below_threshold": 0.1}, "goodwill_below_threshold", "not a float"),
        ({"wrong_job_refund_cap": "lots"}, "wrong_job_refund_cap", "decimal"),
        ({"wrong_job_refund_cap": "Infinity"}, "wrong_job_refund_cap", "finite"),
        ({"wrong_job_refund_cap": None}, "wrong_job_refund_cap", "decimal"),
        ({"revisit_penalty_rate": "1.01"}, "revisit_penalty_rate", "between 0 and 1"),
        ({"revisit_penalty_rate": "-0.1"}, "revisit_penalty_rate", "negative"),
        ({"wrong_job_fraud_score_max": "2"}, "wrong_job_fraud_score_max", "between 0 and 1"),
        ({"metro_cities": "Delhi"}, "metro_cities", "list"),
        ({"metro_cities": ["Delhi", ""]}, "metro_cities", "non-empty"),
        ({"metro_cities": ["Delhi", 3]}, "metro_cities", "non-empty"),
        ({"refund_tat_days": {}}, "refund_tat_days", "payment mode"),
        ({"refund_tat_days": {"online": -1}}, "refund_tat_days", "non-negative"),
        ({"refund_tat_days": {"online": "7"}}, "refund_tat_days", "non-negative"),
        ({"refund_tat_days": [["online"]]}, "refund_tat_days", "payment mode"),
        ({"money_rounding": "ROUND_NICELY"}, "money_rounding", "ROUND_HALF_UP"),
        ({"material_orders_eo_contact": ""}, "material_orders_eo_contact", "non-empty"),
    ],
)
def test_from_dict_rejects_bad_values(data, field_name, message):
    with pytest.raises(PolicyValidationError) as excinfo:
        PolicyParameters.from_dict(data)
    assert field_name in excinfo.value.errors
    assert message in excinfo.value.errors[field_name]


def test_from_dict_reports_every_error_at_once():
    with pytest.raises(PolicyValidationError) as excinfo:
        PolicyParameters.from_dict(
            {"bogus": 1, "warranty_days": -1, "revisit_penalty_rate": "3", "oos_radius_m": 2.5}
        )
    assert set(excinfo.value.errors) == {
        "bogus",
        "warranty_days",
        "revisit_penalty_rate",
        "oos_radius_m",
    }


@pytest.mark.parametrize("data", [None, [], "warranty_days=30"])
def test_from_dict_needs_an_object(data):
    with pytest.raises(PolicyValidationError) as excinfo:
        PolicyParameters.from_dict(data)
    assert "__all__" in excinfo.value.errors


def test_direct_construction_validates_too():
    with pytest.raises(PolicyValidationError) as excinfo:
        PolicyParameters(warranty_days=-5)
    assert "warranty_days" in excinfo.value.errors
    with pytest.raises(PolicyValidationError):
        replace(PolicyParameters(), revisit_penalty_rate=Decimal("1.5"))


def test_parameters_are_immutable():
    params = PolicyParameters()
    with pytest.raises(AttributeError):
        params.warranty_days = 31  # type: ignore[misc]


def test_json_schema_describes_to_dict():
    jsonschema = pytest.importorskip("jsonschema")
    schema = PolicyParameters.json_schema()
    assert set(schema["properties"]) == {f.name for f in fields(PolicyParameters)}
    jsonschema.validate(PolicyParameters().to_dict(), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"bogus": 1}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"revisit_penalty_rate": "1.5"}, schema)
    assert schema["properties"]["warranty_days"]["default"] == 30


def test_refund_tat_per_payment_mode():
    params = PolicyParameters.from_dict({"refund_tat_days": {"online": 5, "cash": 9}})
    assert params.refund_tat_days_for("online") == 5
    assert params.refund_tat_days_for("Prepaid") == 5
    assert params.refund_tat_days_for("cash") == 9
    with pytest.raises(ValueError):
        params.refund_tat_days_for("cheque")


@pytest.mark.parametrize(
    "rounding, amount, expected",
    [
        ("ROUND_HALF_UP", "2.675", "2.68"),
        ("ROUND_HALF_UP", "2.665", "2.67"),
        ("ROUND_HALF_EVEN", "2.665", "2.66"),
        ("ROUND_DOWN", "2.679", "2.67"),
    ],
)
def test_round_money_uses_the_policy_rule(rounding, amount, expected):
    params = PolicyParameters(money_rounding=rounding)
    assert params.round_money(Decimal(amount)) == Decimal(expected)


def test_round_money_refuses_floats():
    with pytest.raises(TypeError):
        PolicyParameters().round_money(2.675)  # type: ignore[arg-type]


def test_policy_round_trip_and_validation():
    policy = Policy(version="sop-2027.1", params=PolicyParameters(warranty_days=45))
    assert Policy.from_dict(json.loads(json.dumps(policy.to_dict()))) == policy
    with pytest.raises(PolicyValidationError):
        Policy(version=" ")
    with pytest.raises(PolicyValidationError):
        Policy.from_dict({"version": "x", "params": {}, "extra": 1})


money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=1, places=2, allow_nan=False, allow_infinity=False)
names = st.lists(st.text(min_size=1, max_size=12).filter(str.strip).map(str.strip), max_size=5)


@given(
    warranty_days=st.integers(min_value=0, max_value=3650),
    revisit_penalty_rate=rates,
    goodwill_below_threshold=money,
    wrong_job_refund_cap=money,
    metro_cities=names,
    refund_tat_days=st.dictionaries(
        st.sampled_from(["online", "cash"]), st.integers(0, 60), min_size=1
    ),
)
def test_any_valid_parameter_set_round_trips_exactly(
    warranty_days,
    revisit_penalty_rate,
    goodwill_below_threshold,
    wrong_job_refund_cap,
    metro_cities,
    refund_tat_days,
):
    params = PolicyParameters(
        warranty_days=warranty_days,
        revisit_penalty_rate=revisit_penalty_rate,
        goodwill_below_threshold=goodwill_below_threshold,
        wrong_job_refund_cap=wrong_job_refund_cap,
        metro_cities=tuple(metro_cities),
        refund_tat_days=tuple(refund_tat_days.items()),
    )
    data = json.loads(json.dumps(params.to_dict()))
    again = PolicyParameters.from_dict(data)
    assert again == params
    assert again.to_dict() == data
