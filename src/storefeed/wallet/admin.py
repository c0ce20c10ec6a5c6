"""Staff pages for Storefeed Pay: read-only views of the ledger and the wallet's records.
Money only moves through the services, never by editing rows here."""

from django.contrib import admin
from django.http import HttpRequest

from storefeed.core.money import display
from storefeed.wallet.models import (
    Entry,
    IdempotencyKey,
    LedgerAccount,
    LedgerTransaction,
    PaymentPin,
    TopUp,
    Withdrawal,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ("id", "account", "amount", "currency", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "owner", "currency", "balance_display", "created_at")
    list_filter = ("kind", "currency")
    list_select_related = ("owner",)
    search_fields = ("owner__username",)

    @admin.display(description="balance", ordering="balance")
    def balance_display(self, obj: LedgerAccount) -> str:
        return display(obj.balance, obj.currency)


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "ref_type", "ref_id", "currency", "memo", "created_at")
    list_filter = ("kind", "ref_type")
    search_fields = ("=ref_id", "=id", "memo")
    inlines = [EntryInline]


@admin.register(TopUp)
class TopUpAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "amount", "currency", "provider", "state", "created_at")
    list_filter = ("state", "provider")
    list_select_related = ("account",)
    search_fields = ("=id", "account__username", "provider_reference")


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "amount", "currency", "provider", "state", "created_at")
    list_filter = ("state", "provider")
    list_select_related = ("account",)
    search_fields = ("=id", "account__username", "provider_reference")


@admin.register(PaymentPin)
class PaymentPinAdmin(ReadOnlyAdmin):
    # The hash is never shown.
    list_display = ("account", "failed_attempts", "locked_until", "set_at", "changed_at")
    fields = list_display
    list_select_related = ("account",)
    search_fields = ("account__username",)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ("key", "scope", "account", "state", "status_code", "created_at")
    list_filter = ("scope", "state")
    list_select_related = ("account",)
    search_fields = ("=key", "account__username")
    exclude = ("fingerprint",)  # a keyed hash of the body (which may hold a PIN): not shown
