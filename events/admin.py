"""The outbox in the console: endpoints (administrators add, change, rotate, test and send
failed deliveries again; supervisors read) and the delivery log with every attempt."""

from __future__ import annotations

import json
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.admin.base import (
    ConsoleTabularInline,
    ReadOnlyAdmin,
    ServiceCreatedAdmin,
    record_label,
)
from core.admin.bulk import OptionalReasonForm, decide_in_bulk
from core.errors import DomainError

from . import selectors, services
from .catalogue import catalogue
from .models import (
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    MailAttempt,
    OutgoingMail,
    WebhookEndpoint,
)


def _type_choices() -> list[tuple[str, str]]:
    return [(kind.name, f"{kind.name}: {kind.summary}") for kind in catalogue()]


class EndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=_type_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event type.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "event_types", "enabled"]
        labels = {"url": "URL"}
        field_classes = {"url": forms.CharField}
        help_texts = {"url": "Where events are POSTed (https:// in production)."}


class RedeliverForm(forms.Form):
    since = forms.DateTimeField(
        help_text="Failed deliveries recorded from this moment on are sent again, in order.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].initial = timezone.localtime() - timedelta(days=1)


def _rate(endpoint: WebhookEndpoint) -> str:
    rate = selectors.success_rate(endpoint.attempts_24h, endpoint.successes_24h)
    if rate is None:
        return "no attempts"
    return f"{rate:.0%} of {endpoint.attempts_24h}"


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceCreatedAdmin):
    form = EndpointForm
    list_display = ("id", "url", "description", "types", "enabled", "rate_24h", "pending_now")
    list_filter = ("enabled",)
    search_fields = ("url", "description")
    actions = ["send_test_event", "rotate_secret", "redeliver_failed"]
    record_actions = ("send_test_event", "rotate_secret", "redeliver_failed")
    show_full_result_count = False

    def get_queryset(self, request):
        return selectors.endpoints_with_rates()

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "event_types", "enabled"]
        return fields if obj is None else [*fields, "secret_note", "health", "errors"]

    def get_readonly_fields(self, request, obj=None):
        shown = ["secret_note", "health", "errors"] if obj is not None else []
        if not self.has_change_permission(request, obj):
            return ["url", "description", "types", "enabled", *shown]
        return shown

    # Only administrators manage endpoints (events.manage_webhooks: no role has it).
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # disable it instead: its delivery log stays

    def has_manage_permission(self, request):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {k: data[k] for k in ("url", "description", "event_types")}
        if change:
            services.update_endpoint(
                actor=request.user, endpoint_id=obj.pk, enabled=data["enabled"], **fields
            )
            return
        endpoint, secret = services.create_endpoint(actor=request.user, **fields)
        if not data["enabled"]:
            services.update_endpoint(actor=request.user, endpoint_id=endpoint.pk, enabled=False)
        obj.pk = endpoint.pk
        obj._state.adding = False
        self.message_user(request, _secret_message(secret), messages.WARNING)

    def save_form(self, request, form, change):
        return form.save(commit=False)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class Checked(form_class):
            def clean(self):
                data = super().clean()
                url = data.get("url")
                if url:
                    try:
                        services._check(url)
                    except DomainError as exc:
                        self.add_error("url", exc.fields.get("url", exc.message))
                return data

        return Checked

    @admin.display(description="event types")
    def types(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.event_types) or "All"

    @admin.display(description="delivered (24 h)")
    def rate_24h(self, endpoint: WebhookEndpoint) -> str:
        return _rate(endpoint)

    @admin.display(description="pending")
    def pending_now(self, endpoint: WebhookEndpoint) -> int:
        return endpoint.pending

    @admin.display(description="signing secret")
    def secret_note(self, endpoint: WebhookEndpoint) -> str:
        note = "Write-only: shown once when made or rotated. Rotate it to get a new one."
        if endpoint.previous_secret_until and endpoint.previous_secret_until > timezone.now():
            until = timezone.localtime(endpoint.previous_secret_until)
            note += f" The previous secret is valid until {until:%Y-%m-%d %H:%M %Z}."
        return note

    @admin.display(description="health")
    def health(self, endpoint: WebhookEndpoint) -> str:
        parts = [f"Delivered {_rate(endpoint)} attempts in 24 h; {endpoint.pending} pending."]
        if endpoint.failing_since:
            since = timezone.localtime(endpoint.failing_since)
            parts.append(f"Failing since {since:%Y-%m-%d %H:%M %Z}.")
        if endpoint.disabled_reason:
            parts.append(f"Disabled: {endpoint.disabled_reason}")
        return " ".join(parts)

    @admin.display(description="last errors")
    def errors(self, endpoint: WebhookEndpoint) -> str:
        rows = selectors.last_errors(endpoint.pk)
        if not rows:
            return "None."
        return format_html_join(
            mark_safe("<br>"),
            "{} · {} · {}",
            (
                (
                    f"{timezone.localtime(a.at):%Y-%m-%d %H:%M:%S %Z}",
                    a.delivery.event.type,
                    a.status_code or a.error,
                )
                for a in rows
            ),
        )

    @record_label("Send a test event")
    @admin.action(description="Send a test event", permissions=["manage"])
    def send_test_event(self, request, queryset):
        return decide_in_bulk(
            self,
            request,
            queryset,
            title="Send a test event (webhook.test)",
            verb="Test events queued",
            form_class=OptionalReasonForm,
            apply_one=lambda e, data: services.send_test_event(
                actor=request.user, endpoint_id=e.pk
            ),
            describe=lambda e: e.url,
        )

    @record_label("Rotate the signing secret")
    @admin.action(description="Rotate the signing secret", permissions=["manage"])
    def rotate_secret(self, request, queryset):
        def rotate(endpoint, data):
            _, secret = services.rotate_secret(actor=request.user, endpoint_id=endpoint.pk)
            self.message_user(
                request, f"{endpoint.url}: {_secret_message(secret)}", messages.WARNING
            )

        return decide_in_bulk(
            self,
            request,
            queryset,
            title="Rotate the signing secret (the old one stays valid for 24 hours)",
            verb="Secrets rotated",
            form_class=OptionalReasonForm,
            apply_one=rotate,
            describe=lambda e: e.url,
        )

    @record_label("Send failed deliveries again")
    @admin.action(description="Send failed deliveries again", permissions=["manage"])
    def redeliver_failed(self, request, queryset):
        def redeliver(endpoint, data):
            count = services.redeliver_failed_since(
                actor=request.user,
                endpoint_id=endpoint.pk,
                since=data["since"],
                reason=data["reason"],
            )
            self.message_user(request, f"{endpoint.url}: {count} deliveries sent again.")

        return decide_in_bulk(
            self,
            request,
            queryset,
            title="Send the failed deliveries again, in the order they were recorded",
            verb="Endpoints redelivered",
            form_class=RedeliverForm,
            apply_one=redeliver,
            describe=lambda e: e.url,
        )


def _secret_message(secret: str) -> str:
    return (
        f"Signing secret, shown this once: {secret} — copy it into your receiver now; "
        "it cannot be shown again."
    )


class _AttemptsInline(ConsoleTabularInline):
    """The attempts under a delivery or a mail: read, never added, changed or removed."""

    extra = 0
    can_delete = False
    verbose_name_plural = "attempts"

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttemptInline(_AttemptsInline):
    model = DeliveryAttempt
    fields = ("at", "status_code", "error", "duration_ms", "response_body")


class EventTypeFilter(admin.SimpleListFilter):
    title = "event type"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return [(kind.name, kind.name) for kind in catalogue()]

    def queryset(self, request, queryset):
        return queryset.filter(event__type=self.value()) if self.value() else queryset


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "endpoint",
        "event_type",
        "subject",
        "state",
        "attempts",
        "last_status",
        "last_error",
        "next_attempt_at",
    )
    list_filter = ("state", EventTypeFilter, "endpoint", ("created_at", admin.DateFieldListFilter))
    search_fields = ("=id", "subject", "event__uid")
    list_select_related = ("event", "endpoint")
    fields = (
        "endpoint",
        "webhook_id",
        "event_type",
        "subject",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status",
        "last_error",
        "delivered_at",
        "created_at",
        "body",
    )
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["retry_now"]
    record_actions = ("retry_now",)
    show_full_result_count = False

    def has_manage_permission(self, request):
        return request.user.is_superuser

    def record_action_allowed(self, request, obj: Delivery, name: str) -> bool:
        return obj.state != DeliveryState.DELIVERED

    @admin.display(description="event type")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.type

    @admin.display(description="webhook-id")
    def webhook_id(self, delivery: Delivery) -> str:
        return delivery.event.webhook_id

    @admin.display(description="body sent")
    def body(self, delivery: Delivery) -> str:
        text = json.dumps(delivery.event.envelope(), indent=2, ensure_ascii=False)
        return format_html('<pre class="cw-json">{}</pre>', text)

    @record_label("Retry now")
    @admin.action(description="Retry now (same webhook-id)", permissions=["manage"])
    def retry_now(self, request, queryset):
        return decide_in_bulk(
            self,
            request,
            queryset.select_related("event", "endpoint"),
            title="Retry the deliveries now",
            record_title="Retry this delivery now",
            verb="Deliveries queued again",
            form_class=OptionalReasonForm,
            apply_one=lambda d, data: services.retry_now(actor=request.user, delivery_id=d.pk),
            describe=lambda d: f"{d.event.type} on {d.subject} to {d.endpoint}",
        )


class MailAttemptInline(_AttemptsInline):
    model = MailAttempt
    fields = ("at", "error", "duration_ms")


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    """Mail the system sent or is sending (staff notifications): each with its attempts."""

    list_display = ("id", "created_at", "subject", "recipients", "state", "attempts", "last_error")
    list_filter = ("state", ("created_at", admin.DateFieldListFilter))
    search_fields = ("=id", "subject", "message_id")
    fields = (
        "message_id",
        "from_email",
        "to",
        "cc",
        "subject",
        "body",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "created_at",
    )
    readonly_fields = fields
    inlines = [MailAttemptInline]
    show_full_result_count = False

    @admin.display(description="to")
    def recipients(self, mail: OutgoingMail) -> str:
        return ", ".join([*mail.to, *mail.cc])
