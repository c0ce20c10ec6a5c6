"""Every write of the catalog: products, variants, stock, third-party items, product posts.

Stock moves only through single conditional UPDATEs (`stock_take`, `stock_return`,
`product_restock`), so no read-then-write can oversell. Third-party pages are fetched outside
any transaction; only the short save that follows opens one.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.catalog import importers, search
from storefeed.catalog.errors import ItemUnreadable, TooManyItems
from storefeed.catalog.importers import ItemData
from storefeed.catalog.models import (
    MAX_ITEMS_PER_POST,
    MAX_PRODUCT_IMAGES,
    Availability,
    ExternalItem,
    ItemSource,
    PostProduct,
    Product,
    ProductImage,
    ProductStatus,
    Variant,
)
from storefeed.catalog.selectors import product_for_seller
from storefeed.core import events, sql
from storefeed.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from storefeed.core.money import DEFAULT_CURRENCY, MAX_AMOUNT_MINOR, parse_amount
from storefeed.core.parse import id_or_none, lookup_id, parse_count, parse_id
from storefeed.core.text import clean_plain
from storefeed.posts.media import process_image
from storefeed.posts.models import MediaAttachment, Status, StatusIdempotency
from storefeed.posts.services import IDEMPOTENCY_WINDOW
from storefeed.posts.services import _status_create as status_create_within
from storefeed.sellers.errors import NotASeller
from storefeed.sellers.models import Seller, SellerState
from storefeed.sellers.services import transition

TITLE_MAX = 120
DESCRIPTION_MAX = 5000
MAX_STOCK = 1_000_000
MAX_VARIANTS = 50
VARIANT_NAME_MAX = 60
ITEM_TITLE_MAX = 200
# A third-party item read this recently is not fetched again when pasted again.
ITEM_FRESH_FOR = dt.timedelta(hours=1)
PRODUCT_TRANSITIONS: dict[str, frozenset[str]] = {
    ProductStatus.ON_SALE: frozenset({ProductStatus.WITHDRAWN}),
    ProductStatus.WITHDRAWN: frozenset({ProductStatus.ON_SALE}),
}


# ---------------------------------------------------------------------------------------------
# Checks shared by the services


def require_active_seller(account: User) -> Seller:
    """The approved, active seller behind `account`, or NotASeller with what to do."""
    seller = Seller.objects.filter(account_id=account.pk).first()
    if seller is None or not account.is_active:
        raise NotASeller(
            _("Only approved sellers can sell. Apply to the seller program first."),
            field="account",
        )
    if seller.state != SellerState.ACTIVE:
        raise NotASeller(
            _("Your shop is suspended; you cannot sell or post products until it is reinstated."),
            field="account",
        )
    return seller


def _title(value: object, *, field: str = "title", max_length: int = TITLE_MAX) -> str:
    # Titles stay plain text: whatever HTML is typed is kept as characters and escaped when
    # shown, never interpreted.
    title = clean_plain(str(value or ""))
    if not title:
        raise ValidationFailed(_("Give it a title."), field=field)
    if len(title) > max_length:
        raise ValidationFailed(
            _("Titles can be at most %(max)s characters; this one has %(count)s.")
            % {"max": max_length, "count": len(title)},
            field=field,
        )
    return title


def _description(value: object) -> str:
    description = clean_plain(str(value or ""), multiline=True)
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            _("Descriptions can be at most %(max)s characters.") % {"max": f"{DESCRIPTION_MAX:,}"},
            field="description",
        )
    return description


def _currency(value: object) -> str:
    currency = str(value or DEFAULT_CURRENCY).strip().upper()
    if currency != DEFAULT_CURRENCY:
        raise ValidationFailed(_("Prices are in CNY (yuan)."), field="currency")
    return currency


def _quantity(value: object, *, field: str, allow_negative: bool = False) -> int:
    """A whole number of units (ASCII digits or a JSON integer, core.parse.parse_count), within
    sane bounds; a leading "-" (or a negative integer) only for a change of stock."""
    negative = False
    if allow_negative:
        if isinstance(value, str) and value.startswith("-"):
            negative, value = True, value[1:]
        elif isinstance(value, int) and not isinstance(value, bool) and value < 0:
            negative, value = True, -value
    try:
        units = parse_count(value, field=field, maximum=10**18)
    except ValidationFailed:
        negative_int = isinstance(value, int) and not isinstance(value, bool) and value < 0
        if negative_int or (isinstance(value, str) and id_or_none(value[1:]) and value[0] == "-"):
            raise ValidationFailed(_("Stock cannot be negative."), field=field) from None
        raise ValidationFailed(_("Enter a whole number of units, like 12."), field=field) from None
    if units > MAX_STOCK:
        raise ValidationFailed(
            _("Stock can be at most %(max)s units.") % {"max": f"{MAX_STOCK:,}"}, field=field
        )
    return -units if negative else units


def _ids(values: Iterable[object], *, field: str, what: str) -> list[int]:
    try:
        ids = [parse_id(v, field=field) for v in values]
    except ValidationFailed:
        raise ValidationFailed(_("Unknown %(what)s.") % {"what": what}, field=field) from None
    if len(set(ids)) != len(ids):
        raise ValidationFailed(
            _("The same %(what)s was added twice.") % {"what": what}, field=field
        )
    return ids


def _own_product(account: User, product_id: object, *, lock: bool = False) -> Product:
    return product_for_seller(seller=account, product_id=product_id, lock=lock)


# ---------------------------------------------------------------------------------------------
# Images


def _prepared_images(
    account: User, images: Sequence[UploadedFile], media_ids: Sequence[object]
) -> list[tuple[ContentFile, ContentFile, int, int, str]]:
    """Uploads checked and re-encoded with Pillow, and the account's own uploaded media copied:
    (file, thumbnail, width, height, description), in order, at most nine."""
    wanted_media = _ids(media_ids, field="media_ids", what=_("image"))
    total = len(images) + len(wanted_media)
    if total > MAX_PRODUCT_IMAGES:
        raise ValidationFailed(
            _("A product can have at most %(max)s images; this one has %(count)s.")
            % {"max": MAX_PRODUCT_IMAGES, "count": total},
            field="images",
        )
    prepared = []
    for upload in images:
        processed = process_image(upload, field="images")
        prepared.append(
            (processed.original, processed.small, processed.width, processed.height, "")
        )
    if wanted_media:
        media = {
            m.pk: m
            for m in MediaAttachment.objects.filter(pk__in=wanted_media, account_id=account.pk)
        }
        if len(media) != len(wanted_media):
            raise ValidationFailed(_("An image is missing; upload it again."), field="media_ids")
        for pk in wanted_media:
            item = media[pk]
            # Media files were checked and re-encoded when uploaded; copy the bytes.
            with item.file.open("rb") as original, item.thumbnail.open("rb") as small:
                prepared.append(
                    (
                        ContentFile(
                            original.read(), name=(item.file.name or "image.jpg").rsplit("/", 1)[-1]
                        ),
                        ContentFile(small.read(), name="small.jpg"),
                        item.width,
                        item.height,
                        item.description[:500],
                    )
                )
    return prepared


def _store_images(
    product: Product, prepared: list[tuple[ContentFile, ContentFile, int, int, str]]
) -> None:
    for position, (original, small, width, height, description) in enumerate(prepared):
        image = ProductImage(
            product=product, position=position, width=width, height=height, description=description
        )
        image.file.save(original.name or "image.jpg", original, save=False)
        image.thumbnail.save("small.jpg", small, save=False)
        image.save()


# ---------------------------------------------------------------------------------------------
# Products and variants


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


def product_changed(*product_ids: int) -> None:
    """Tell live clients (core/events.py) that these products' cards changed: stock, price,
    availability, and bring their search rows in step. Called by every write that moves one,
    inside its transaction; the event goes out when it commits, and the streaming process
    reads the cards as they are then."""
    events.publish("product", ids=sorted(set(product_ids)))
    search.product_state(product_ids)


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


# ---------------------------------------------------------------------------------------------
# Stock, for orders: one conditional statement each, the row count says whether it worked.


def stock_take(
    *, product_id: int, variant_id: int | None = None, quantity: int, on_sale: bool = False
) -> bool:
    """Take `quantity` units if that many are left; False (and nothing changed) otherwise.
    Runs in the caller's transaction. With `on_sale`, only from a product on sale by an
    active seller, checked in the same conditional statement (so checkout needs no second
    look after taking the stock); without it, that is not checked."""
    statement = stock_take_statement(
        product_id=product_id, variant_id=variant_id, quantity=quantity, on_sale=on_sale
    )
    taken = sql.execute(*statement) == 1
    if taken:
        product_changed(product_id)
    return taken


def stock_take_statement(
    *, product_id: int, variant_id: int | None = None, quantity: int, on_sale: bool = False
) -> sql.Statement:
    """`stock_take` as one conditional UPDATE for the caller to run (checkout sends it with
    its other statements, `sql.batch`); a row count of 1 means the units were taken. Plain
    SQL: every checkout sends it."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationFailed(_("Choose at least one unit."), field="quantity")
    products, sellers = sql.table(Product), sql.table(Seller)
    # The stock condition stays on the updated row itself (never inside a subquery), so a
    # blocked UPDATE re-checks it against the row the winner committed.
    if variant_id is None:
        text = (
            f"UPDATE {products} SET stock = stock - %s "  # noqa: S608
            "WHERE id = %s AND has_variants = %s AND stock >= %s"
        )
        params: list[object] = [quantity, product_id, False, quantity]
        if on_sale:
            text += (
                f" AND status = %s AND EXISTS (SELECT 1 FROM {sellers} s "  # noqa: S608
                f"WHERE s.account_id = {products}.seller_id AND s.state = %s)"
            )
            params += [ProductStatus.ON_SALE, SellerState.ACTIVE]
        return text, params
    variants = sql.table(Variant)
    text = (
        f"UPDATE {variants} SET stock = stock - %s "  # noqa: S608
        "WHERE id = %s AND product_id = %s AND is_active = %s AND stock >= %s"
    )
    params = [quantity, variant_id, product_id, True, quantity]
    if on_sale:
        text += (
            f" AND EXISTS (SELECT 1 FROM {products} p JOIN {sellers} s "  # noqa: S608
            f"ON s.account_id = p.seller_id WHERE p.id = {variants}.product_id "
            "AND p.status = %s AND s.state = %s)"
        )
        params += [ProductStatus.ON_SALE, SellerState.ACTIVE]
    return text, params


def stock_return(*, product_id: int, variant_id: int | None = None, quantity: int) -> bool:
    """Give back units taken by `stock_take` (an order cancelled or expired)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationFailed(_("Choose at least one unit."), field="quantity")
    if variant_id is None:
        rows = Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity)
    else:
        rows = Variant.objects.filter(pk=variant_id, product_id=product_id).update(
            stock=F("stock") + quantity
        )
    product_changed(product_id)
    return rows == 1


# ---------------------------------------------------------------------------------------------
# Product posts


def product_post_create(
    *,
    account: User,
    text: str,
    product_ids: Sequence[object] = (),
    external_item_ids: Sequence[object] = (),
    idempotency_key: str | None = None,
    **status_fields: Any,
) -> Status:
    """Publish a post carrying up to nine products and third-party items: the products first,
    then the items, each in the order given. Everything is checked before anything is
    written; a refused post leaves nothing behind."""
    require_active_seller(account)
    products_wanted = _ids(product_ids, field="product_ids", what=_("product"))
    items_wanted = _ids(external_item_ids, field="external_item_ids", what=_("item"))
    total = len(products_wanted) + len(items_wanted)
    if total == 0:
        raise ValidationFailed(_("Add at least one product or item."), field="product_ids")
    if total > MAX_ITEMS_PER_POST:
        raise TooManyItems(
            _(
                "A post can carry at most %(max)s products and items together; this one has %(count)s."
            )
            % {"max": MAX_ITEMS_PER_POST, "count": total},
            field="product_ids",
            max=MAX_ITEMS_PER_POST,
            count=total,
        )
    key = (idempotency_key or "").strip()[:200]
    if key:
        earlier = _idempotent_status(account, key)
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic(durable=True):
            products = {p.pk: p for p in Product.objects.filter(pk__in=products_wanted)}
            for pk in products_wanted:
                product = products.get(pk)
                if product is None:
                    raise NotFound(
                        _("Product %(id)s does not exist.") % {"id": pk}, field="product_ids"
                    )
                if product.seller_id != account.pk:
                    raise Forbidden(
                        _(
                            "“%(title)s” belongs to another seller; you can only post your own "
                            "products."
                        )
                        % {"title": product.title},
                        field="product_ids",
                    )
                if product.status != ProductStatus.ON_SALE:
                    raise ValidationFailed(
                        _("“%(title)s” is withdrawn; put it back on sale before posting it.")
                        % {"title": product.title},
                        field="product_ids",
                    )
            found_items = set(
                ExternalItem.objects.filter(pk__in=items_wanted).values_list("pk", flat=True)
            )
            for pk in items_wanted:
                if pk not in found_items:
                    raise NotFound(
                        _("Item %(id)s does not exist.") % {"id": pk}, field="external_item_ids"
                    )
            status = status_create_within(account=account, text=text, **status_fields)
            links = [PostProduct(status=status, product_id=pk) for pk in products_wanted]
            links += [PostProduct(status=status, external_item_id=pk) for pk in items_wanted]
            for position, link in enumerate(links):
                link.position = position
            PostProduct.objects.bulk_create(links)
            if key:
                StatusIdempotency.objects.create(account=account, key=key, status=status)
            return status
    except IntegrityError:
        earlier = _idempotent_status(account, key) if key else None
        if earlier is None:
            raise
        return earlier


def _idempotent_status(account: User, key: str) -> Status | None:
    row = (
        StatusIdempotency.objects.filter(
            account=account, key=key, created_at__gte=timezone.now() - IDEMPOTENCY_WINDOW
        )
        .select_related("status")
        .first()
    )
    return row.status if row is not None else None


# ---------------------------------------------------------------------------------------------
# Third-party items


def _fetch(text: str) -> ItemData:
    """The importer's ItemData for `text`, or ItemUnreadable with its human message, the
    importer's reason code and what is known anyway (to prefill the form for filling in by
    hand). Network: never call this inside a transaction."""
    try:
        return importers.resolve(text)
    except importers.ImportFailed as exc:
        raise ItemUnreadable(
            exc.message or _("We could not read that page."),
            field="url",
            manual=True,
            reason=exc.reason,
            partial=asdict(exc.partial) if exc.partial is not None else None,
        ) from None


def _recognise(text: str) -> tuple[str, str, str] | None:
    """(source, item id, url) when `text` is a link or share text we know; no network."""
    return importers.recognise(text)


def _http_url(value: object) -> str:
    url = str(value or "").strip()
    if not url or len(url) > 2000:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return url


def _clean_item_fields(data: Any) -> dict[str, Any]:
    """ItemData from a page we do not control -> safe field values (plain text, sane price)."""
    price = getattr(data, "price_fen", None)
    if isinstance(price, bool) or not isinstance(price, int) or not 0 < price <= MAX_AMOUNT_MINOR:
        price = None
    currency = str(getattr(data, "currency", "") or DEFAULT_CURRENCY).strip().upper()[:3]
    availability = str(getattr(data, "availability", "") or "")
    if availability not in Availability.values:
        availability = Availability.UNKNOWN
    title = clean_plain(str(getattr(data, "title", "") or ""))[:ITEM_TITLE_MAX]
    return {
        "title": title or _("Item %(id)s") % {"id": getattr(data, "item_id", "")},
        "description": clean_plain(str(getattr(data, "description", "") or ""), multiline=True)[
            :DESCRIPTION_MAX
        ],
        "image_url": _http_url(getattr(data, "image_url", "")),
        "price_fen": price,
        "currency": currency or DEFAULT_CURRENCY,
        "availability": availability,
    }


def _item_save(data: Any, account: User | None) -> ExternalItem:
    source = str(getattr(data, "source", "") or "")
    if source not in ItemSource.values:
        source = ItemSource.WEB
    item_id = str(getattr(data, "item_id", "") or "")[:200]
    url = _http_url(getattr(data, "url", ""))
    if not item_id or not url:
        raise ItemUnreadable(_("We could not read that page."), field="url", manual=True)
    fields = _clean_item_fields(data)
    now = timezone.now()
    fields.update(url=url, fetched_ok=True, last_checked_at=now, attempted_at=now)
    for _attempt in range(2):
        try:
            with transaction.atomic(durable=True):
                item = (
                    ExternalItem.objects.select_for_update()
                    .filter(source=source, item_id=item_id)
                    .first()
                )
                if item is None:
                    item = ExternalItem.objects.create(
                        source=source, item_id=item_id, created_by=account, **fields
                    )
                else:
                    for name, value in fields.items():
                        setattr(item, name, value)
                    item.save(update_fields=list(fields))
                search.item_index([item.pk])
                return item
        except IntegrityError:
            continue  # another request created it meanwhile: update that row
    raise Conflict(_("Please try again."))


def external_item_resolve(*, account: User, text: str) -> ExternalItem:
    """Recognise a pasted link or share text, read the item's page, keep one row per item.
    When the page cannot be read: ItemUnreadable (details `manual=True`), and the seller may
    use `external_item_manual`."""
    require_active_seller(account)
    text = clean_plain(text or "")
    if not text:
        raise ValidationFailed(_("Paste a link or share text."), field="url")
    recognised = _recognise(text)
    if recognised is not None:
        source, item_id, _url = recognised
        known = ExternalItem.objects.filter(
            source=source,
            item_id=item_id,
            fetched_ok=True,
            last_checked_at__gte=timezone.now() - ITEM_FRESH_FOR,
        ).first()
        if known is not None:
            return known
    data = _fetch(text)  # outside any transaction of ours: this is the network call
    return _item_save(data, account)


def external_item_manual(
    *,
    account: User,
    url: str,
    title: str,
    price: object = None,
    image: UploadedFile | None = None,
    image_url: str = "",
) -> ExternalItem:
    """An item filled in by hand when its page could not be read. If the item was already read
    from its page, that data wins and the existing item is returned."""
    require_active_seller(account)
    clean_url = _http_url(clean_plain(url or ""))
    if not clean_url:
        raise ValidationFailed(_("Enter the item's web address (http or https)."), field="url")
    title = _title(title, max_length=ITEM_TITLE_MAX)
    price_fen = parse_amount(price, field="price") if price not in (None, "") else None
    picture_url = ""
    if image_url:
        picture_url = _http_url(image_url)
        if not picture_url:
            raise ValidationFailed(
                _("Enter the image's web address (http or https)."), field="image_url"
            )
    processed = process_image(image, field="image") if image is not None else None
    recognised = _recognise(clean_url)
    if recognised is not None:
        source, item_id, canonical = recognised
        clean_url = _http_url(canonical) or clean_url
    else:
        source = ItemSource.WEB
        item_id = "url:" + hashlib.sha256(clean_url.encode()).hexdigest()[:40]
    fields: dict[str, Any] = {
        "url": clean_url,
        "title": title,
        "price_fen": price_fen,
        "currency": DEFAULT_CURRENCY,
        "image_url": picture_url,
        "availability": Availability.UNKNOWN,
    }
    with transaction.atomic(durable=True):
        item = (
            ExternalItem.objects.select_for_update().filter(source=source, item_id=item_id).first()
        )
        if item is not None and item.fetched_ok:
            return item
        if item is not None and not _only_theirs(item, account):
            # Another seller's entry, or one their posts show: never rewritten for everyone.
            # This seller gets (or updates) a copy of their own.
            item_id = f"{item_id[:180]}~{account.pk}"
            item = (
                ExternalItem.objects.select_for_update()
                .filter(source=source, item_id=item_id)
                .first()
            )
        if item is None:
            item = ExternalItem(source=source, item_id=item_id, created_by=account)
        for name, value in fields.items():
            setattr(item, name, value)
        if processed is not None:
            item.image.save(processed.original.name or "image.jpg", processed.original, save=False)
        item.save()
        search.item_index([item.pk])
    return item


def _only_theirs(item: ExternalItem, account: User) -> bool:
    """Whether a hand-entered item is `account`'s alone: entered by them and shown in no one
    else's posts (then they may correct it in place)."""
    if item.created_by_id != account.pk:
        return False
    return not (
        PostProduct.objects.filter(external_item=item).exclude(status__account=account).exists()
    )


def external_item_click(*, item_id: object) -> str:
    """Count a click on an item's Buy button and return where to send the buyer."""
    try:
        pk = lookup_id(item_id)
    except (TypeError, ValueError):
        pk = 0
    with transaction.atomic(durable=True):
        if not ExternalItem.objects.filter(pk=pk).update(clicks=F("clicks") + 1):
            raise NotFound(_("This item does not exist."))
        return ExternalItem.objects.values_list("url", flat=True).get(pk=pk)


def external_items_refresh(
    *, limit: int = 100, older_than: dt.timedelta = dt.timedelta(hours=6)
) -> int:
    """Re-read the items tried longest ago (the periodic sweep): each page is fetched outside
    any transaction, then saved in a short one. Returns how many were read successfully.
    Only items whose page could once be read are refreshed: one entered by hand because its
    page had no product data is left as the seller wrote it."""
    now = timezone.now()
    due = list(
        ExternalItem.objects.filter(
            Q(attempted_at__isnull=True) | Q(attempted_at__lt=now - older_than),
            last_checked_at__isnull=False,
        )
        .order_by(F("attempted_at").asc(nulls_first=True), "id")
        .values_list("pk", "url")[:limit]
    )
    refreshed = 0
    for pk, url in due:
        try:
            data = _fetch(url)
        except ItemUnreadable:
            ExternalItem.objects.filter(pk=pk).update(attempted_at=timezone.now(), fetched_ok=False)
            continue
        fields = _clean_item_fields(data)
        checked = timezone.now()
        with transaction.atomic(durable=True):
            ExternalItem.objects.filter(pk=pk).update(
                **fields, fetched_ok=True, last_checked_at=checked, attempted_at=checked
            )
            search.item_index([pk])
        refreshed += 1
    return refreshed
