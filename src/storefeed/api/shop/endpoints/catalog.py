"""Catalog endpoints: a seller's products (with variants, images and stock), any account's
products, and third-party items resolved from a link or share text."""

from typing import Any, Literal

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from storefeed.accounts.models import User
from storefeed.api.shop.auth import READ, WRITE, account_of
from storefeed.api.shop.common import ERRORS, Amount, Id, Units, amount, iso, sid, to_id
from storefeed.catalog import links, selectors, services
from storefeed.catalog.models import ExternalItem, Product, ProductImage, Variant
from storefeed.catalog.selectors import ProductCard
from storefeed.core.errors import NotFound

router = Router(tags=["catalog"])


# --- Schemas ---------------------------------------------------------------------------------


class VariantIn(Schema):
    name: str = ""
    price: Amount | None = None
    stock: Units = "0"


class VariantPatch(Schema):
    name: str | None = None
    price: Amount | None = None
    stock: Units | None = None


class ProductIn(Schema):
    title: str = ""
    description: str = ""
    price: Amount | None = None  # "199.00"; with variants, leave it out (theirs count)
    currency: str = "CNY"
    stock: Units = "0"
    media_ids: list[Id] = []  # images uploaded with POST /api/v2/media, in order, at most 9
    variants: list[VariantIn] = []


class ProductPatch(Schema):
    title: str | None = None
    description: str | None = None
    price: Amount | None = None
    currency: str | None = None
    stock: Units | None = None  # sets the stock; POST .../restock adds or takes units
    media_ids: list[Id] | None = None  # replaces every image
    status: Literal["on_sale", "withdrawn"] | None = None


class RestockIn(Schema):
    quantity: Units = "0"  # units to add (negative: take off, never below zero)
    variant_id: Id | None = None


class SellerRef(Schema):
    id: str
    username: str


class ImageOut(Schema):
    url: str
    preview_url: str
    width: int
    height: int
    description: str


class VariantOut(Schema):
    id: str
    name: str
    price: str
    currency: str
    stock: int


class ProductOut(Schema):
    id: str
    seller: SellerRef
    title: str
    description: str
    price: str  # with variants: the lowest variant price ("from")
    currency: str
    stock: int  # units left (with variants: their sum)
    available: bool  # on sale, seller active, in stock
    state: str  # "12 left", "sold out", "withdrawn", "seller suspended" (for people)
    status: Literal["on_sale", "withdrawn"]
    has_variants: bool
    variants: list[VariantOut]
    images: list[ImageOut]
    url: str
    buy_url: str
    created_at: str
    updated_at: str


class ItemIn(Schema):
    url: str = ""  # a link (or paste share text in `text`)
    text: str = ""
    # Filling in by hand when the page could not be read: give `title` (and price, image_url).
    title: str | None = None
    price: Amount | None = None
    image_url: str = ""


class ItemOut(Schema):
    id: str
    kind: Literal["external"]
    source: str
    source_label: str
    item_id: str
    title: str
    description: str
    price: str | None
    currency: str
    availability: Literal["in_stock", "out_of_stock", "unknown"]
    image_url: str
    url: str  # the item's page on its own site
    buy_url: str  # Storefeed's click-counting redirect to it
    last_checked_at: str | None
    fetched: bool  # False: filled in by hand, not read from the page


class PageQuery(Schema):
    max_id: Id | None = None
    limit: int = 40


# --- Rendering -------------------------------------------------------------------------------


def _abs(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path) if path else ""


def render_product(
    request: HttpRequest,
    product: Product,
    card: ProductCard,
    images: list[ProductImage],
    variants: list[Variant],
) -> dict[str, Any]:
    return {
        "id": str(product.pk),
        "seller": {"id": str(product.seller_id), "username": product.seller.username},
        "title": product.title,
        "description": product.description,
        "price": amount(product.price_fen, product.currency),
        "currency": product.currency,
        "stock": card.stock or 0,
        "available": card.available,
        "state": card.state,
        "status": product.status,
        "has_variants": product.has_variants,
        "variants": [
            {
                "id": str(v.pk),
                "name": v.name,
                "price": amount(v.price_fen, product.currency),
                "currency": product.currency,
                "stock": v.stock,
            }
            for v in variants
        ],
        "images": [
            {
                "url": _abs(request, image.file.url),
                "preview_url": _abs(request, image.thumbnail.url),
                "width": image.width,
                "height": image.height,
                "description": image.description,
            }
            for image in images
        ],
        "url": _abs(request, card.url),
        "buy_url": _abs(request, card.buy_url),
        "created_at": iso(product.created_at),
        "updated_at": iso(product.updated_at),
    }


def _product_response(request: HttpRequest, product_id: int) -> dict[str, Any]:
    detail = selectors.product_detail(product_id=product_id)
    return render_product(request, detail.product, detail.card, detail.images, detail.variants)


def _products_response(request: HttpRequest, products: list[Product]) -> list[dict[str, Any]]:
    # One query each for every product's images and active variants, whatever the page size.
    prefetch_related_objects(
        products,
        "images",
        Prefetch("variants", queryset=Variant.objects.filter(is_active=True), to_attr="active"),
    )
    return [
        render_product(
            request,
            p,
            p.card,  # type: ignore[attr-defined]
            list(p.images.all()),
            list(p.active),  # type: ignore[attr-defined]
        )
        for p in products
    ]


def render_item(request: HttpRequest, item: ExternalItem) -> dict[str, Any]:
    card = selectors.item_card(item)
    return {
        "id": str(item.pk),
        "kind": "external",
        "source": item.source,
        "source_label": card.source_label,
        "item_id": item.item_id,
        "title": item.title,
        "description": item.description,
        "price": amount(item.price_fen, item.currency),
        "currency": item.currency,
        "availability": item.availability,
        "image_url": _abs(request, card.image_url)
        if card.image_url.startswith("/")
        else card.image_url,
        "url": item.url,
        "buy_url": _abs(request, links.item_go_url(item.pk)),
        "last_checked_at": iso(item.last_checked_at),
        "fetched": item.fetched_ok,
    }


def _max_id(value: Id | None) -> int | None:
    return to_id(value, field="max_id") if value not in (None, "") else None


# --- Products --------------------------------------------------------------------------------


@router.post("/products", auth=WRITE, response={201: ProductOut, **ERRORS})
def product_create(request: HttpRequest, payload: ProductIn) -> Status:
    """Put a product on sale (approved, active sellers only)."""
    product = services.product_create(
        account=account_of(request),
        title=payload.title,
        description=payload.description,
        price=payload.price,
        currency=payload.currency,
        stock=payload.stock,
        media_ids=payload.media_ids,
        variants=[v.model_dump() for v in payload.variants],
    )
    return Status(201, _product_response(request, product.pk))


@router.get("/products", auth=READ, response={200: list[ProductOut], **ERRORS})
def my_products(request: HttpRequest, query: Query[PageQuery]) -> list[dict]:
    """The signed-in seller's products, withdrawn ones included, newest first."""
    products = selectors.seller_products(
        seller=account_of(request),
        include_withdrawn=True,
        max_id=_max_id(query.max_id),
        limit=query.limit,
    )
    return _products_response(request, products)


@router.get("/products/{product_id}", auth=READ, response={200: ProductOut, **ERRORS})
def product_get(request: HttpRequest, product_id: str) -> dict:
    """One product, with its current price, stock and state."""
    return _product_response(request, to_id(product_id))


@router.patch("/products/{product_id}", auth=WRITE, response={200: ProductOut, **ERRORS})
def product_patch(
    request: HttpRequest, product_id: str, payload: ProductPatch | None = None
) -> dict:
    """Change what is sent; `status` withdraws the product or puts it back on sale."""
    account = account_of(request)
    pk = to_id(product_id)
    # Whose product it is comes first, before "nothing to change" can answer 200.
    selectors.product_for_seller(seller=account, product_id=pk)
    sent = payload.model_dump(exclude_unset=True) if payload is not None else {}
    status = sent.pop("status", None)
    if sent:
        services.product_update(account=account, product_id=pk, **sent)
    if status is not None:
        current = selectors.product_detail(product_id=pk).product
        if current.seller_id == account.pk and current.status == status:
            pass  # already so: nothing to move
        elif status == "withdrawn":
            services.product_withdraw(account=account, product_id=pk)
        else:
            services.product_relist(account=account, product_id=pk)
    return _product_response(request, pk)


@router.delete("/products/{product_id}", auth=WRITE, response={200: ProductOut, **ERRORS})
def product_delete(request: HttpRequest, product_id: str) -> dict:
    """Withdraw a product: it stays (orders refer to it) but cannot be bought or posted."""
    product = services.product_withdraw(account=account_of(request), product_id=to_id(product_id))
    return _product_response(request, product.pk)


@router.post("/products/{product_id}/restock", auth=WRITE, response={200: ProductOut, **ERRORS})
def product_restock(request: HttpRequest, product_id: str, payload: RestockIn) -> dict:
    """Add units (or take them off) in one conditional update, to the product or a variant."""
    product = services.product_restock(
        account=account_of(request),
        product_id=to_id(product_id),
        quantity=payload.quantity,
        variant_id=payload.variant_id,
    )
    return _product_response(request, product.pk)


def _variant_of(product_id: str, variant_id: str) -> int:
    pk = to_id(variant_id)
    if not Variant.objects.filter(pk=pk, product_id=to_id(product_id), is_active=True).exists():
        raise NotFound(_("This product has no such variant."))
    return pk


@router.post("/products/{product_id}/variants", auth=WRITE, response={201: ProductOut, **ERRORS})
def variant_create(request: HttpRequest, product_id: str, payload: VariantIn) -> Status:
    """Add a variant ("Red / M") with its own price and stock."""
    pk = to_id(product_id)
    services.variant_create(
        account=account_of(request),
        product_id=pk,
        name=payload.name,
        price=payload.price,
        stock=payload.stock,
    )
    return Status(201, _product_response(request, pk))


@router.patch(
    "/products/{product_id}/variants/{variant_id}",
    auth=WRITE,
    response={200: ProductOut, **ERRORS},
)
def variant_patch(
    request: HttpRequest, product_id: str, variant_id: str, payload: VariantPatch
) -> dict:
    """Rename, reprice or set the stock of a variant."""
    services.variant_update(
        account=account_of(request),
        variant_id=_variant_of(product_id, variant_id),
        **payload.model_dump(exclude_unset=True),
    )
    return _product_response(request, to_id(product_id))


@router.delete(
    "/products/{product_id}/variants/{variant_id}",
    auth=WRITE,
    response={200: ProductOut, **ERRORS},
)
def variant_delete(request: HttpRequest, product_id: str, variant_id: str) -> dict:
    """Remove a variant: it can no longer be bought; its unsold units leave the stock."""
    services.variant_remove(
        account=account_of(request), variant_id=_variant_of(product_id, variant_id)
    )
    return _product_response(request, to_id(product_id))


@router.get(
    "/accounts/{account_id}/products", auth=READ, response={200: list[ProductOut], **ERRORS}
)
def account_products(request: HttpRequest, account_id: str, query: Query[PageQuery]) -> list[dict]:
    """An account's products on sale, newest first (an empty list for non-sellers)."""
    account = User.objects.filter(pk=to_id(account_id), is_active=True).first()
    if account is None:
        raise NotFound(_("This account does not exist."))
    products = selectors.seller_products(
        seller=account, max_id=_max_id(query.max_id), limit=query.limit
    )
    return _products_response(request, products)


# --- Third-party items -------------------------------------------------------------------------


@router.post("/external_items", auth=WRITE, response={200: ItemOut, **ERRORS})
def external_item_resolve(request: HttpRequest, payload: ItemIn) -> dict:
    """Resolve a Taobao, Tmall, Weimai or shop link, or Taobao share text, to one item (one
    per source and item id). An unreadable page is 422 `item_unreadable` with
    `details.manual = true`: send the same request again with `title` (and `price`,
    `image_url`) to fill it in by hand."""
    account = account_of(request)
    text = payload.url or payload.text
    if payload.title is not None:
        item = services.external_item_manual(
            account=account,
            url=text,
            title=payload.title,
            price=payload.price,
            image_url=payload.image_url,
        )
    else:
        item = services.external_item_resolve(account=account, text=text)
    return render_item(request, item)


@router.get("/external_items/{item_id}", auth=READ, response={200: ItemOut, **ERRORS})
def external_item_get(request: HttpRequest, item_id: str) -> dict:
    """One third-party item, as last read from its page."""
    return render_item(request, selectors.external_item_detail(item_id=to_id(item_id)))


__all__ = ["render_item", "render_product", "router", "sid"]
