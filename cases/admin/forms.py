"""Console forms: they collect input for the case services and never write on their own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django_fsm import Transition

from core.roles import CASE_WORKERS

from ..models import Case, CaseStatus, DispositionTag


class CaseAdminForm(forms.ModelForm):
    """The case form of the console; saving goes through services.create_case / update_case."""

    class Meta:
        model = Case
        fields = (
            "kind",
            "channel",
            "reporter",
            "subject",
            "description",
            "booking",
            "customer",
            "partner",
            "city",
            "team",
            "assignee",
            "priority",
            "due_at",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "assignee" in self.fields:
            # The people who work cases, and whoever holds the case now even if they left.
            workers = Q(is_active=True, is_staff=True, groups__name__in=CASE_WORKERS)
            if self.instance.assignee_id:
                workers |= Q(pk=self.instance.assignee_id)
            self.fields["assignee"].queryset = (
                get_user_model().objects.filter(workers).distinct().order_by("username")
            )
        if self.instance.pk is None:
            # create_case fills these from the kind and the booking or customer when left empty.
            defaults = {
                "team": "Leave empty for the kind's default team.",
                "city": "Leave empty to take the booking's or the customer's city.",
            }
            for name, help_text in defaults.items():
                if name in self.fields:
                    self.fields[name].required = False
                    self.fields[name].help_text = help_text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The service refuses edits on closed cases too; saying it here keeps the user's input.
        if self.instance.pk and self.instance.status == CaseStatus.CLOSED and self.changed_data:
            raise forms.ValidationError("This case is closed; a supervisor must reopen it first.")
        return cleaned


class TransitionForm(forms.Form):
    """Confirm one transition: a reason, plus whatever the transition needs (park time, tag)."""

    expected_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in the audit trail with the transition.",
    )

    def __init__(self, *args: Any, case: Case, transition: Transition, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("expected_status", case.status)
        super().__init__(*args, **kwargs)
        self.needs: list[str] = list(transition.custom.get("needs", []))
        # Not required here: the service is the one place that says what is missing.
        if "parked_until" in self.needs:
            self.fields["parked_until"] = forms.DateTimeField(
                label="Park until",
                required=False,
                widget=forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                ),
                help_text="Local time; the case returns to the open queue then.",
            )
        if "disposition" in self.needs:
            self.fields["disposition"] = forms.ModelChoiceField(
                label="Disposition (tag)",
                required=False,
                queryset=DispositionTag.objects.filter(
                    is_selectable=True, kinds__contains=[case.kind]
                ).order_by("path"),
                empty_label="Choose the tag that records the outcome",
                help_text="Only the tags that apply to this kind of case are listed.",
            )

    def service_data(self) -> dict[str, Any]:
        """What transition_case expects in `data`, from the cleaned input."""
        return {
            need: self.cleaned_data[need]
            for need in self.needs
            if self.cleaned_data.get(need) not in (None, "")
        }


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=4000,
    )
    public = forms.BooleanField(
        label="Sent to the customer (a first response on the SLA clock)", required=False
    )
