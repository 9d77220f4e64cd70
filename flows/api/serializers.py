"""API shapes of the SOP flows: flow input schemas, decisions, decision history, and the
requests the partner and customer apps send (revisits, OOS tickets, follow-up calls).

A flow's own inputs are validated by its registry entry (cases.flow_registry), the same
rules the console uses; these serializers only describe and render.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.catalog import Team
from cases.models import CaseEvent, Task, TaskState
from core.api.fields import MomentField, PlainDecimalField, enum_field
from policies.sop import followups

from ..intake import OosTicketResult, RevisitResult
from ..runner import FlowRun

JSON_OBJECT = {"type": "object", "additionalProperties": True}


# --- flows and their inputs -------------------------------------------------------------------


class FlowInputSerializer(serializers.Serializer):
    """One question a flow asks; `type` is bool, decimal, date, datetime, int, str, choice or
    list (of texts)."""

    name = serializers.CharField()
    type = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    nullable = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField())
    # Any JSON value, null included: documented as one schema (`{}`), not as oneOf any-or-null,
    # which a null satisfies twice.
    default = serializers.JSONField()
    help = serializers.CharField(allow_blank=True)


class FlowFilledSerializer(serializers.Serializer):
    """A parameter the case's records answer, and the value they give now (null when it
    depends on an input, such as the distance from the partner's location)."""

    name = serializers.CharField()
    source = serializers.CharField()
    value = serializers.JSONField(allow_null=True)


class FlowSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="e.g. revisit.scenario_4")
    title = serializers.CharField()
    sop = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    inputs = FlowInputSerializer(many=True)
    filled = FlowFilledSerializer(many=True)


# --- decisions --------------------------------------------------------------------------------


class ActionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    params = serializers.DictField()


class DecisionSerializer(serializers.Serializer):
    """What the SOP decided and why, under which policy version."""

    outcome = serializers.CharField()
    reason = serializers.CharField()
    tag = serializers.CharField(allow_null=True)
    policy_version = serializers.CharField()
    refused = serializers.BooleanField()
    actions = ActionSerializer(many=True)
    inputs = serializers.DictField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return instance.to_dict() if hasattr(instance, "to_dict") else instance


class CaseStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField()
    team = serializers.CharField()
    disposition = serializers.CharField(source="disposition.path", allow_null=True)
    parked_until = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)


class TaskSerializer(serializers.ModelSerializer):
    """A task on a case: what to do, for whom, by when, and how it ended."""

    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)
    closed_by = serializers.CharField(source="closed_by.username", allow_null=True, default=None)
    owner_team = serializers.ChoiceField(choices=Team.choices, read_only=True)
    state = enum_field(TaskState, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "case",
            "kind",
            "title",
            "detail",
            "params",
            "owner_team",
            "owner",
            "due_at",
            "is_overdue",
            "state",
            "decision",
            "created_at",
            "closed_by",
            "closed_at",
            "outcome",
        ]
        read_only_fields = fields


class TaskCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=2000, help_text="How the task ended, in words.")
    done = serializers.BooleanField(default=True, help_text="false: cancelled, not done.")
    partner_at_fault = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="OOS review tasks: the training / review found the partner at fault or not.",
    )


class TaskReassignSerializer(serializers.Serializer):
    owner = serializers.CharField(
        allow_null=True, help_text="The new owner's username; null: the team's queue."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class FlowRunSerializer(serializers.Serializer):
    """A decision applied: the decision, what was done, what people must do next."""

    flow = serializers.CharField()
    decision = DecisionSerializer()
    disposition = serializers.CharField(allow_null=True)
    actions_applied = serializers.ListField(child=serializers.DictField())
    tasks = TaskSerializer(many=True)
    records = serializers.DictField()
    event_id = serializers.IntegerField()
    case = CaseStateSerializer()

    def to_representation(self, instance: FlowRun) -> dict[str, Any]:
        payload = instance.event.payload
        return {
            "flow": payload.get("flow", ""),
            "decision": instance.decision.to_dict(),
            "disposition": payload.get("disposition"),
            "actions_applied": payload.get("actions_applied", []),
            "tasks": TaskSerializer(instance.event.tasks.select_related("owner"), many=True).data,
            "records": payload.get("records", {}),
            "event_id": instance.event.pk,
            "case": CaseStateSerializer(instance.case).data,
        }


class DecisionEventSerializer(serializers.ModelSerializer):
    """One recorded decision: who, when, under which version, what it concluded and did."""

    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    flow = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    tag = serializers.SerializerMethodField()
    disposition = serializers.SerializerMethodField()
    actions_applied = serializers.SerializerMethodField()
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "at",
            "actor",
            "flow",
            "outcome",
            "reason",
            "policy_version",
            "tag",
            "disposition",
            "actions_applied",
            "tasks",
        ]

    def get_flow(self, event: CaseEvent) -> str:
        return event.payload.get("flow", "")

    def get_outcome(self, event: CaseEvent) -> str:
        return event.payload.get("outcome", "")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_tag(self, event: CaseEvent) -> str | None:
        return event.payload.get("tag")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_disposition(self, event: CaseEvent) -> str | None:
        return event.payload.get("disposition")

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_actions_applied(self, event: CaseEvent) -> list[dict[str, Any]]:
        return event.payload.get("actions_applied", [])


# --- requests from the apps -------------------------------------------------------------------


class RevisitRequestSerializer(serializers.Serializer):
    requested_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day the customer asks (default today); a day after today, region time, is "
        "a 400.",
    )
    issue_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RevisitBookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    status = serializers.CharField()
    is_sme_revisit = serializers.BooleanField()
    revisit_of = serializers.IntegerField(source="revisit_of_id")
    service_date = serializers.DateField()


class RevisitResultSerializer(serializers.Serializer):
    booking = RevisitBookingSerializer(
        allow_null=True, help_text="The revisit booking; null when it was escalated instead."
    )
    case = CaseStateSerializer()
    decision = DecisionSerializer()

    def to_representation(self, instance: RevisitResult) -> dict[str, Any]:
        booking = instance.booking
        return {
            "booking": RevisitBookingSerializer(booking).data if booking is not None else None,
            "case": CaseStateSerializer(instance.case).data,
            "decision": instance.decision.to_dict(),
        }


class OosTicketRequestSerializer(serializers.Serializer):
    booking = serializers.IntegerField(help_text="The booking's id.")
    latitude = PlainDecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = PlainDecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180)
    images = serializers.ListField(
        child=serializers.CharField(max_length=500),
        allow_empty=True,
        max_length=20,
        help_text="Image files or URLs showing the work that cannot be delivered.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class OosTicketResultSerializer(serializers.Serializer):
    created = serializers.BooleanField()
    case = CaseStateSerializer()
    decision = DecisionSerializer(allow_null=True)

    def to_representation(self, instance: OosTicketResult) -> dict[str, Any]:
        return {
            "created": instance.created,
            "case": CaseStateSerializer(instance.case).data,
            "decision": instance.decision.to_dict() if instance.decision else None,
        }


# Every step of the SOP's call scripts, for the schema; a case takes the steps of its own script.
CALL_SCRIPT_STEPS = list(
    dict.fromkeys(step for flow in followups.FLOWS for step in followups.call_script(flow))
)


@extend_schema_field({"type": "string", "enum": CALL_SCRIPT_STEPS})
class CallScriptStepField(serializers.CharField):
    """A step of a call script, named by its text as the SOP writes it."""


class CallAttemptSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=followups.CALL_OUTCOMES)
    at = MomentField(
        required=False,
        help_text="When the call was made (default now); more than a few minutes ahead of now "
        "(FUTURE_TIME_TOLERANCE_SECONDS) is a 400 on at.",
    )
    material_needed = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Second appointments."
    )
    operations_note_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, default=None
    )
    new_appointment_at = MomentField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The new appointment agreed on the call (outcome new_appointment).",
    )
    script = serializers.ListField(
        child=CallScriptStepField(max_length=500),
        required=False,
        max_length=20,
        help_text="The steps of the case's call script done on the call (the first-visit or "
        "the second-appointment script, by the case's kind), each as the script writes it; a "
        "step sent twice counts once. Saved with the call in the script's order. A step that "
        "is not in this case's script is a 400 on script.",
    )
