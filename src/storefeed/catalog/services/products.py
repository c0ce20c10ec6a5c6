"""Products: create, update, restock, withdraw and relist."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.catalog import search
from storefeed.catalog.models import (
    Product,
    ProductStatus,
    Variant,
)
from storefeed.catalog.services.checks import (
    MAX_VARIANTS,
    VARIANT_NAME_MAX,
    _currency,
    _description,
    _own_product,
    _quantity,
    _title,
    require_active_seller,
)
from storefeed.catalog.services.images import _prepared_images, _store_images
from storefeed.catalog.services.stock import product_changed
from storefeed.catalog.services.variants import _variant_of
from storefeed.core.errors import ValidationFailed
from storefeed.core.money import DEFAULT_CURRENCY, parse_amount
from storefeed.sellers.services import transition

PRODUCT_TRANSITIONS: dict[str, frozenset[str]] = {
    ProductStatus.ON_SALE: frozenset({ProductStatus.WITHDRAWN}),
    ProductStatus.WITHDRAWN: frozenset({ProductStatus.ON_SALE}),
}


def _variant_specs(variants: Sequence[Mapping[str, Any]]) -> list[tuple[str, int, int]]:
    if len(variants) > MAX_VARIANTS:
        raise ValidationFailed(
            _("A product can have at most %(max)s variants.") % {"max": MAX_VARIANTS},
            field="variants",
        )
    specs: list[tuple[str, int, int]] = []
    for spec in variants:
        name = _title(spec.get("name"), field="variants", max_length=VARIANT_NAME_MAX)
        price = parse_amount(spec.get("price"), field="variants")
        stock = _quantity(spec.get("stock", 0), field="variants")
        specs.append((name, price, stock))
    names = [s[0].casefold() for s in specs]
    if len(set(names)) != len(names):
        raise ValidationFailed(_("Two variants have the same name."), field="variants")
    return specs


def product_create(
    *,
    account: User,
    title: str,
    price: object = None,
    description: str = "",
    currency: str = DEFAULT_CURRENCY,
    stock: object = 0,
    images: Sequence[UploadedFile] = (),
    media_ids: Sequence[object] = (),
    variants: Sequence[Mapping[str, Any]] = (),
) -> Product:
    """Put a product on sale. With `variants` ([{name, price, stock}]) the variants hold price
    and stock, and the product's own price is the lowest of them."""
    require_active_seller(account)
    title = _title(title)
    description = _description(description)
    currency = _currency(currency)
    specs = _variant_specs(variants)
    if specs:
        if stock not in (0, "0", "", None):
            raise ValidationFailed(
                _("With variants, each variant has its own stock; leave the product's empty."),
                field="stock",
            )
        own_stock = 0
        price_fen = min(s[1] for s in specs)
    else:
        own_stock = _quantity(stock, field="stock")
        price_fen = parse_amount(price, field="price")
    prepared = _prepared_images(account, images, media_ids)
    with transaction.atomic(durable=True):
        product = Product.objects.create(
            seller=account,
            title=title,
            description=description,
            price_fen=price_fen,
            currency=currency,
            stock=own_stock,
            stock_added=own_stock,
            has_variants=bool(specs),
        )
        Variant.objects.bulk_create(
            [
                Variant(
                    product=product,
                    name=name,
                    price_fen=variant_price,
                    stock=variant_stock,
                    stock_added=variant_stock,
                    position=position,
                )
                for position, (name, variant_price, variant_stock) in enumerate(specs)
            ]
        )
        _store_images(product, prepared)
        search.product_index([product.pk])
    return product


def product_update(
    *,
    account: User,
    product_id: object,
    title: str | None = None,
    description: str | None = None,
    price: object = None,
    currency: str | None = None,
    stock: object = None,
    images: Sequence[UploadedFile] | None = None,
    media_ids: Sequence[object] | None = None,
) -> Product:
    """Change what is given. `stock` sets the product's own stock (under the row's lock, so no
    concurrent sale is lost); `images`/`media_ids` replace all images."""
    require_active_seller(account)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = _title(title)
    if description is not None:
        changes["description"] = _description(description)
    if currency is not None:
        changes["currency"] = _currency(currency)
    price_fen = parse_amount(price, field="price") if price not in (None, "") else None
    new_stock = _quantity(stock, field="stock") if stock not in (None, "") else None
    prepared = None
    if images is not None or media_ids is not None:
        prepared = _prepared_images(account, images or (), media_ids or ())
    with transaction.atomic(durable=True):
        product = _own_product(account, product_id, lock=True)
        if product.has_variants and price_fen is not None:
            raise ValidationFailed(
                _("This product's price comes from its variants; change theirs instead."),
                field="price",
            )
        if product.has_variants and new_stock is not None:
            raise ValidationFailed(
                _("This product's stock is kept per variant; restock a variant instead."),
                field="stock",
            )
        if price_fen is not None:
            changes["price_fen"] = price_fen
        if new_stock is not None:
            changes["stock_added"] = product.stock_added + new_stock - product.stock
            changes["stock"] = new_stock
        for name, value in changes.items():
            setattr(product, name, value)
        if changes:
            product.save(update_fields=[*changes, "updated_at"])
        if "title" in changes or "description" in changes:
            search.product_index([product.pk])
        if prepared is not None:
            product.images.all().delete()
            _store_images(product, prepared)
        product_changed(product.pk)
    return product


def product_restock(
    *, account: User, product_id: object, quantity: object, variant_id: object = None
) -> Product:
    """Add `quantity` units (or take them off when negative, never below zero) in one
    conditional UPDATE, to the product or to one of its variants."""
    require_active_seller(account)
    delta = _quantity(quantity, field="quantity", allow_negative=True)
    if delta == 0:
        raise ValidationFailed(_("Enter how many units to add."), field="quantity")
    with transaction.atomic(durable=True):
        product = _own_product(account, product_id)
        change = {"stock": F("stock") + delta, "stock_added": F("stock_added") + delta}
        if variant_id in (None, ""):
            if product.has_variants:
                raise ValidationFailed(
                    _("This product's stock is kept per variant; choose a variant."),
                    field="variant_id",
                )
            rows = Product.objects.filter(
                pk=product.pk, has_variants=False, stock__gte=max(0, -delta)
            ).update(**change)
        else:
            variant = _variant_of(product, variant_id)
            rows = Variant.objects.filter(
                pk=variant.pk, is_active=True, stock__gte=max(0, -delta)
            ).update(**change)
        if rows != 1:
            raise ValidationFailed(
                _("There are not %(count)s units left to take off.") % {"count": -delta},
                field="quantity",
            )
        product_changed(product.pk)
    product.refresh_from_db()
    return product


def _product_move(account: User, product_id: object, to: str) -> Product:
    with transaction.atomic(durable=True):
        product = _own_product(account, product_id, lock=True)
        transition(product, to, legal=PRODUCT_TRANSITIONS, field="status")
        product.save(update_fields=["status", "updated_at"])
        product_changed(product.pk)
    return product


def product_withdraw(*, account: User, product_id: object) -> Product:
    """Take a product off sale; its cards say "withdrawn" and it cannot be bought or posted.
    A suspended seller may still withdraw."""
    return _product_move(account, product_id, ProductStatus.WITHDRAWN)


def product_relist(*, account: User, product_id: object) -> Product:
    """Put a withdrawn product back on sale."""
    require_active_seller(account)
    return _product_move(account, product_id, ProductStatus.ON_SALE)
