"""Variants of a product ("Red / M"), each with its own price and stock."""

from django.db import transaction
from django.db.models import Count, F, Min
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.catalog.models import (
    Product,
    Variant,
)
from storefeed.catalog.services.checks import (
    MAX_VARIANTS,
    VARIANT_NAME_MAX,
    _own_product,
    _quantity,
    _title,
    require_active_seller,
)
from storefeed.catalog.services.stock import product_changed
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.core.money import parse_amount
from storefeed.core.parse import lookup_id


def _variant_of(product: Product, variant_id: object) -> Variant:
    try:
        pk = lookup_id(variant_id)
    except (TypeError, ValueError):
        pk = 0
    variant = Variant.objects.filter(pk=pk, product_id=product.pk, is_active=True).first()
    if variant is None:
        raise NotFound(_("This product has no such variant."), field="variant_id")
    return variant


def _variants_changed(product: Product) -> None:
    """Keep the product's summary true: has variants, and its price is the lowest of theirs."""
    summary = Variant.objects.filter(product_id=product.pk, is_active=True).aggregate(
        n=Count("id"), low=Min("price_fen")
    )
    product.has_variants = bool(summary["n"])
    if summary["low"] is not None:
        product.price_fen = summary["low"]
    product.save(update_fields=["has_variants", "price_fen", "updated_at"])
    product_changed(product.pk)


def _check_variant_name(product: Product, name: str, *, exclude: int | None = None) -> None:
    clash = Variant.objects.filter(product_id=product.pk, is_active=True, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationFailed(
            _("This product already has a variant called “%(name)s”.") % {"name": name},
            field="name",
        )


def variant_create(
    *, account: User, product_id: object, name: str, price: object, stock: object = 0
) -> Variant:
    """Add a variant ("Red / M") with its own price and stock."""
    require_active_seller(account)
    name = _title(name, field="name", max_length=VARIANT_NAME_MAX)
    price_fen = parse_amount(price, field="price")
    units = _quantity(stock, field="stock")
    with transaction.atomic(durable=True):
        product = _own_product(account, product_id, lock=True)
        if not product.has_variants and product.stock > 0:
            raise ValidationFailed(
                _(
                    "This product has %(count)s units of its own stock; with variants each "
                    "variant has its own. Set the product's stock to 0 first."
                )
                % {"count": product.stock},
                field="product_id",
            )
        active = Variant.objects.filter(product_id=product.pk, is_active=True).count()
        if active >= MAX_VARIANTS:
            raise ValidationFailed(
                _("A product can have at most %(max)s variants.") % {"max": MAX_VARIANTS},
                field="name",
            )
        _check_variant_name(product, name)
        variant = Variant.objects.create(
            product=product,
            name=name,
            price_fen=price_fen,
            stock=units,
            stock_added=units,
            position=active,
        )
        _variants_changed(product)
    return variant


def variant_update(
    *,
    account: User,
    variant_id: object,
    name: str | None = None,
    price: object = None,
    stock: object = None,
) -> Variant:
    """Rename, reprice or set the stock of a variant (stock set under the product's lock)."""
    require_active_seller(account)
    new_name = _title(name, field="name", max_length=VARIANT_NAME_MAX) if name is not None else None
    price_fen = parse_amount(price, field="price") if price not in (None, "") else None
    units = _quantity(stock, field="stock") if stock not in (None, "") else None
    with transaction.atomic(durable=True):
        variant = _own_variant(account, variant_id)
        product = Product.objects.select_for_update().get(pk=variant.product_id)
        variant.refresh_from_db()
        fields = []
        if new_name is not None:
            _check_variant_name(product, new_name, exclude=variant.pk)
            variant.name = new_name
            fields.append("name")
        if price_fen is not None:
            variant.price_fen = price_fen
            fields.append("price_fen")
        if fields:
            variant.save(update_fields=fields)
        if units is not None:
            # One UPDATE computed in the database: orders take variant stock without the
            # product's lock, so a Python read-then-write could lose a sale made meanwhile.
            Variant.objects.filter(pk=variant.pk).update(
                stock_added=F("stock_added") + units - F("stock"), stock=units
            )
            variant.refresh_from_db(fields=["stock", "stock_added"])
        _variants_changed(product)
    return variant


def variant_remove(*, account: User, variant_id: object) -> Variant:
    """Hide a variant: it can no longer be bought; its unsold units leave the stock."""
    require_active_seller(account)
    with transaction.atomic(durable=True):
        variant = _own_variant(account, variant_id)
        product = Product.objects.select_for_update().get(pk=variant.product_id)
        Variant.objects.filter(pk=variant.pk).update(
            is_active=False, stock_added=F("stock_added") - F("stock"), stock=0
        )
        _variants_changed(product)
    variant.refresh_from_db()
    return variant


def _own_variant(account: User, variant_id: object) -> Variant:
    try:
        pk = lookup_id(variant_id)
    except (TypeError, ValueError):
        pk = 0
    variant = Variant.objects.select_related("product").filter(pk=pk, is_active=True).first()
    if variant is None:
        raise NotFound(_("There is no such variant."), field="variant_id")
    if variant.product.seller_id != account.pk:
        raise Forbidden(_("This product belongs to another seller."), field="variant_id")
    return variant
