"""Console pages for regions, cities, partners and partner calendars."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from unfold.contrib.filters.admin import RelatedDropdownFilter

from core.admin.base import ConsoleAdmin, ConsoleTabularInline
from core.errors import InvalidInput, NotPermitted

from . import services
from .models import CalendarSlot, City, Closure, Partner, Region, RegionCalendar


# Rows on the partner page: the latest few, with links to the full lists.
class CityInline(ConsoleTabularInline):
    model = City
    fields = ("name", "is_metro")
    extra = 0


@admin.register(Region)
class RegionAdmin(ConsoleAdmin):
    list_display = ("name", "country", "currency", "timezone", "weekend_days")
    list_filter = ("currency",)
    search_fields = ("name", "country")
    list_per_page = 50
    inlines = [CityInline]


@admin.register(City)
class CityAdmin(ConsoleAdmin):
    list_display = ("name", "region", "is_metro")
    list_select_related = ("region",)
    list_filter = ("region", "is_metro")
    search_fields = ("name",)
    list_per_page = 100


class PartnerForm(forms.ModelForm):
    """The account number and IBAN are written, never shown back: blank keeps what is on file."""

    payout_account_number = forms.CharField(
        required=False,
        max_length=34,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Leave blank to keep the number on file.",
    )
    payout_iban = forms.CharField(
        label="IBAN",
        required=False,
        max_length=34,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Leave blank to keep the IBAN on file.",
    )

    class Meta:
        model = Partner
        exclude: list[str] = []  # the admin's fieldsets choose what is shown

    def clean(self):
        data = super().clean()
        for name in ("payout_account_number", "payout_iban"):
            typed = "".join((data.get(name) or "").split()).upper()
            data[name] = typed or getattr(self.instance, name, "")
        return data


@admin.register(Partner)
class PartnerAdmin(ConsoleAdmin):
    zone_path = "city__region__timezone"
    form = PartnerForm
    list_display = (
        "name",
        "external_id",
        "phone",
        "city",
        "hub",
        "category_list",
        "is_sme",
        "rwm",
        "rating",
        "is_active",
    )
    list_select_related = ("city",)
    list_filter = ("is_active", "is_sme", ("city", RelatedDropdownFilter))
    # Exact ids and phone; any part of the name through the trigram index (partner_name_trgm),
    # as the case search does: "Oni De" finds "Oni Dewan". The autocomplete of every partner
    # filter (PAFs, penalties, reversals, cases) searches through these too.
    search_fields = ("external_id__exact", "phone__exact", "name__contains_ci")
    search_help_text = "Partner id (PX… or the number), phone, or any part of the name."
    list_per_page = 50
    ordering = ("name",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    raw_id_fields = ("user",)
    readonly_fields = ("external_id", "created_at", "payout_account")
    fieldsets = [
        (None, {"fields": ("external_id", "name", "phone", "city", "hub", "is_active")}),
        ("Work", {"fields": ("categories", "is_sme", "programmes", "rating")}),
        (
            "Payout account",
            {
                "fields": (
                    "payout_account",
                    "payout_account_holder",
                    "payout_account_number",
                    "payout_ifsc",
                    "payout_iban",
                )
            },
        ),
        ("Partner app", {"fields": ("user", "created_at"), "classes": ["collapse"]}),
    ]

    @admin.display(description="on file")
    def payout_account(self, partner: Partner) -> str:
        return partner.payout_account_masked

    @admin.display(description="categories")
    def category_list(self, partner: Partner) -> str:
        return ", ".join(partner.categories)

    @admin.display(description="RWM", boolean=True)
    def rwm(self, partner: Partner) -> bool:
        return partner.is_rwm

    def has_delete_permission(self, request, obj=None):
        return False  # bookings, cases and payouts point at partners; deactivate instead

    def get_search_results(self, request, queryset, search_term):
        """The configured fields, and a number is also the partner's own id."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().removeprefix("#")
        if term.isascii() and term.isdigit() and len(term) < 19:
            found = found | queryset.filter(pk=int(term))
        return found, duplicates

    def get_queryset(self, request: HttpRequest):
        # The page's sections need the region (currency, time zone): one join, not a query.
        return super().get_queryset(request).select_related("city__region")


@admin.register(CalendarSlot)
class CalendarSlotAdmin(ConsoleAdmin):
    zone_path = "partner__city__region__timezone"
    list_display = ("partner", "status", "starts_at", "ends_at", "note")
    list_select_related = ("partner",)
    list_filter = ("status", ("starts_at", admin.DateFieldListFilter))
    date_hierarchy = "starts_at"
    search_fields = ("partner__external_id__exact",)
    search_help_text = "Exact partner id (PX…)."
    list_per_page = 100
    ordering = ("-starts_at",)
    show_full_result_count = False
    raw_id_fields = ("partner",)


class _AddOnly(ConsoleAdmin):
    """Calendar rows are versions: added (through the service), never edited or deleted, so
    clocks computed earlier stay explainable."""

    list_per_page = 50

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        admin_page, user = self, request.user

        class ServiceForm(form):
            def _post_clean(self) -> None:
                super()._post_clean()
                if not self.errors:
                    try:
                        admin_page.created = admin_page.create(user, self.cleaned_data)
                    except InvalidInput as exc:
                        for field, messages in exc.fields.items():
                            target = field if field in self.fields else None
                            self.add_error(target, messages)
                    except NotPermitted as exc:
                        self.add_error(None, str(exc))

        return ServiceForm

    def save_model(self, request, obj, form, change) -> None:
        obj.pk = self.created.pk  # written by the service in the form's clean

    def save_related(self, request, form, formsets, change) -> None:
        pass


@admin.register(RegionCalendar)
class RegionCalendarAdmin(_AddOnly):
    zone_path = "region__timezone"
    list_display = ("region", "effective_from", "weekend_days", "opens", "closes", "always_open")
    list_select_related = ("region",)
    list_filter = ("region", "always_open")
    fields = ("region", "effective_from", "weekend_days", "opens", "closes", "always_open", "note")

    def create(self, user, data) -> RegionCalendar:
        return services.add_calendar_version(
            actor=user,
            region=data["region"],
            effective_from=data["effective_from"],
            weekend_days=list(data["weekend_days"] or []),
            opens=data["opens"],
            closes=data["closes"],
            always_open=data["always_open"],
            note=data.get("note") or "",
        )


@admin.register(Closure)
class ClosureAdmin(_AddOnly):
    zone_path = "region__timezone"
    list_display = ("region", "day", "name", "effective_from", "created_by")
    list_select_related = ("region", "created_by")
    list_filter = ("region",)
    search_fields = ("name",)
    date_hierarchy = "day"
    fields = ("region", "day", "name")

    def create(self, user, data) -> Closure:
        return services.add_closure(
            actor=user, region=data["region"], day=data["day"], name=data["name"]
        )
