"""Conversations in the console: every inbound e-mail with what became of it (the
quarantine is its "quarantined" and "refused" filter; an admin reads the raw message and
retries it), and the messages of all cases."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin.base import ConsoleAdmin, ReadOnlyAdmin
from core.admin.bulk import OptionalReasonForm, decide_in_bulk

from . import services
from .models import InboundMail, InboundState, Message, ReplyTemplate, Survey
from .templating import FIXED

RAW_SHOWN = 100_000


def _case_link(case_id: int | None) -> str:
    if not case_id:
        return "–"
    url = reverse("admin:cases_case_change", args=[case_id])
    return format_html('<a href="{}">#{}</a>', url, case_id)


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdmin):
    list_display = ("id", "received_at", "from_address", "subject", "state", "case", "reason")
    list_filter = ("state", "via", ("received_at", admin.DateFieldListFilter))
    search_fields = ("=id", "from_address", "subject", "=message_id")
    actions = ["retry"]
    show_full_result_count = False
    fields = (
        "via",
        "received_at",
        "envelope_from",
        "envelope_to",
        "message_id",
        "from_address",
        "subject",
        "state",
        "reason",
        "case",
        "attempts",
        "processed_at",
        "size",
        "raw_text",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw").select_related("result")

    @admin.display(description="case")
    def case(self, inbound: InboundMail) -> str:
        return _case_link(inbound.result.case_id if inbound.result_id else None)

    @admin.display(description="the message as it arrived")
    def raw_text(self, inbound: InboundMail) -> str:
        raw = bytes(InboundMail.objects.values_list("raw", flat=True).get(pk=inbound.pk))
        text = raw[:RAW_SHOWN].decode("utf-8", errors="replace")
        more = f"\n… ({len(raw) - RAW_SHOWN} more bytes)" if len(raw) > RAW_SHOWN else ""
        return format_html('<pre class="cw-raw-mail">{}{}</pre>', text, more)

    @admin.action(description="Process again (quarantined or refused mail)")
    def retry(self, request, queryset):
        def again(inbound: InboundMail, data: dict) -> None:
            done = services.retry_inbound(inbound_id=inbound.pk, actor=request.user)
            self.message_user(request, f"Mail {done.pk}: {done.get_state_display()}. {done.reason}")

        return decide_in_bulk(
            self,
            request,
            queryset.filter(state__in=(InboundState.QUARANTINED, InboundState.REFUSED)),
            title="Process these messages again",
            verb="Messages processed again",
            form_class=OptionalReasonForm,
            apply_one=again,
            describe=lambda m: f"{m.from_address or '?'}: {m.subject or '(no subject)'}",
        )


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "case_link", "direction", "party", "from_address", "subject")
    list_filter = ("direction", "party", "automatic", ("at", admin.DateFieldListFilter))
    search_fields = ("=id", "=case__id", "from_address", "subject", "=message_id")
    list_select_related = ("case",)
    show_full_result_count = False
    fields = (
        "case_link",
        "direction",
        "party",
        "author",
        "from_address",
        "from_name",
        "to",
        "subject",
        "text",
        "message_id",
        "in_reply_to",
        "references",
        "automatic",
        "template",
        "at",
    )
    readonly_fields = fields

    @admin.display(description="case", ordering="case_id")
    def case_link(self, message: Message) -> str:
        return _case_link(message.case_id)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(ConsoleAdmin):
    """Supervisors write the templates; the form refuses an unknown placeholder on save."""

    list_display = ("name", "key", "language", "audience", "then_transition", "active")
    list_filter = ("language", "audience", "active")
    search_fields = ("name", "key", "subject", "body")
    fields = (
        "key",
        "language",
        "name",
        "audience",
        "subject",
        "body",
        "then_transition",
        "then_tag",
        "then_priority",
        "active",
    )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        words = ", ".join("{" + name + "}" for name in sorted(FIXED))
        form.base_fields["body"].help_text = (
            f"Placeholders: {words}, and {{policy.<parameter>}} for a number of the policy in"
            " force. Values are filled in as plain text when the template is used."
        )
        return form

    def has_delete_permission(self, request, obj=None):
        return False  # switch a template off instead: sent messages name it


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("id", "sent_at", "case_link", "customer", "agent", "team", "rating", "rated_at")
    list_filter = ("rating", "team", ("sent_at", admin.DateFieldListFilter))
    search_fields = ("=id", "=case__id", "customer__name", "customer__email")
    list_select_related = ("case", "customer", "agent")
    show_full_result_count = False
    fields = (
        "case_link",
        "customer",
        "agent",
        "team",
        "sent_at",
        "expires_at",
        "rating",
        "comment",
        "rated_at",
    )
    readonly_fields = fields

    @admin.display(description="case", ordering="case_id")
    def case_link(self, survey: Survey) -> str:
        return _case_link(survey.case_id)
