"""Console pages of conversations: the case page's conversation panel (registered with
cases.admin.page), the reply form's POST, and an attachment's download. Thin: sending goes
through services.send_message.

Mounted by config.urls at admin/cases/case/<case_id>/messages/ (before the admin site),
each view wrapped by the admin site (login, staff)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from cases.admin.render import lines, moment
from cases.models import Case, CaseStatus, Task, TaskState
from cases.selectors import cases_visible_to
from core import roles
from core.admin.errors import describe_error
from core.errors import DomainError

from . import selectors, services
from .models import Attachment, Message, Party, ReplyTemplate

app_name = "case_messages"
SHOWN = 20


class ReplyForm(forms.Form):
    to = forms.ChoiceField(choices=[(Party.CUSTOMER, "Customer"), (Party.PARTNER, "Partner")])
    subject = forms.CharField(required=False, max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000, required=False
    )
    template = forms.CharField(required=False, max_length=64)
    language = forms.CharField(required=False, max_length=2)
    task = forms.IntegerField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("template") and not (data.get("body") or "").strip():
            self.add_error("body", "Write the message.")
        return data


def _draft(request: HttpRequest, case: Case, tasks: list[Task]) -> dict[str, Any] | None:
    """The template the agent picked (?template=key&language=xx&task=id), filled in."""
    key = request.GET.get("template", "")
    if not key:
        return None
    task_id = request.GET.get("task", "")
    task = next((t for t in tasks if str(t.pk) == task_id), None)
    try:
        draft = services.compose(
            case_id=case.pk,
            actor=request.user,
            key=key,
            language=request.GET.get("language", ""),
            task=task,
        )
    except DomainError as exc:
        return {"error": describe_error(exc)}
    return {"draft": draft, "task": task}


def case_page_panel(request: HttpRequest, case: Case, page: dict[str, Any]) -> dict[str, Any]:
    """The case's latest messages with their delivery state, the reply form with the
    template picker for those who work the case, and "Send" on each open task a template
    answers (three queries: messages with author and outbox row; attachments; templates)."""
    shown = list(selectors.case_messages(case.pk).order_by("-at", "-id")[:SHOWN])
    writable = (
        page.get("may_change")
        and case.status != CaseStatus.CLOSED
        and roles.has_role(request.user, roles.CASE_WORKERS)
    )
    recipients = []
    if case.customer_id and case.customer.email:
        recipients.append((Party.CUSTOMER, f"Customer: {case.customer.email}"))
    if case.partner_id and getattr(case.partner, "email", ""):
        recipients.append((Party.PARTNER, f"Partner: {case.partner.email}"))
    context: dict[str, Any] = {
        "messages": shown,
        "messages_html": messages_html(shown),
        "form": None,
        "send_url": reverse("case_messages:send", args=[case.pk]),
        "no_address": writable and not recipients,
    }
    if writable and recipients:
        audiences = {party for party, _ in recipients}
        templates = [t for t in selectors.active_templates() if t.audience in audiences]
        context["templates"] = templates
        picked_key = request.GET.get("template", "")
        context["template_options"] = mark_safe(  # noqa: S308 - escaped
            "".join(
                f'<option value="{escape(t.key)}"{" selected" if t.key == picked_key else ""}>'
                f"{escape(t.name)}</option>"
                for t in templates
                if t.language == "en"
            )
        )
        _offer_on_tasks(page.get("tasks") or [], templates, context["send_url"])
        picked = _draft(request, case, page.get("tasks") or [])
        initial: dict[str, Any] = {"to": recipients[0][0]}
        if picked and "draft" in picked:
            draft = picked["draft"]
            initial = {
                "to": draft.to,
                "subject": draft.subject,
                "body": draft.body,
                "template": draft.key,
                "language": draft.language,
                "task": picked["task"].pk if picked["task"] else None,
            }
            context["draft"] = draft
        elif picked:
            context["draft_error"] = picked["error"]
        form = ReplyForm(initial=initial)
        form.fields["to"].choices = recipients
        context["form"] = form
    return {"conversation": context}


def messages_html(messages: list[Message]) -> SafeString:
    """The conversation's rows, rendered in Python (50 of them cost what 5 do); the same
    markup the template would write, every value escaped. The HTML part is nh3's output."""
    out = []
    zone = timezone.get_current_timezone()
    for m in messages:
        auto = " cw-message-auto" if m.automatic else ""
        subject = escape(m.subject or "(no subject)")
        if m.direction == "in":
            who = (
                f"<strong>{escape(m.from_name or m.from_address)}</strong> "
                f"&lt;{escape(m.from_address)}&gt; wrote" + (" (automatic)" if m.automatic else "")
            )
        else:
            state = m.outgoing.state if m.outgoing_id else m.channel
            label = m.outgoing.get_state_display() if m.outgoing_id else f"asked of {m.channel}"
            error = (
                f' <span class="cw-muted">{escape(m.outgoing.last_error)}</span>'
                if m.outgoing_id and m.outgoing.last_error
                else ""
            )
            who = (
                f"<strong>{escape(m.author.get_username() if m.author else 'System')}</strong>"
                f" to {escape(', '.join(m.to))} "
                f'<span class="cw-badge cw-delivery-{escape(state)}">{escape(label)}</span>{error}'
            )
        html = ""
        if m.html and m.direction == "in":
            html = (
                "<details><summary>As the sender formatted it</summary>"
                f'<div class="cw-mail-html">{m.html}</div></details>'  # nh3-cleaned at ingest
            )
        files = ""
        attachments = list(m.attachments.all())
        if attachments:
            items = "".join(
                f'<li><a href="{reverse("case_messages:attachment", args=[m.case_id, a.pk])}">'
                f"{escape(a.filename)}</a> ({filesizeformat(a.size)})</li>"
                for a in attachments
            )
            files = f'<ul class="cw-attachments">{items}</ul>'
        out.append(
            f'<li class="cw-message cw-message-{escape(m.direction)}{auto}"'
            f' data-direction="{escape(m.direction)}">'
            f'<p class="cw-entry-head"><time>{moment(m.at, zone)}</time> {who}'
            f" — <em>{subject}</em></p>"
            f'<p class="cw-entry-reason">{lines(m.text)}</p>{html}{files}</li>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


def _offer_on_tasks(tasks: list[Task], templates: list[ReplyTemplate], send_url: str) -> None:
    """Mark each open task a template answers (the page's task rows show "Send")."""
    english = {t.key: t for t in templates if t.language == "en"}
    for task in tasks:
        if task.state != TaskState.OPEN:
            continue
        template = english.get(services.template_key_for(task))
        if template is not None:
            task.send_template = template  # read by the case page's task rows


def _back(case_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case_id]) + "#messages")


@require_POST
def send(request: HttpRequest, case_id: int) -> HttpResponse:
    if not cases_visible_to(request.user).filter(pk=case_id).exists():
        raise Http404(f"No case {case_id}.")
    form = ReplyForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        messages.error(request, f"Not sent: {errors}")
        return _back(case_id)
    data = form.cleaned_data
    try:
        if data["template"]:
            message = services.send_with_template(
                case_id=case_id,
                actor=request.user,
                key=data["template"],
                language=data["language"],
                to=data["to"],
                subject=data["subject"],
                body=data["body"],
                files=request.FILES.getlist("files"),
                task_id=data["task"],
            )
        else:
            message = services.send_message(
                case_id=case_id,
                actor=request.user,
                to=data["to"],
                subject=data["subject"],
                body=data["body"],
                files=request.FILES.getlist("files"),
            )
    except DomainError as exc:
        messages.error(request, f"Not sent: {describe_error(exc)}")
    else:
        messages.success(
            request, f"Queued to {', '.join(message.to)}; the timeline shows when it is sent."
        )
    return _back(case_id)


def attachment(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    """An attachment, to back-office readers of its case only, always as a download (a file
    from outside is never shown inline)."""
    if not roles.is_back_office(request.user):
        raise PermissionDenied
    found = (
        Attachment.objects.filter(pk=attachment_id, message__case_id=case_id)
        .filter(message__case__in=cases_visible_to(request.user))
        .first()
    )
    if found is None:
        raise Http404("No such attachment.")
    response = FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def urls(site: Any) -> list:
    return [
        path("send/", site.admin_view(send), name="send"),
        path(
            "attachments/<int:attachment_id>/",
            site.admin_view(attachment),
            name="attachment",
        ),
    ]
