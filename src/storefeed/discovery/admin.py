"""Staff pages for discovery: the hot list (hide and show entries again) and the experts'
ranking (read only: the worker writes it)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from storefeed.discovery import services
from storefeed.discovery.models import ExpertRank, Trend, TrendHide


@admin.register(Trend)
class TrendAdmin(admin.ModelAdmin):
    list_display = ("kind", "item_id", "field_id", "score", "accounts", "reason_signal",
                    "reason_count", "reason_hours", "updated_at")  # fmt: skip
    list_filter = ("kind", "field_id")
    ordering = ("-score",)
    actions = ["hide"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Hide from the hot list"))
    def hide(self, request: HttpRequest, queryset: QuerySet[Trend]) -> None:
        entries = set(queryset.values_list("kind", "item_id"))
        for kind, item_id in entries:
            services.trend_hide(staff=request.user, kind=kind, item_id=item_id)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext("%(n)d entry hidden.", "%(n)d entries hidden.", len(entries))
            % {"n": len(entries)},
            messages.SUCCESS,
        )


@admin.register(TrendHide)
class TrendHideAdmin(admin.ModelAdmin):
    """Deleting a row shows the entry again."""

    list_display = ("kind", "item_id", "hidden_by", "created_at")
    list_filter = ("kind",)
    readonly_fields = ("hidden_by", "created_at")

    def save_model(self, request: HttpRequest, obj: TrendHide, form: object, change: bool) -> None:
        obj.hidden_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(ExpertRank)
class ExpertRankAdmin(admin.ModelAdmin):
    list_display = ("account", "field", "position", "followers", "recent_posts",
                    "orders_completed", "computed_at")  # fmt: skip
    list_filter = ("field",)
    ordering = ("field", "position")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
