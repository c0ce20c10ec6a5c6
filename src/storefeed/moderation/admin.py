"""Reports in the Django admin: the queue, each report's posts and history, read only; they
are resolved on the staff's web page (/staff/reports/<id>), which the admin links to, so that
every change goes through moderation.services and is kept in the history."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
    list_display = (
        "id",
        "created_at",
        "state",
        "category",
        "account",
        "target_account",
        "staff_page",
    )
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
        "staff_page",
    )
    inlines = [ReportEventInline]

    @admin.display(description=_("Staff page"))
    def staff_page(self, obj: Report) -> str:
        try:
            url = reverse("web:staff_report", args=[obj.pk])
        except NoReverseMatch:  # the admin mounted without the web pages
            url = f"/staff/reports/{obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Resolve or add a note"))

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
