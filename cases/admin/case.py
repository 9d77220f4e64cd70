"""The case console: the queue, the case page, its transitions, notes and CSV export."""

from __future__ import annotations

from contextlib import nullcontext

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from unfold.contrib.filters.admin import (
    AutocompleteSelectFilter,
    ChoicesDropdownFilter,
    RelatedDropdownFilter,
)

from core.admin.base import ConsoleAdmin
from core.admin.bulk import OptionalReasonForm, decide_in_bulk
from core.admin.errors import describe_error
from core.admin.pagination import CappedCountPaginator
from core.csv import stream_csv
from core.errors import DomainError
from core.joined import JoinedRead

from .. import services
from ..models import Case, CaseStatus
from .filters import (
    AssigneeFilter,
    OtherThanFilter,
    OverdueFilter,
    SlaFilter,
    WorkFilter,
    as_case_id,
    booking_ids_like,
    customer_ids_named,
    customer_ids_with_phone,
    partner_ids_named,
)
from .forms import CaseAdminForm, CaseWorkerSelect
from .page import case_page, case_zone, people_page
from .sla_badge import sla_badge
from .views import note_view, transition_view


class _ServiceRefused(Exception):
    """Carries a DomainError out of save_model so the admin's transaction rolls back."""

    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


# The change page's read: the case with the rows it shows, in one statement built once (the
# ORM compiled this select_related for every visit: 1.5 ms, more than the query runs). Each
# more join costs the planner more than a primary-key query costs: the two people on the
# case (assignee, creator) are read in one query after it.
_CASE_PAGE_READ = JoinedRead(Case, "booking", "customer", "partner", "city__region", "disposition")


@admin.register(Case)
class CaseAdmin(ConsoleAdmin):
    form = CaseAdminForm
    zone_path = "city__region__timezone"  # a list of one city's cases reads in its zone
    # The audit trail is the page's timeline (cases.timeline), not an inline of rows.
    inlines = []

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
        ("partner", AutocompleteSelectFilter),  # 20,000 partners: searched, never listed
        ("created_at", admin.DateFieldListFilter),
        OtherThanFilter,  # only with ?other_than= (the case page's "other cases" link)
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

    work_fields = ("subject", "description", "team", "assignee", "priority", "due_at")
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

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            # Kind, channel, who and what, state and clocks are in the page's header; the
            # form keeps what may be edited.
            return [(None, {"fields": self.work_fields})]
        return [
            (None, {"fields": ("kind", "subject", "description", "channel", "reporter")}),
            ("Who and what", {"fields": ("booking", "customer", "partner", "city")}),
            ("Work", {"fields": ("team", "assignee", "priority", "due_at")}),
        ]

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
        read = getattr(request, "_case_read", None)
        if read is not None and read.pk == pk:
            return read  # changeform_view read it to learn the region's time zone
        case = _CASE_PAGE_READ.get(pk)  # every case: the console is the back office's
        if case is not None:
            people = get_user_model().objects.in_bulk(
                {case.assignee_id, case.created_by_id} - {None}
            )
            case.assignee = people.get(case.assignee_id)
            case.created_by = people.get(case.created_by_id)
        return case

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

    def record_zone(self, request, object_id):
        return None  # changeform_view reads the case once and activates its zone itself

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Dates and times of the case page are in the region's time zone (written beside
        each), and a date typed into the form is read in that zone. The case is read once,
        here; the add page keeps the user's zone."""
        case = self.get_object(request, object_id) if object_id is not None else None
        request._case_read = case
        zone = case_zone(case) if case is not None else None
        try:
            with timezone.override(zone) if zone is not None else nullcontext():
                response = super().changeform_view(request, object_id, form_url, extra_context)
                if hasattr(response, "render"):
                    response.render()
                return response
        except _ServiceRefused as refused:
            # Raised inside the admin's transaction, so nothing of this save was written.
            self.message_user(request, describe_error(refused.error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def history_view(self, request, object_id, extra_context=None):
        """The history is the case's timeline on its page."""
        url = reverse("admin:cases_case_change", args=[unquote(object_id)])
        return HttpResponseRedirect(f"{url}#timeline")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk and not context.get("is_popup"):
            return case_page(self, request, obj, context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- extra views ---

    def get_urls(self):
        extra = [
            path(
                "people/",
                self.admin_site.admin_view(self.people_view),
                name="cases_case_people",
            ),
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

    def people_view(self, request: HttpRequest) -> JsonResponse:
        """The assignee box's search: case workers whose username or name contains the term,
        20 a page, in the shape the theme's select expects."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = people_page(request.GET.get("term", ""), request.GET.get("page", "1"))
        return JsonResponse(page)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["widget"] = CaseWorkerSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
    def open_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse | None:
        """The selected cases and an optional reason on a confirmation page, then `open` on
        each through the one transition path; what was refused is listed with why."""
        return decide_in_bulk(
            self,
            request,
            queryset.select_related("city"),
            title="Open the selected cases",
            verb="Opened",
            form_class=OptionalReasonForm,
            apply_one=lambda case, data: services.transition_case(
                case_id=case.pk,
                name="open",
                actor=request.user,
                reason=data.get("reason") or "Opened in bulk from the console.",
            ),
            describe=lambda case: f"#{case.pk} {case.subject} ({case.get_status_display()})",
        )
