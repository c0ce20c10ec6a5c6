"""Staff pages for the catalog: look up products, items and product posts (read-mostly)."""

from django.contrib import admin
from django.http import HttpRequest

from storefeed.catalog.models import ExternalItem, PostProduct, Product, ProductImage, Variant


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ("name", "price_fen", "stock", "stock_added", "is_active")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("position", "file", "width", "height")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    # Sellers change products through the services (web pages, API); staff look, and may
    # only read here so that stock and prices never move outside those rules.
    list_display = ("title", "seller", "price_fen", "currency", "stock", "has_variants", "status")
    list_filter = ("status", "has_variants")
    list_select_related = ("seller",)
    search_fields = ("title", "seller__username")
    inlines = [VariantInline, ImageInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ExternalItem)
class ExternalItemAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "source",
        "item_id",
        "price_fen",
        "availability",
        "last_checked_at",
        "fetched_ok",
        "clicks",
    )
    list_filter = ("source", "availability", "fetched_ok")
    search_fields = ("title", "item_id", "url")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PostProduct)
class PostProductAdmin(admin.ModelAdmin):
    list_display = ("status", "position", "product", "external_item")
    list_select_related = ("product", "external_item")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
