"""No input gives a 500: the shapes the outside walk found (Unicode digits in ids, tampered
cursors, impossible days, decimals in odd forms) tried on every operation of the schema and
on every decimal field of the API and the flows, found from the schema and the code (a new
field of the same kind is covered without a line here), plus the walk's own requests."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from core.api.fields import PlainDecimalField
from flows.inputs import DECIMAL, FieldError
from flows.table import FLOWS
from tests.factories import BookingFactory, PartnerFactory, UserFactory
from tests.helpers import case_on, client_for, job

pytestmark = pytest.mark.django_db

UNICODE_DIGITS = ["²", "٣", "１２", "٥٥٥"]
TAMPERED_CURSORS = [
    base64.b64encode(b"p=abc").decode(),
    base64.b64encode(b"%00").decode(),
    base64.b64encode(b"p=%00&r=1").decode(),
    base64.b64encode(b"p=9999999999999999999999").decode(),
    base64.b64encode(b"o=abc").decode(),
    "not-base64!!",
]
IMPOSSIBLE_DAYS = ["2026-02-30", "9999-12-15", "2026-13-01", "0000-01-01"]
ODD_DECIMALS = ["1e3", "٥.٠٠", "1e30", "NaN", "Infinity", "-Infinity", "1,000.00", "0x10"]
HUGE = "9" * 40
# Query parameters whose value names a row by id (or by id or key).
ID_PARAMS = {"assignee", "city", "partner", "booking", "customer", "case", "paf"}


def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def list_operations() -> list[tuple[str, list[dict]]]:
    """(path, query parameters) of every GET without path parameters."""
    out = []
    for path, methods in schema()["paths"].items():
        if "{" in path or "get" not in methods:
            continue
        params = [p for p in methods["get"].get("parameters", []) if p["in"] == "query"]
        out.append((path, params))
    return out


LISTS = list_operations()


@pytest.fixture
def supervisor_api(db):
    return client_for(UserFactory(username="shapes-super", role="supervisor"))


@pytest.fixture
def finance_api(db):
    return client_for(UserFactory(username="shapes-finance", role="finance"))


def assert_error_body(response, field: str | None = None) -> None:
    body = response.json()
    assert {"code", "detail"} <= set(body), body
    if field is not None:
        assert field in body.get("errors", {}), body


def test_the_walk_covers_the_lists_it_found_broken():
    paths = {path for path, _ in LISTS}
    for name in ("cases", "bookings", "tasks", "calendar-slots", "customers", "refunds"):
        assert f"/api/v1/{name}/" in paths
    with_cursor = {path for path, params in LISTS if any(p["name"] == "cursor" for p in params)}
    assert len(with_cursor) >= 6


@pytest.mark.parametrize("path,params", LISTS, ids=[path for path, _ in LISTS])
def test_every_query_parameter_takes_odd_shapes_without_a_server_error(
    supervisor_api, finance_api, path, params
):
    client = finance_api if "payout" in path or "refund" in path else supervisor_api
    for param in params:
        name = param["name"]
        schema_of = param.get("schema", {})
        shapes = [*UNICODE_DIGITS, HUGE, "\x00", "%00"]
        if schema_of.get("format") in ("date", "date-time") or name == "month":
            shapes += IMPOSSIBLE_DAYS
        if name == "cursor":
            shapes += TAMPERED_CURSORS
        for shape in shapes:
            response = client.get(path, {name: shape})
            assert response.status_code < 500, (path, name, shape, response.content[:300])
            if response.status_code >= 400:
                assert_error_body(response)
            if name in ID_PARAMS and shape in UNICODE_DIGITS:
                assert response.status_code == 400, (path, name, shape)
                assert_error_body(response, name)
            if name == "cursor":
                assert response.status_code == 400, (path, shape)
                assert_error_body(response, "cursor")


@pytest.mark.parametrize(
    "path,param",
    [
        ("/api/v1/cases/", "assignee"),
        ("/api/v1/cases/", "city"),
        ("/api/v1/cases/", "partner"),
        ("/api/v1/cases/", "booking"),
        ("/api/v1/cases/", "customer"),
        ("/api/v1/pafs/", "partner"),
        ("/api/v1/penalties/", "partner"),
    ],
)
def test_a_unicode_digit_in_an_id_filter_is_a_400_on_that_filter(supervisor_api, path, param):
    response = supervisor_api.get(path, {param: "²"})
    assert response.status_code == 400
    assert_error_body(response, param)


@pytest.mark.parametrize(
    "name", ["cases", "bookings", "tasks", "calendar-slots", "customers", "refunds"]
)
@pytest.mark.parametrize("cursor", TAMPERED_CURSORS[:2])
def test_a_tampered_cursor_is_a_400(finance_api, supervisor_api, name, cursor):
    client = finance_api if name == "refunds" else supervisor_api
    response = client.get(f"/api/v1/{name}/", {"cursor": cursor})
    assert response.status_code == 400
    assert_error_body(response, "cursor")


def test_a_cursor_we_gave_out_still_pages(supervisor_api):
    for _ in range(3):
        BookingFactory()
    first = supervisor_api.get("/api/v1/bookings/", {"page_size": 1}).json()
    assert first["next"]
    second = supervisor_api.get(first["next"])
    assert second.status_code == 200 and len(second.json()["results"]) == 1


def test_a_unicode_digit_for_a_calendar_slots_partner_is_a_400(supervisor_api):
    PartnerFactory()
    response = supervisor_api.post(
        "/api/v1/calendar-slots/",
        {
            "partner": "²",
            "starts_at": "2026-12-20T09:00:00+05:30",
            "ends_at": "2026-12-20T11:00:00+05:30",
            "status": "on_leave",
        },
        format="json",
    )
    assert response.status_code == 400
    assert_error_body(response, "partner")


@pytest.mark.parametrize("month", ["2026-02-30", "9999-12-15", "2026-1-1", "²"])
def test_an_impossible_month_on_the_mg_plan_is_a_400(finance_api, month):
    partner = PartnerFactory()
    response = finance_api.get(f"/api/v1/partners/{partner.pk}/mg-plan/", {"month": month})
    assert response.status_code == 400
    assert_error_body(response, "month")


# --- decimals: money takes plain decimal strings only ----------------------------------------


def _api_serializer_classes() -> set[type]:
    classes: set[type] = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
                continue
            view = getattr(pattern.callback, "cls", None)
            if view is None:
                continue
            for attr in ("serializer_class", "input_serializer_class"):
                if getattr(view, attr, None):
                    classes.add(getattr(view, attr))
            for value in vars(view).values():
                if isinstance(value, type) and issubclass(value, serializers.BaseSerializer):
                    classes.add(value)

    walk(get_resolver().url_patterns)
    import cases.api.serializers
    import flows.api.serializers
    import payouts.api.serializers

    for module in (cases.api.serializers, payouts.api.serializers, flows.api.serializers):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, serializers.Serializer):
                classes.add(value)
    return classes


def _decimal_fields():
    found = []
    for cls in _api_serializer_classes():
        try:
            instance = cls()
            fields = instance.fields
        except Exception:  # noqa: BLE001 - a serializer that needs context to be built
            continue
        for name, field in fields.items():
            if isinstance(field, serializers.DecimalField) and not field.read_only:
                found.append((f"{cls.__name__}.{name}", field))
    return found


DECIMAL_FIELDS = _decimal_fields()


def test_every_writable_decimal_of_the_api_is_a_plain_decimal():
    assert len(DECIMAL_FIELDS) >= 5
    loose = [name for name, field in DECIMAL_FIELDS if not isinstance(field, PlainDecimalField)]
    assert loose == []


@pytest.mark.parametrize("name,field", DECIMAL_FIELDS, ids=[n for n, _ in DECIMAL_FIELDS])
def test_every_api_decimal_refuses_odd_forms_and_takes_plain_ones(name, field):
    for shape in [*ODD_DECIMALS, HUGE, True, [], {}]:
        with pytest.raises(serializers.ValidationError):
            field.run_validation(shape)
            pytest.fail(f"{name} took {shape!r}")
    plain = "1" if field.decimal_places == 0 else "1.5"
    low_ok = field.min_value is None or field.min_value <= Decimal(plain)
    if low_ok and (field.max_value is None or field.max_value >= Decimal(plain)):
        assert field.run_validation(plain) == Decimal(plain)


def _flow_decimals():
    return [
        (flow.name, spec)
        for flow in FLOWS.values()
        for spec in flow.parameters
        if spec.type == DECIMAL
    ]


FLOW_DECIMALS = _flow_decimals()


@pytest.mark.parametrize(
    "flow,spec", FLOW_DECIMALS, ids=[f"{f}.{s.name}" for f, s in FLOW_DECIMALS]
)
def test_every_flow_decimal_refuses_odd_forms(flow, spec):
    for shape in [*ODD_DECIMALS, HUGE]:
        with pytest.raises(FieldError):
            spec.coerce(shape)


def test_the_wrong_job_flow_refuses_1e30_as_a_400_on_amount_paid(db):
    agent = UserFactory(username="shapes-agent", role="agent")
    case = case_on("wrong_job_started", job(payment_mode="online", invoice_amount=Decimal("1200")))
    inputs = {"amount_paid": "1e30", "partner_responding": True, "unanswered_attempts": 0}
    response = client_for(agent).post(
        f"/api/v1/cases/{case.pk}/flows/pre_services.wrong_job_started/", inputs, format="json"
    )
    assert response.status_code == 400, response.content
    assert_error_body(response, "amount_paid")


@pytest.mark.parametrize("amount", [1e3, "1e3", "٥.٠٠", "1e30", 12.345])
def test_a_refund_amount_in_an_odd_form_is_a_400_on_amount(finance_api, amount):
    booking = BookingFactory(invoice_amount=Decimal("500.00"))
    response = finance_api.post(
        "/api/v1/refunds/",
        {"booking": booking.pk, "reason": "other", "amount": amount},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert_error_body(response, "amount")


@pytest.mark.parametrize(
    ("value", "taken"),
    [
        ("1970-01-01T00:00:00+00:00", True),
        ("1969-12-31T23:59:59+00:00", False),
        ("1413-11-14T09:44:43.163+01:40", False),
        ("2026-02-30T10:00:00+05:30", False),
        ("2026-12-07T10:00:00+15:00", False),
    ],
)
def test_a_typed_moment_is_from_1970_on_and_real(value, taken):
    from rest_framework.exceptions import ValidationError

    from core.api.fields import MomentField

    field = MomentField()
    if taken:
        assert field.to_internal_value(value).year == 1970
    else:
        with pytest.raises(ValidationError):
            field.to_internal_value(value)
