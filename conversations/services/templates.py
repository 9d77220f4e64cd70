"""Using a reply template: the draft filled from the case (to preview or send), and sending
it, with what the template also does (a move, a priority) and, from a task, the task closed
as done by that mail, all in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from cases.models import Case, Task, TaskState
from cases.services import close_task, transition_case, update_case
from core.errors import InvalidInput, NotFoundError, TransitionConflict
from core.roles import User

from .. import templating
from ..models import Message, ReplyTemplate
from .outbound import send_message

COUNTRY_LANGUAGE = {"EG": "ar", "IN": "en"}


@dataclass(frozen=True)
class Draft:
    key: str
    language: str
    name: str
    to: str
    subject: str
    body: str
    template: ReplyTemplate  # what it was filled from (its moves and priority)


def template_key_for(task: Task) -> str:
    """The template that answers a task's SOP step: its kind, with its purpose if any."""
    purpose = (task.params or {}).get("purpose")
    return f"{task.kind}.{purpose}" if purpose else task.kind


def default_language(case: Case) -> str:
    return COUNTRY_LANGUAGE.get(case.city.region.country, "en") if case.city_id else "en"


def find_template(key: str, language: str) -> ReplyTemplate | None:
    """The active template for the key in the language, else in English."""
    found = {
        t.language: t
        for t in ReplyTemplate.objects.filter(key=key, active=True, language__in={language, "en"})
    }
    return found.get(language) or found.get("en")


def compose(
    *, case_id: int, actor: User, key: str, language: str = "", task: Task | None = None
) -> Draft:
    """The template filled for this case (nothing written)."""
    case = Case.objects.select_related("city__region").filter(pk=case_id).first()
    if case is None:
        raise NotFoundError(f"Case {case_id} does not exist.")
    language = language or default_language(case)
    template = find_template(key, language)
    if template is None:
        raise InvalidInput({"template": f"No active template {key!r}."})
    values = templating.facts(case, actor=actor, task_params=task.params if task else None)
    return Draft(
        key=template.key,
        language=template.language,
        name=template.name,
        to=template.audience,
        subject=templating.fill(template.subject, values),
        body=templating.fill(template.body, values),
        template=template,
    )


def send_with_template(
    *,
    case_id: int,
    actor: User,
    key: str,
    language: str = "",
    body: str = "",
    subject: str = "",
    to: str = "",
    files: Sequence[UploadedFile] = (),
    task_id: int | None = None,
    channel: str = "email",
) -> Message:
    """Send the template (the agent's edits of its subject or body win), then do what it
    says (move the case, set the priority) and close the task it answers, in one go."""
    with transaction.atomic():
        task = None
        if task_id is not None:
            task = Task.objects.select_for_update().filter(pk=task_id, case_id=case_id).first()
            if task is None:
                raise InvalidInput({"task": f"Case #{case_id} has no task {task_id}."})
            if task.state != TaskState.OPEN:
                raise TransitionConflict(f"Task #{task.pk} is already {task.get_state_display()}.")
        draft = compose(case_id=case_id, actor=actor, key=key, language=language, task=task)
        message = send_message(
            case_id=case_id,
            actor=actor,
            to=to or draft.to,
            subject=subject or draft.subject,
            body=body or draft.body,
            files=files,
            template=draft.key,
            channel=channel,
        )
        template = draft.template
        reason = f"Template {template.name!r} sent."
        if template.then_priority:
            update_case(
                case_id=case_id,
                actor=actor,
                changes={"priority": template.then_priority},
                reason=reason,
            )
        if template.then_transition:
            data = {"disposition": template.then_tag} if template.then_tag else {}
            transition_case(
                case_id=case_id,
                name=template.then_transition,
                actor=actor,
                reason=reason,
                data=data,
            )
        if task is not None:
            how = "e-mail" if channel == "email" else channel
            close_task(task_id=task.pk, actor=actor, outcome=f"Sent by {how}: {message.subject}")
    return message
