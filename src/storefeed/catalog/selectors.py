"""Reading the catalog: product cards for pages of posts, product pages, shops.

Cards are read when the page is read (current price, stock and state), never copied at
posting time, and a whole page of posts costs one query however many cards it carries.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storefeed.accounts.models import User
from storefeed.catalog import links
from storefeed.catalog.errors import NotAvailable
from storefeed.catalog.models import (
    Availability,
    ExternalItem,
    ItemSource,
    PostProduct,
    Product,
    ProductImage,
    ProductStatus,
    Variant,
)
from storefeed.core import parts, sql
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.core.money import display
from storefeed.core.parse import lookup_id
from storefeed.posts.models import Status
from storefeed.posts.selectors import MAX_PAGE, statuses_hydrate, visible_q
from storefeed.sellers.models import Seller, SellerState


@dataclass(frozen=True)
class ProductCard:
    id: int
    kind: str  # "product" | "external"
    title: str
    description: str
    price_fen: int | None
    currency: str
    stock: int | None  # None for third-party items (their stock is not ours to know)
    available: bool
    state: str  # "12 left", "sold out", "withdrawn", "seller suspended" (translated)
    image_url: str
    url: str
    buy_url: str
    source: str  # "storefeed" or the third-party source (taobao, tmall, weimai, web)
    source_label: str = ""  # "Tmall" for "Buy on Tmall"
    seller_id: int | None = None
    seller_username: str = ""
    has_variants: bool = False
    checked_at: dt.datetime | None = None  # third-party: when the price was last read

    @property
    def price_display(self) -> str:
        return display(self.price_fen, self.currency) if self.price_fen is not None else ""


def _file_url(name: str | None) -> str:
    return default_storage.url(name) if name else ""


def _stock_state(*, on_sale: bool, seller_active: bool, stock: int) -> tuple[bool, str]:
    if not on_sale:
        return False, _("withdrawn")
    if not seller_active:
        return False, _("seller suspended")
    if stock <= 0:
        return False, _("sold out")
    return True, ngettext("%(count)s left", "%(count)s left", stock) % {"count": stock}


def _cover_subquery() -> Subquery:
    return Subquery(
        ProductImage.objects.filter(product_id=OuterRef("product_id"))
        .order_by("position")
        .values("thumbnail")[:1]
    )


def _variant_stock_subquery(ref: str) -> Subquery:
    return Subquery(
        Variant.objects.filter(product_id=OuterRef(ref), is_active=True)
        .order_by()
        .values("product_id")
        .annotate(total=Sum("stock"))
        .values("total")[:1]
    )


def _seller_active(user: User) -> bool:
    try:
        seller = user.seller_profile  # type: ignore[attr-defined]
    except Seller.DoesNotExist:
        return False
    return seller.state == SellerState.ACTIVE


def product_card(
    product: Product, *, cover: str | None = None, variant_stock: int | None = None
) -> ProductCard:
    return _product_card(
        product_id=product.pk,
        title=product.title,
        description=product.description,
        price_fen=product.price_fen,
        currency=product.currency,
        stock=(variant_stock or 0) if product.has_variants else product.stock,
        has_variants=product.has_variants,
        on_sale=product.status == ProductStatus.ON_SALE,
        seller_active=_seller_active(product.seller),
        seller_id=product.seller_id,
        seller_username=product.seller.username,
        cover=cover,
    )


def _product_card(
    *,
    product_id: int,
    title: str,
    description: str,
    price_fen: int,
    currency: str,
    stock: int,
    has_variants: bool,
    on_sale: bool,
    seller_active: bool,
    seller_id: int,
    seller_username: str,
    cover: str | None,
) -> ProductCard:
    available, state = _stock_state(on_sale=on_sale, seller_active=seller_active, stock=stock)
    return ProductCard(
        id=product_id,
        kind="product",
        title=title,
        description=description,
        price_fen=price_fen,
        currency=currency,
        stock=stock,
        available=available,
        state=state,
        image_url=_file_url(cover),
        url=links.product_url(product_id),
        buy_url=links.product_buy_url(product_id),
        source="storefeed",
        source_label="Storefeed",
        seller_id=seller_id,
        seller_username=seller_username,
        has_variants=has_variants,
    )


def item_card(item: ExternalItem) -> ProductCard:
    return _item_card(
        item_id=item.pk,
        title=item.title,
        description=item.description,
        price_fen=item.price_fen,
        currency=item.currency,
        sold_out=item.availability == Availability.OUT_OF_STOCK,
        image_url=item.image.url if item.image else item.image_url,
        url=item.url,
        source=item.source,
        checked_at=item.last_checked_at,
    )


def _item_card(
    *,
    item_id: int,
    title: str,
    description: str,
    price_fen: int | None,
    currency: str,
    sold_out: bool,
    image_url: str,
    url: str,
    source: str,
    checked_at: dt.datetime | None,
) -> ProductCard:
    return ProductCard(
        id=item_id,
        kind="external",
        title=title,
        description=description,
        price_fen=price_fen,
        currency=currency,
        stock=None,
        available=not sold_out,
        state=_("sold out") if sold_out else "",
        image_url=image_url,
        url=url,
        buy_url=links.item_go_url(item_id),
        source=source,
        source_label=str(ItemSource(source).label),
        checked_at=checked_at,
    )


def product_cards_for(status_ids: Sequence[int]) -> dict[int, list[ProductCard]]:
    """The cards of each post in `status_ids`, in position order, with price, stock and state
    as they are now: one query for any number of posts. Every timeline page runs it, so it is
    plain SQL (core/sql.py) and builds no model instances."""
    cards: dict[int, list[ProductCard]] = {}
    if not status_ids:
        return cards
    ids = sorted(status_ids)
    t = {
        model.__name__: sql.table(model)
        for model in (PostProduct, Product, ProductImage, Variant, ExternalItem, Seller, User)
    }
    rows = sql.rows(
        f"""SELECT pp.status_id, pp.product_id, p.title, p.description, p.price_fen, p.currency,
                p.stock, p.has_variants, p.status, p.seller_id, u.username, sl.state,
                pp.external_item_id, e.title, e.description, e.price_fen, e.currency,
                e.availability, e.image, e.image_url, e.url, e.source, e.last_checked_at,
                (SELECT i.thumbnail FROM {t["ProductImage"]} i WHERE i.product_id = pp.product_id
                    ORDER BY i.position LIMIT 1),
                (SELECT SUM(v.stock) FROM {t["Variant"]} v
                    WHERE v.product_id = pp.product_id AND v.is_active)
            FROM {t["PostProduct"]} pp
            LEFT JOIN {t["Product"]} p ON p.id = pp.product_id
            LEFT JOIN {t["User"]} u ON u.id = p.seller_id
            LEFT JOIN {t["Seller"]} sl ON sl.account_id = p.seller_id
            LEFT JOIN {t["ExternalItem"]} e ON e.id = pp.external_item_id
            WHERE pp.status_id IN ({sql.placeholders(ids)})
            ORDER BY pp.status_id, pp.position""",  # noqa: S608
        ids,
    )
    language = translation.get_language() or ""
    for row in rows:
        # A card is a function of its row's values and the language (its state is
        # translated): built once per process for each, since every page reads it again.
        key = (row[1:], language)
        card = _built_cards.get(key)
        if card is None:
            card = _built_cards.remember(key, _card_of(row[1:]))
        cards.setdefault(row[0], []).append(card)
    return cards


# Cards by the row and language they were built from, in this process (a card is rebuilt
# from its row in microseconds; the point is not to do it on every read).
_built_cards = parts.Memo(10_000)


def _card_of(row: tuple[Any, ...]) -> ProductCard:
    """The card of one row of `product_cards_for`'s query (without its status id)."""
    (product_id, title, description, price, currency, stock, variants,
     status, seller_id, seller_username, seller_state, item_id, *item, cover,
     variant_stock) = row  # fmt: skip
    if product_id is not None:
        return _product_card(
            product_id=product_id,
            title=title,
            description=description,
            price_fen=price,
            currency=currency,
            stock=(variant_stock or 0) if variants else stock,
            has_variants=bool(variants),  # SQLite gives 0 or 1
            on_sale=status == ProductStatus.ON_SALE,
            seller_active=seller_state == SellerState.ACTIVE,
            seller_id=seller_id,
            seller_username=seller_username,
            cover=cover,
        )
    title, description, price, currency, availability, image, image_url, url, source, checked = item  # fmt: skip
    return _item_card(
        item_id=item_id,
        title=title,
        description=description,
        price_fen=price,
        currency=currency,
        sold_out=availability == Availability.OUT_OF_STOCK,
        image_url=_file_url(image) or image_url,
        url=url,
        source=source,
        checked_at=sql.as_datetime(checked),
    )


def attach_product_cards(statuses: Sequence[Any], viewer: Any) -> None:
    """The posts.hydration step: every status instance gets `product_cards` (empty for
    ordinary posts); a plain repost shows its original's cards."""
    wanted = {s.reblog_of_id or s.pk for s in statuses}
    cards = product_cards_for(sorted(wanted))
    for status in statuses:
        status.product_cards = list(cards.get(status.reblog_of_id or status.pk, []))


# ---------------------------------------------------------------------------------------------
# Products


def _products_qs() -> QuerySet[Product]:
    return (
        Product.objects.select_related("seller__seller_profile")
        .annotate(
            cover=Subquery(
                ProductImage.objects.filter(product_id=OuterRef("pk"))
                .order_by("position")
                .values("thumbnail")[:1]
            ),
            variant_stock=_variant_stock_subquery("pk"),
        )
        .order_by("-id")
    )


def _with_cards(products: Sequence[Product]) -> list[Product]:
    for product in products:
        product.card = product_card(  # type: ignore[attr-defined]
            product,
            cover=product.cover,  # type: ignore[attr-defined]
            variant_stock=product.variant_stock,  # type: ignore[attr-defined]
        )
    return list(products)


def products_with_cards(ids: Sequence[int]) -> list[Product]:
    """These products, each with `.card`, newest first (one query)."""
    return _with_cards(list(_products_qs().filter(pk__in=list(ids)))) if ids else []


def seller_products(
    *,
    seller: User,
    include_withdrawn: bool = False,
    max_id: int | None = None,
    limit: int = 40,
) -> list[Product]:
    """A seller's products, newest first, each with `.card` (current stock and state). The
    owner's management page passes include_withdrawn=True."""
    qs = _products_qs().filter(seller_id=seller.pk)
    if not include_withdrawn:
        qs = qs.filter(status=ProductStatus.ON_SALE)
    if max_id is not None:
        qs = qs.filter(id__lt=max_id)
    return _with_cards(list(qs[: max(1, min(limit, 100))]))


def live_product_cards(
    *, product_ids: Sequence[int] = (), seller_id: int | None = None, posts: int = 20
) -> list[tuple[ProductCard, list[int]]]:
    """For live clients (the streaming API): the cards of these products (or of every product
    of `seller_id`), as they are now, each with the ids of the newest `posts` posts carrying
    it. Two queries."""
    qs = _products_qs()
    if seller_id is not None:
        qs = qs.filter(seller_id=seller_id)
    else:
        qs = qs.filter(pk__in=sorted(set(product_ids)))
    products = _with_cards(list(qs[:200]))
    carrying: dict[int, list[int]] = {p.pk: [] for p in products}
    if carrying:
        rows = PostProduct.objects.filter(product_id__in=sorted(carrying)).order_by("-status_id")
        for status_id, product_id in rows.values_list("status_id", "product_id")[:1000]:
            if len(carrying[product_id]) < posts:
                carrying[product_id].append(status_id)
    return [(p.card, carrying[p.pk]) for p in products]  # type: ignore[attr-defined]


@dataclass
class ProductDetail:
    product: Product
    card: ProductCard
    images: list[ProductImage] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)


def product_for_seller(*, seller: User, product_id: object, lock: bool = False) -> Product:
    """One of `seller`'s own products (locked when `lock`): the check every seller write goes
    through first. NotFound when there is none, Forbidden when it is another seller's."""
    qs = Product.objects.select_for_update() if lock else Product.objects.all()
    product = qs.filter(pk=lookup_id(product_id)).first()
    if product is None:
        raise NotFound(_("This product does not exist."), field="product_id")
    if product.seller_id != seller.pk:
        raise Forbidden(_("This product belongs to another seller."), field="product_id")
    return product


def product_detail(*, product_id: object) -> ProductDetail:
    """A product with its images, active variants and card (its page; anyone may see it,
    a withdrawn one says so)."""
    try:
        pk = lookup_id(product_id)
    except (TypeError, ValueError):
        pk = 0
    product = _products_qs().filter(pk=pk).first()
    if product is None:
        raise NotFound(_("This product does not exist."))
    return ProductDetail(
        product=product,
        card=_with_cards([product])[0].card,  # type: ignore[attr-defined]
        images=list(product.images.order_by("position")),
        variants=list(product.variants.filter(is_active=True).order_by("position", "id")),
    )


@dataclass(frozen=True)
class Purchasable:
    product: Product
    variant: Variant | None
    unit_price_fen: int
    currency: str
    seller_id: int


def product_for_purchase(*, product_id: object, variant_id: object = None) -> Purchasable:
    """What orders need before taking stock: the product (and variant) as they are now, with
    the unit price, or a typed refusal saying why it cannot be bought. Stock is not checked
    here: `services.stock_take` decides that atomically."""
    try:
        pk = lookup_id(product_id)
    except (TypeError, ValueError):
        pk = 0
    # Plain SQL (core/sql.py): every checkout reads this. The product, its seller's account
    # and the seller program's state, in one query.
    rows = sql.rows(
        f"SELECT {sql.columns(Product, 'p')}, {sql.columns(User, 'u')}, s.state "  # noqa: S608
        f"FROM {sql.table(Product)} p JOIN {sql.table(User)} u ON u.id = p.seller_id "
        f"LEFT JOIN {sql.table(Seller)} s ON s.account_id = p.seller_id WHERE p.id = %s",
        [pk],
    )
    if not rows:
        raise NotFound(_("This product does not exist."), field="product_id")
    width = sql.width(Product)
    product = sql.instance(Product, rows[0][:width])
    product.seller = sql.instance(User, rows[0][width:-1])
    if product.status != ProductStatus.ON_SALE:
        raise NotAvailable(
            _("“%(title)s” is withdrawn and cannot be bought.") % {"title": product.title},
            field="product_id",
        )
    if rows[0][-1] != SellerState.ACTIVE:
        raise NotAvailable(
            _("This seller's shop is suspended; “%(title)s” cannot be bought now.")
            % {"title": product.title},
            field="product_id",
        )
    variant = None
    if product.has_variants:
        if variant_id in (None, ""):
            raise ValidationFailed(_("Choose a variant."), field="variant_id")
        try:
            variant_pk = lookup_id(variant_id)
        except (TypeError, ValueError):
            variant_pk = 0
        variant = Variant.objects.filter(pk=variant_pk, product_id=pk, is_active=True).first()
        if variant is None:
            raise NotFound(_("This product has no such variant."), field="variant_id")
    elif variant_id not in (None, ""):
        raise ValidationFailed(_("This product has no variants."), field="variant_id")
    return Purchasable(
        product=product,
        variant=variant,
        unit_price_fen=variant.price_fen if variant is not None else product.price_fen,
        currency=product.currency,
        seller_id=product.seller_id,
    )


def external_item_detail(*, item_id: object) -> ExternalItem:
    try:
        pk = lookup_id(item_id)
    except (TypeError, ValueError):
        pk = 0
    item = ExternalItem.objects.filter(pk=pk).first()
    if item is None:
        raise NotFound(_("This item does not exist."))
    return item


# ---------------------------------------------------------------------------------------------
# Shops


def shop_product_posts(
    *, viewer: User | None, seller: User, max_id: int | None = None, limit: int = 20
) -> list[Status]:
    """A seller's posts that carry products, newest first, as `viewer` may see them,
    hydrated (cards included)."""
    limit = max(1, min(limit, MAX_PAGE))
    qs = Status.objects.filter(
        Q(account_id=seller.pk) & Q(reblog_of__isnull=True) & visible_q(viewer),
        product_links__isnull=False,
    ).distinct()
    if max_id is not None:
        qs = qs.filter(id__lt=max_id)
    ids = list(qs.order_by("-id").values_list("id", flat=True)[:limit])
    return statuses_hydrate(viewer=viewer, ids=ids)


@dataclass
class Shop:
    account: User
    seller: Seller | None
    products: list[Product]
    posts: list[Status]

    @property
    def is_open(self) -> bool:
        return self.seller is not None and self.seller.state == SellerState.ACTIVE


def shop_page(*, viewer: User | None, account: User, limit: int = 20) -> Shop:
    """A seller's shop: their products on sale and their product posts."""
    seller = Seller.objects.filter(account_id=account.pk).first()
    return Shop(
        account=account,
        seller=seller,
        products=seller_products(seller=account, limit=limit),
        posts=shop_product_posts(viewer=viewer, seller=account, limit=limit),
    )
