"""Promotions in the Django admin: read-only rows, and staff's "Stop" through the service (the
rest of the budget goes back at once, as on the staff page)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from storefeed.promotions import services
from storefeed.promotions.models import Promotion, PromotionState


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "seller",
        "status_id",
        "audience",
        "budget_fen",
        "spent_fen",
        "impressions",
        "state",
        "created_at",
    )
    list_filter = ("state", "audience")
    search_fields = ("seller__username", "=status_id")
    actions = ["stop"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # bought by sellers, with their PIN

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # money moves through the services only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Stop the selected promotions (the rest goes back)"))
    def stop(self, request: HttpRequest, queryset: QuerySet[Promotion]) -> None:
        ids = list(queryset.filter(state=PromotionState.ACTIVE).values_list("pk", flat=True))
        for pk in ids:
            services.promotion_stop(promotion_id=pk, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Stopped %(count)d promotions.") % {"count": len(ids)})
