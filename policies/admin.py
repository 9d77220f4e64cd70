"""Console page for policy versions: supervisors draft a version from the one in force and
another supervisor activates it; active and retired versions are history and never change."""

from dataclasses import fields

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from core import roles
from core.admin.base import ConsoleAdmin
from core.errors import DomainError
from core.times import when

from . import services
from .admin_form import parameter_groups, policy_version_form, shown_values
from .models import PolicyStatus, PolicyVersion
from .parameters import PolicyParameters
from .selectors import policy_in_force
from .words import label_of, value_in_words


def effective_in_words(moment) -> str:
    """The one way a version's effective moment is written: in the console's time zone,
    with the zone named (the message, the heading and the confirmation all agree)."""
    return when(moment)


def parameter_changes(row: PolicyVersion) -> list[dict]:
    """What a version changes against the version in force at its effective time."""
    current = policy_in_force(row.effective_from)
    before = current.params.to_dict()
    rates = {f.name for f in fields(PolicyParameters) if f.metadata["rate"]}
    return [
        {
            "name": name,
            "label": label_of(name),
            "before": value_in_words(before.get(name), rate=name in rates),
            "after": value_in_words(value, rate=name in rates),
            "against": current.version,
        }
        for name, value in sorted((row.parameters or {}).items())
        if before.get(name) != value
    ]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ConsoleAdmin):
    list_display = ("version", "status", "effective_from", "author", "activated_by", "activated_at")
    list_select_related = ("author", "activated_by")
    list_filter = ("status",)
    search_fields = ("version",)
    date_hierarchy = "effective_from"
    list_per_page = 50
    ordering = ("-effective_from",)
    readonly_fields = ("status", "author", "activated_by", "activated_at", "created_at")
    change_form_template = "admin/policies/policyversion/change_form.html"
    form = policy_version_form()

    def get_fieldsets(self, request, obj=None):
        """The version, then one group per SOP with a typed field per number."""
        head = (
            ("version", "status", "effective_from", "change_note")
            if obj
            else (
                "version",
                "effective_from",
                "change_note",
            )
        )
        groups = [(label, {"fields": names}) for label, names in parameter_groups()]
        record = ("author", "created_at", "activated_by", "activated_at")
        return [(None, {"fields": head}), *groups, ("Record", {"fields": record})]

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status != PolicyStatus.DRAFT:
            fields += ["version", "effective_from", "change_note"]
        return fields

    def get_changeform_initial_data(self, request):
        # A new version starts as a copy of the one in force: change only what must change.
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("parameters", policy_in_force(timezone.now()).params.to_dict())
        return initial

    def has_change_permission(self, request, obj=None):
        # Decisions cite active and retired versions by name: those never change.
        if obj is not None and obj.status != PolicyStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["parameter_changes"] = parameter_changes(obj)
            context["can_activate"] = (
                obj.status == PolicyStatus.DRAFT
                and roles.has_role(request.user, roles.SUPERVISOR)
                and obj.author_id != request.user.pk
            )
            context["effective"] = effective_in_words(obj.effective_from)
            context["activate_url"] = reverse(
                "admin:policies_policyversion_activate", args=[obj.pk]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        extra = [
            path(
                "<int:version_id>/activate/",
                self.admin_site.admin_view(self.activate_view),
                name="policies_policyversion_activate",
            )
        ]
        return extra + super().get_urls()

    def activate_view(self, request, version_id: int):
        """Confirm, then activate through the service (supervisor, never the author)."""
        row = get_object_or_404(PolicyVersion.objects.select_related("author"), pk=version_id)
        if not self.has_view_permission(request, row):
            raise PermissionDenied
        change_url = reverse("admin:policies_policyversion_change", args=[row.pk])
        if request.method == "POST":
            try:
                services.activate_policy_version(version_id=row.pk, actor=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            self.message_user(
                request,
                f"Policy version {row.version} is active; decisions use it from "
                f"{effective_in_words(row.effective_from)}.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        context = {
            "effective": effective_in_words(row.effective_from),
            **self.admin_site.each_context(request),
            "title": f"Activate policy version {row.version}?",
            "opts": self.model._meta,
            "original": row,
            "row": row,
            "parameter_changes": parameter_changes(row),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/policies/policyversion/activate.html", context)


# An active or retired version's page shows each number read-only, through these displays.
for _name, _show in shown_values().items():
    setattr(PolicyVersionAdmin, _name, _show)
