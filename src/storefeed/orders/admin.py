"""Staff pages for orders: read-only orders with their items and history, and the dispute
decisions as actions that go through the services (no state is ever edited by hand)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from storefeed.core.errors import DomainError
from storefeed.core.money import display
from storefeed.orders import services
from storefeed.orders.models import Order, OrderEvent, OrderItem


class NoteActionForm(ActionForm):
    note = forms.CharField(required=False, label=_("Note"), max_length=500)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ItemInline(ReadOnlyInline):
    model = OrderItem
    fields = ("product", "variant", "title", "variant_name", "unit_price_fen", "quantity")
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "actor", "from_state", "to_state", "note")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    action_form = NoteActionForm
    actions = ["decide_refund", "decide_complete"]
    list_display = ("id", "state", "buyer", "seller", "total", "created_at")
    list_filter = ("state",)
    search_fields = ("id", "buyer__username", "seller__username", "tracking_number")
    inlines = [ItemInline, EventInline]
    readonly_fields = [f.name for f in Order._meta.fields]

    @admin.display(description=_("total"))
    def total(self, order: Order) -> str:
        return display(order.total_fen, order.currency)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def _decide(self, request: HttpRequest, queryset: QuerySet[Order], outcome: str) -> None:
        note = request.POST.get("note", "")
        done = 0
        for order in queryset:
            try:
                services.order_dispute_resolve(
                    by=request.user,  # type: ignore[arg-type]
                    order_id=order.pk,
                    outcome=outcome,
                    note=note,
                )
            except DomainError as exc:
                self.message_user(request, f"{order}: {exc.message}", messages.ERROR)
                continue
            done += 1
        if done:
            self.message_user(request, _("%(count)s decided.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Decide disputes: refund the buyer"))
    def decide_refund(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._decide(request, queryset, "refund")

    @admin.action(description=_("Decide disputes: the order stands, pay the seller"))
    def decide_complete(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._decide(request, queryset, "complete")
