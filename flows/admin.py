"""The task queue in the console: open work by due time, filters by team, owner and kind,
and closing tasks with their outcome (through flows.task_outcomes)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import mark_safe

from cases.models import Task, TaskState
from cases.selectors import end_of_local_day
from core.admin.base import ConsoleAdmin
from core.admin.bulk import ReasonForm, bulk_action
from core.admin.pagination import CappedCountPaginator
from core.times import when
from payouts.services import PAF_REVIEW_TASK
from policies.actions import ActionKind
from policies.words import ACTION_WORDS, action_kind_in_words, params_in_words

from . import task_outcomes


class OverdueTaskFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("today", "Due today"), ("mine", "Mine")]

    def queryset(self, request, queryset: QuerySet[Task]):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(state=TaskState.OPEN, due_at__lt=now)
        if self.value() == "today":
            return queryset.filter(state=TaskState.OPEN, due_at__lte=end_of_local_day(now))
        if self.value() == "mine":
            return queryset.filter(owner_id=request.user.pk)
        return queryset


class TaskStateFilter(admin.SimpleListFilter):
    """Open work unless asked otherwise: the queue, not the archive."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("all", "All"), *TaskState.choices[1:]]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Open",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset: QuerySet[Task]):
        if self.value() is None:
            return queryset.filter(state=TaskState.OPEN)
        if self.value() == "all":
            return queryset
        return queryset.filter(state=self.value())


class TaskKindFilter(admin.SimpleListFilter):
    """Tasks by what they are, in words; the kinds are the SOP steps that make tasks (a fixed
    list, so the filter never scans the queue to find them)."""

    title = "kind"
    parameter_name = "kind__exact"  # the links that name a kind (home tiles, reviews) keep it

    def lookups(self, request, model_admin):
        return sorted(
            ((kind, action_kind_in_words(kind)) for kind in ACTION_WORDS), key=lambda c: c[1]
        )

    def queryset(self, request, queryset: QuerySet[Task]):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class OutcomeForm(forms.Form):
    reason = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="How the task ended: recorded on each task and on its case's trail.",
    )


def _close(done: bool, *, at_fault: bool | None = None):
    def apply(task: Task, data: dict, user) -> Task:
        return task_outcomes.close_task(
            task_id=task.pk,
            actor=user,
            outcome=data["reason"],
            done=done,
            partner_at_fault=at_fault,
        )

    return apply


@admin.register(Task)
class TaskAdmin(ConsoleAdmin):
    zone_path = "case__city__region__timezone"  # times: the case's region (core.times)
    list_display = (
        "title",
        "case",
        "kind_words",
        "owner_team",
        "owner",
        "due_at",
        "state",
        "overdue",
    )
    list_select_related = ("owner", "case")
    list_filter = (TaskStateFilter, OverdueTaskFilter, "owner_team", TaskKindFilter)
    search_fields = ("title", "=case__id")
    search_help_text = "Words of the task, or the case id."
    ordering = ("due_at", "id")
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["mark_done", "cancel", "review_not_at_fault", "review_at_fault"]
    record_actions = ("mark_done", "cancel")

    def get_fields(self, request, obj=None):
        words = {"kind": "kind_words", "params": "params_words"}
        return [words.get(f.name, f.name) for f in Task._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def record_action_allowed(self, request, obj: Task, name: str) -> bool:
        return obj.state == TaskState.OPEN

    @admin.display(description="overdue")
    def overdue(self, task: Task) -> str:
        # A mark on the tasks that are late, nothing on the others (not a red cross).
        if not task.is_overdue:
            return ""
        return mark_safe('<span class="cw-badge cw-danger">overdue</span>')

    @admin.display(description="kind", ordering="kind")
    def kind_words(self, task: Task) -> str:
        return action_kind_in_words(task.kind)

    @admin.display(description="details")
    def params_words(self, task: Task) -> str:
        return params_in_words(task.params) or "–"

    def has_add_permission(self, request):
        return False  # decisions and clocks make tasks

    def has_delete_permission(self, request, obj=None):
        return False

    def bulk_rows(self, queryset):
        return queryset.select_related("case", "owner")

    def describe_for_bulk(self, task: Task) -> str:
        return f"{task.title} (case #{task.case_id}, due {when(task.due_at, short=True)})"

    mark_done = bulk_action(
        description="Mark selected tasks done",
        title="Mark tasks done",
        record_label="Done",
        record_title="Mark this task done",
        verb="Tasks done",
        form_class=OutcomeForm,
        apply=_close(True),
    )
    cancel = bulk_action(
        description="Cancel selected tasks",
        title="Cancel tasks",
        record_label="Cancel this task",
        record_title="Cancel this task",
        verb="Tasks cancelled",
        form_class=ReasonForm,
        apply=_close(False),
    )
    review_not_at_fault = bulk_action(
        description="Review: the partner was not at fault (reverse)",
        title="OOS training / review: not at fault",
        verb="Reviews recorded",
        form_class=OutcomeForm,
        apply=_close(True, at_fault=False),
    )
    review_at_fault = bulk_action(
        description="Review: the partner was at fault (stands)",
        title="OOS training / review: at fault",
        verb="Reviews recorded",
        form_class=OutcomeForm,
        apply=_close(True, at_fault=True),
    )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.GET.get("kind__exact") not in (ActionKind.REVERSE_PAF, PAF_REVIEW_TASK):
            actions.pop("review_not_at_fault", None)
            actions.pop("review_at_fault", None)
        return actions
