"""Helpers the tests share: clients per user, records put straight into a state (bypassing the
state machines on purpose, like fixtures), jobs and cases on them, the decisions of a case."""

from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Booking, Case, CaseEvent, EventType
from payouts.models import PartnerAtFault
from tests.factories import BookingFactory, CaseFactory, tag_for


def client_for(user) -> APIClient:
    """An API client authenticating with the user's token, as the apps and integrations do."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def logged_in(user) -> Client:
    """A console (browser-like) client with the user's session."""
    client = Client()
    client.force_login(user)
    return client


def case_in(status: str, **kwargs) -> Case:
    """A case already in `status` (set with an UPDATE, as a fixture, not through the FSM)."""
    case = CaseFactory(**kwargs)
    extra: dict = {"status": status}
    if status == "parked":
        extra["parked_until"] = timezone.now() + timedelta(hours=3)
    if status in ("resolved", "closed"):
        extra["disposition"] = tag_for(case.kind)
        extra["resolved_at"] = timezone.now()
    if status == "closed":
        extra["closed_at"] = timezone.now()
    Case.objects.filter(pk=case.pk).update(**extra)
    return Case.objects.get(pk=case.pk)


def completed(booking: Booking) -> Booking:
    """Put a booking straight into `completed`."""
    Booking.objects.filter(pk=booking.pk).update(status="completed")
    booking.refresh_from_db()
    return booking


def completed_booking(**kwargs) -> Booking:
    """A new booking, already completed."""
    return completed(BookingFactory(**kwargs))


def job(*, days_ago: int = 3, status: str = "created", **kwargs) -> Booking:
    """A booking served `days_ago` days ago (local time), in a given status."""
    kwargs.setdefault("booking_time", timezone.now() - timedelta(days=days_ago))
    kwargs.setdefault("service_date", timezone.localtime(kwargs["booking_time"]).date())
    booking = BookingFactory(**kwargs)
    if status != "created":
        extra = {"cancellation_code": "customer_voc", "cancelled_by": "customer"}
        Booking.objects.filter(pk=booking.pk).update(
            status=status, **(extra if status == "cancelled" else {})
        )
        booking.refresh_from_db()
    return booking


def case_on(kind: str, booking: Booking | None = None, **kwargs) -> Case:
    """A case of `kind` on the booking (a fresh one unless given)."""
    booking = booking if booking is not None else job()
    return CaseFactory(kind=kind, booking=booking, **kwargs)


def revisit_of(original: Booking, **kwargs) -> Booking:
    """A revisit booking of `original`, delivered by the same partner unless told otherwise."""
    kwargs.setdefault("partner", original.partner)
    kwargs.setdefault("customer", original.customer)
    kwargs.setdefault("invoice_amount", Decimal("0.00"))
    kwargs.setdefault("cart_value", Decimal("0.00"))
    return BookingFactory(revisit_of=original, **kwargs)


def revisit_job(invoice: str = "799.00", **kwargs) -> Booking:
    """A revisit booking of a fresh original job invoiced `invoice` (the revisit penalty's
    base), with the original's customer and partner (kwargs go to the original)."""
    return revisit_of(BookingFactory(invoice_amount=Decimal(invoice), **kwargs))


def revisit_penalty(
    paf: PartnerAtFault | None = None,
    *,
    path: str = "revisit_scenario_4",
    invoice: str = "799.00",
    genuine: bool = False,
    policy=None,
):
    """The revisit penalty by an SOP path on a PAF (a fresh PAF on a revisit job unless
    given); with `genuine`, the PAF is put in genuine, so a run may deduct the penalty."""
    from payouts import services
    from tests.factories import PafFactory

    paf = paf if paf is not None else PafFactory(booking=revisit_job(invoice))
    penalty = services.create_revisit_penalty(paf=paf, path=path, policy=policy)
    if genuine:
        set_state(paf, "genuine")
    return penalty


def set_state(obj, state: str, **extra) -> None:
    """Put a record straight into a state (bypassing its FSM on purpose, like a fixture)."""
    if isinstance(obj, PartnerAtFault) and state != "pending_review":
        extra.setdefault("reviewed_at", timezone.now())
    type(obj).objects.filter(pk=obj.pk).update(state=state, **extra)
    obj.refresh_from_db()


def decisions(case: Case) -> list[CaseEvent]:
    """The case's DECISION events, oldest first."""
    return list(CaseEvent.objects.filter(case=case, type=EventType.DECISION).order_by("id"))


def last_decision(case: Case) -> CaseEvent:
    """The case's latest DECISION event."""
    return decisions(case)[-1]


def task_kinds(case: Case) -> list[str]:
    """The kinds of the case's tasks, in the order they were made."""
    return list(case.tasks.order_by("id").values_list("kind", flat=True))


def applied(event: CaseEvent) -> dict[str, str]:
    """What a DECISION event did with each action kind (its first action of the kind)."""
    out: dict[str, str] = {}
    for step in event.payload["actions_applied"]:
        out.setdefault(step["kind"], step["status"])
    return out


def opened(kind: str = "status_check", *, city: str = "Delhi", priority: str = "low", **kwargs):
    """A case opened through the service (its SLA clocks started), on a booking in the city."""
    from cases.services import create_case
    from tests.factories import CustomerFactory
    from tests.factories.partners import city as city_named

    kwargs.setdefault("booking", BookingFactory(customer=CustomerFactory(city=city_named(city))))
    assignee = kwargs.pop("assignee", None)
    case = create_case(
        actor=kwargs.pop("actor", None),
        kind=kind,
        channel=kwargs.pop("channel", "inbound_call"),
        reporter=kwargs.pop("reporter", "customer"),
        subject=kwargs.pop("subject", "A customer called"),
        priority=priority,
        **kwargs,
    )
    if assignee is not None:  # as an agent taking the case would
        Case.objects.filter(pk=case.pk).update(assignee=assignee)
        case.refresh_from_db()
    return case


def active_policy(version: str, *, effective_from=None, **params):
    """An active policy version with these parameters changed (in force from now unless
    told), as a supervisor would activate it."""
    from policies.models import PolicyStatus, PolicyVersion
    from policies.parameters import PolicyParameters
    from policies.selectors import clear_policy_cache

    parameters = PolicyParameters.from_dict({**PolicyParameters().to_dict(), **params})
    row = PolicyVersion.objects.create(
        version=version,
        parameters=parameters.to_dict(),
        effective_from=effective_from or timezone.now() - timedelta(seconds=1),
        status=PolicyStatus.ACTIVE,
        activated_at=timezone.now(),
        change_note="test",
    )
    clear_policy_cache()
    return row


def team_lead(team: str, user) -> None:
    """Make the user the team's lead (escalations and breaches go to them)."""
    from cases.models import TeamLead

    TeamLead.objects.update_or_create(team=team, defaults={"lead": user})


# Revisit scenario 1 with no PAF marked: the decision creates a task (tell the partner).
SCENARIO_1_NO_PAF = dict.fromkeys(
    [
        "pro_discussed_and_denied",
        "pro_shared_personal_number",
        "paf_marked",
        "penalty_marked",
        "paf_genuine",
    ],
    False,
)


def decided_with_a_task(agent) -> Case:
    """A revisit case decided with scenario 1 (no PAF), which leaves it one task."""
    from flows import runner

    case = case_on("revisit_customer_cancelled", revisit_of(job(status="completed")))
    runner.decide_case(
        case_id=case.pk, flow="revisit.scenario_1", inputs=SCENARIO_1_NO_PAF, actor=agent
    )
    return case


def api_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation of the OpenAPI schema, deletes last (a walk's
    deletes remove the rows its other requests read)."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    methods = ("get", "post", "put", "patch", "delete")
    found = [(method, path) for path, ops in paths.items() for method in ops if method in methods]
    return sorted(found, key=lambda op: (op[0] == "delete", op[1], op[0]))
