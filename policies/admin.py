"""Console page for policy versions: browse them; drafts stay editable, the rest is history."""

from django.contrib import admin

from .models import PolicyStatus, PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "status", "effective_from", "author", "activated_by", "activated_at")
    list_select_related = ("author", "activated_by")
    list_filter = ("status",)
    search_fields = ("version",)
    date_hierarchy = "effective_from"
    list_per_page = 50
    ordering = ("-effective_from",)
    readonly_fields = ("status", "author", "activated_by", "activated_at", "created_at")
    fieldsets = [
        (None, {"fields": ("version", "status", "effective_from", "change_note")}),
        ("Parameters", {"fields": ("parameters",)}),
        (
            "Record",
            {"fields": ("author", "created_at", "activated_by", "activated_at")},
        ),
    ]

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
