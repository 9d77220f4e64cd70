"""The case console: the queue, the case page, its transitions, notes and CSV export."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RelatedDropdownFilter

from core.admin.base import ConsoleAdmin
from core.admin.errors import describe_error
from core.admin.pagination import CappedCountPaginator
from core.csv import stream_csv
from core.errors import DomainError

from .. import services
from ..models import (
    Case,
    CaseEvent,
    CaseStatus,
    EventType,
)
from ..timeline import case_timeline
from .filters import (
    AssigneeFilter,
    OverdueFilter,
    SlaFilter,
    WorkFilter,
    as_case_id,
    booking_ids_like,
    customer_ids_named,
    customer_ids_with_phone,
    partner_ids_named,
)
from .forms import CaseAdminForm, NoteForm
from .header import case_header
from .sla_badge import sla_badge
from .views import note_view, offered_transitions, transition_label, transition_view

BULK_LIMIT = 200


class _ServiceRefused(Exception):
    """Carries a DomainError out of save_model so the admin's transaction rolls back."""

    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


@admin.register(Case)
class CaseAdmin(ConsoleAdmin):
    form = CaseAdminForm
    # The audit trail is the page's timeline (cases.timeline), not an inline of rows.
    inlines = []
    change_form_template = "admin/cases/case/change_form.html"

    # Fits 1440 px: the SLA badge says what "due" and "overdue" used to, in one column.
    list_display = (
        "id",
        "subject",
        "kind",
        "status",
        "priority",
        "team",
        "assignee",
        "sla",
        "booking_ref",
    )
    list_display_links = ("id", "subject")
    list_select_related = ("city", "assignee", "booking")
    list_filter = (
        WorkFilter,
        "status",
        OverdueFilter,
        SlaFilter,
        "priority",
        "team",
        ("kind", ChoicesDropdownFilter),  # dozens of kinds: a dropdown, not a long list
        AssigneeFilter,
        ("city", RelatedDropdownFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    list_per_page = 25  # a screenful; the theme renders every cell through templates
    list_max_show_all = 200
    # Open work by next deadline (the partial index case_open_by_deadline); paused last.
    ordering = (F("next_deadline_at").asc(nulls_last=True), "id")
    sortable_by = ("id", "sla")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    search_fields = ("id",)  # shows the box; get_search_results does exact lookups only
    search_help_text = (
        "Case id (#123 opens it), part of a booking id, a phone in any form (+91, 0, spaces),"
        " or part of a customer's or partner's name."
    )
    actions = ["export_csv", "open_selected"]
    raw_id_fields = ("booking", "customer", "partner")

    state_fields = ("status", "disposition", "parked_until", "resolved_at", "closed_at")
    record_fields = ("created_by", "created_at", "updated_at")
    sla_fields = (
        "first_response_due_at",
        "first_responded_at",
        "resolution_due_at",
        "next_deadline_at",
        "paused_since",
        "paused_seconds",
        "sla_warned_at",
        "first_response_breached_at",
        "resolution_breached_at",
        "sla_version",
        "calendar_version",
    )
    # Set when the case is created; a case is not re-linked or re-classified after the fact.
    fixed_after_create = ("kind", "channel", "reporter", "booking", "customer", "partner", "city")

    # The related rows the change page shows, fetched with the case in one query.
    change_page_related = (
        "booking",
        "customer",
        "partner",
        "city__region",
        "assignee",
        "disposition",
        "created_by",
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("kind", "subject", "description", "channel", "reporter")}),
            ("Who and what", {"fields": ("booking", "customer", "partner", "city")}),
            ("Work", {"fields": ("team", "assignee", "priority", "due_at")}),
        ]
        if obj is not None:
            # State, tag and the SLA clocks are in the page's header; the form keeps what
            # may be edited and the record of who created it.
            fieldsets.append(("Record", {"fields": self.record_fields, "classes": ["collapse"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.status == CaseStatus.CLOSED:
            return (
                self.state_fields
                + self.sla_fields
                + self.record_fields
                + self.fixed_after_create
                + tuple(services.EDITABLE_FIELDS)
            )
        return self.state_fields + self.sla_fields + self.record_fields + self.fixed_after_create

    def get_object(self, request, object_id, from_field=None):
        if from_field is not None:
            return super().get_object(request, object_id, from_field)
        try:
            pk = int(object_id)
        except (TypeError, ValueError):
            return None
        queryset = self.get_queryset(request).select_related(*self.change_page_related)
        return queryset.filter(pk=pk).first()

    def has_delete_permission(self, request, obj=None):
        return False  # a case is never deleted; its audit trail keeps it anyway

    # --- list columns and search ---

    @admin.display(description="booking")
    def booking_ref(self, case: Case) -> str:
        return case.booking.external_id if case.booking_id else ""

    @admin.display(description="SLA", ordering="next_deadline_at")
    def sla(self, case: Case) -> str:
        return sla_badge(case)

    def get_search_results(self, request, queryset, search_term):
        """Exact matches only: a leading-wildcard scan over a million cases is not a search.

        Booking and customer ids are looked up first so the case query is an OR of index
        scans on its own columns, not a join filtered row by row.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        matches = Q()
        case_id = as_case_id(term)
        if case_id is not None:
            matches |= Q(pk=case_id)
        booking_ids = booking_ids_like(term)
        if booking_ids:
            matches |= Q(booking_id__in=booking_ids)
        customer_ids = customer_ids_with_phone(term) + customer_ids_named(term)
        if customer_ids:
            matches |= Q(customer_id__in=customer_ids)
        partner_ids = partner_ids_named(term)
        if partner_ids:
            matches |= Q(partner_id__in=partner_ids)
        if not matches:
            return queryset.none(), False
        return queryset.filter(matches), False

    # --- saving goes through the services ---

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                changes = {
                    field: data[field]
                    for field in form.changed_data
                    if field in services.EDITABLE_FIELDS
                }
                if changes:
                    services.update_case(case_id=obj.pk, actor=request.user, changes=changes)
                return
            case = services.create_case(
                actor=request.user,
                kind=data["kind"],
                channel=data["channel"],
                reporter=data["reporter"],
                subject=data["subject"],
                description=data.get("description", ""),
                booking=data.get("booking"),
                customer=data.get("customer"),
                partner=data.get("partner"),
                city=data.get("city"),
                team=data.get("team") or None,
                priority=data.get("priority") or "low",
                due_at=data.get("due_at"),
            )
            if data.get("assignee"):
                services.update_case(
                    case_id=case.pk,
                    actor=request.user,
                    changes={"assignee": data["assignee"]},
                    reason="Assigned when the case was created.",
                )
        except DomainError as exc:
            raise _ServiceRefused(exc) from exc
        obj.pk = case.pk  # the admin logs the addition and redirects to this id

    def changelist_view(self, request, extra_context=None):
        """A search for a case id the user may see opens that case."""
        case_id = as_case_id(request.GET.get("q", "").strip())
        if case_id is not None and self.get_queryset(request).filter(pk=case_id).exists():
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case_id]))
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Dates and times of the case page are in the region's time zone (shown once, in the
        header), and a date typed into the form is read in that zone."""
        zone = self._zone(object_id)
        try:
            with timezone.override(zone):
                response = super().changeform_view(request, object_id, form_url, extra_context)
                if hasattr(response, "render"):
                    response.render()
                return response
        except _ServiceRefused as refused:
            # Raised inside the admin's transaction, so nothing of this save was written.
            self.message_user(request, describe_error(refused.error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _zone(self, object_id) -> ZoneInfo | None:
        if object_id is None or not str(object_id).isdigit():
            return None
        name = (
            Case.objects.filter(pk=int(object_id))
            .values_list("city__region__timezone", flat=True)
            .first()
        )
        return ZoneInfo(name) if name else None

    def history_view(self, request, object_id, extra_context=None):
        """The history is the case's timeline on its page."""
        url = reverse("admin:cases_case_change", args=[unquote(object_id)])
        return HttpResponseRedirect(f"{url}#timeline")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and self.has_change_permission(request, obj):
            context["case_transitions"] = [
                {
                    "name": t.name,
                    "label": transition_label(t),
                    "url": reverse("admin:cases_case_transition", args=[obj.pk, t.name]),
                }
                for t in offered_transitions(obj, request.user)
            ]
            context["note_form"] = NoteForm()
            context["note_url"] = reverse("admin:cases_case_note", args=[obj.pk])
            if obj.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
                context["sop_flows_url"] = reverse("case_flows:list", kwargs={"case_id": obj.pk})
        if obj is not None and obj.pk:
            context["timeline"] = case_timeline(obj)
            context["header"] = case_header(obj)
            context["tasks"] = list(
                obj.tasks.select_related("owner").order_by("-state", "due_at", "id")[:50]
            )
            context["decisions"] = list(
                CaseEvent.objects.filter(case=obj, type=EventType.DECISION)
                .select_related("actor")
                .order_by("-at", "-id")[:50]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- extra views ---

    def get_urls(self):
        extra = [
            path(
                "<path:object_id>/transition/<slug:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="cases_case_transition",
            ),
            path(
                "<path:object_id>/note/",
                self.admin_site.admin_view(self.note_view),
                name="cases_case_note",
            ),
        ]
        return extra + super().get_urls()

    def transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        return transition_view(self, request, unquote(object_id), name)

    def note_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return note_view(self, request, unquote(object_id))

    # --- actions ---

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse:
        rows = (
            (
                c.pk,
                c.created_at,
                c.kind,
                c.status,
                c.priority,
                c.team,
                c.city.name,
                c.assignee.get_username() if c.assignee else "",
                c.booking.external_id if c.booking else "",
                c.customer.phone if c.customer else "",
                c.partner.external_id if c.partner else "",
                c.disposition.path if c.disposition else "",
                c.subject,
                c.due_at,
                c.resolved_at,
                c.closed_at,
            )
            for c in queryset.select_related(
                "city", "assignee", "booking", "customer", "partner", "disposition"
            ).iterator(chunk_size=2000)
        )
        header = [
            "id",
            "created_at",
            "kind",
            "status",
            "priority",
            "team",
            "city",
            "assignee",
            "booking",
            "customer_phone",
            "partner",
            "disposition",
            "subject",
            "due_at",
            "resolved_at",
            "closed_at",
        ]
        return stream_csv(f"cases-{timezone.localdate():%Y%m%d}.csv", header, rows)

    @admin.action(description="Open selected cases", permissions=["change"])
    def open_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        ids = list(queryset.values_list("pk", flat=True)[: BULK_LIMIT + 1])
        if len(ids) > BULK_LIMIT:
            self.message_user(
                request,
                f"Select at most {BULK_LIMIT} cases to open at once; nothing was changed.",
                messages.ERROR,
            )
            return
        opened, failed = [], []
        for case_id in ids:
            try:
                services.transition_case(
                    case_id=case_id,
                    name="open",
                    actor=request.user,
                    reason="Opened in bulk from the console.",
                )
            except DomainError as exc:
                failed.append(f"#{case_id}: {describe_error(exc)}")
            else:
                opened.append(case_id)
        if opened:
            self.message_user(request, f"Opened {len(opened)} case(s).", messages.SUCCESS)
        if failed:
            self.message_user(
                request,
                f"{len(failed)} case(s) not opened. " + " | ".join(failed),
                messages.WARNING,
            )
