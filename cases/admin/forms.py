"""Console forms: they collect input for the case services and never write on their own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse
from django_fsm import Transition

from ..models import Case, CaseStatus, DispositionTag
from ..selectors import case_workers


class CaseWorkerSelect(AutocompleteSelect):
    """The theme's search-as-you-type select over the people who work cases. The stock
    autocomplete needs view permission on users, which agents do not have, so it asks the
    case console's own endpoint (CaseAdmin.people_view)."""

    # Labels of people already read with the case (pk -> label), so rendering the chosen
    # one needs no query of its own.
    known: dict[str, str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known = {}

    def get_url(self) -> str:
        return reverse("admin:cases_case_people")

    def optgroups(self, name: str, value: list, attr: dict | None = None) -> list:
        chosen = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not chosen or not chosen <= self.known.keys():
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for pk in sorted(chosen):
            options.append(self.create_option(name, pk, self.known[pk], chosen, len(options)))
        return [(None, options, 0)]


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
            # The widget searches them as one types and renders only the one chosen.
            self.fields["assignee"].queryset = case_workers(also=self.instance.assignee_id)
            widget = self.fields["assignee"].widget
            widget = getattr(widget, "widget", widget)  # the admin wraps it with its links
            if isinstance(widget, CaseWorkerSelect) and self.instance.assignee_id:
                assignee = self.instance.assignee
                widget.known = {str(assignee.pk): str(assignee)}
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


class TagField(forms.ModelChoiceField):
    """A tag by its path, typed into a searchable box (a datalist of the kind's tags)."""

    default_error_messages = {
        "invalid_choice": "Choose one of the tags listed for this kind of case.",
    }


# What a transition asks, in words: the form and the case page's own action forms both use
# these, so the two places say the same.
TRANSITION_WORDS = {
    "reason": {"label": "Reason", "help": "Kept in the audit trail with the transition."},
    "parked_until": {
        "label": "Park until",
        "help": "Local time; the case returns to the open queue then.",
    },
    "disposition": {
        "label": "Disposition (tag)",
        "help": "Only the tags that apply to this kind of case are offered.",
        "placeholder": "Type to search this kind's tags",
    },
}


def confirm_label(note: str) -> str:
    """The box ticked to confirm what is not simply undone, naming the consequence."""
    return f"I understand: {note[0].lower()}{note[1:]}"


def selectable_tags(kind: str):
    """The tags a case of this kind may be resolved with, by path."""
    return DispositionTag.objects.filter(is_selectable=True, kinds__contains=[kind]).order_by(
        "path"
    )


class TransitionForm(forms.Form):
    """One transition: a reason, plus whatever the transition needs (park time, tag), and for
    the ones that cannot simply be undone an explicit confirmation."""

    expected_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=TRANSITION_WORDS["reason"]["help"],
    )

    def __init__(
        self,
        *args: Any,
        case: Case,
        transition: Transition,
        confirm_note: str = "",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("expected_status", case.status)
        super().__init__(*args, **kwargs)
        self.needs: list[str] = list(transition.custom.get("needs", []))
        self.tag_paths: list[str] = []
        # Not required here: the service is the one place that says what is missing.
        if "parked_until" in self.needs:
            self.fields["parked_until"] = forms.DateTimeField(
                label=TRANSITION_WORDS["parked_until"]["label"],
                required=False,
                widget=forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                ),
                help_text=TRANSITION_WORDS["parked_until"]["help"],
            )
        if "disposition" in self.needs:
            tags = selectable_tags(case.kind)
            self.tag_paths = list(tags.values_list("path", flat=True))
            self.fields["disposition"] = TagField(
                label=TRANSITION_WORDS["disposition"]["label"],
                required=False,
                queryset=tags,
                to_field_name="path",
                widget=forms.TextInput(
                    attrs={
                        "list": self.tag_list_id,
                        "autocomplete": "off",
                        "placeholder": TRANSITION_WORDS["disposition"]["placeholder"],
                        "size": 60,
                    }
                ),
                help_text=TRANSITION_WORDS["disposition"]["help"],
            )
        if confirm_note:
            self.fields["confirm"] = forms.BooleanField(
                label=confirm_label(confirm_note),
                error_messages={"required": "Tick the box to confirm; this is not undone."},
            )

    @property
    def tag_list_id(self) -> str:
        """The id of the datalist of tags the tag box searches."""
        return self.add_prefix("tags") if self.prefix else "tags"

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
        label="I told the customer this, by phone or elsewhere (a first response on the SLA "
        "clock; nothing is sent from here)",
        required=False,
    )
