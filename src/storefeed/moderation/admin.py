"""Reports in the Django admin: the queue, each report's posts and history (read only)."""

from django.contrib import admin

from storefeed.moderation.models import Report, ReportEvent


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "staff", "kind", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "state", "category", "account", "target_account")
    list_filter = ("state", "category")
    search_fields = ("account__username", "target_account__username", "comment")
    readonly_fields = (
        "account",
        "target_account",
        "status_ids",
        "comment",
        "category",
        "rule_ids",
        "forward",
        "state",
        "action_taken_at",
        "created_at",
    )
    inlines = [ReportEventInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
