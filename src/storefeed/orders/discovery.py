"""Commerce's part in discovery (registered into discovery.hooks by OrdersConfig.ready):
sellers' completed orders for the experts' ranking, purchases for the hot list, and what a
trending product shows as a link. One query each."""

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, OuterRef, Subquery

from storefeed.catalog.links import product_url
from storefeed.catalog.models import Product, ProductImage, ProductStatus
from storefeed.core.ids import id_for_datetime
from storefeed.core.money import format_amount
from storefeed.discovery.hooks import ProductLink, Purchase
from storefeed.orders.models import Order, OrderItem, OrderState
from storefeed.orders.services import payment_minutes
from storefeed.sellers.models import Seller, SellerState

# Orders that were paid (whatever happened after, short of a refund): a sale.
SOLD = [
    OrderState.PAID,
    OrderState.SHIPPED,
    OrderState.DELIVERED,
    OrderState.COMPLETED,
    OrderState.REFUND_REQUESTED,
    OrderState.REFUND_DECLINED,
    OrderState.DISPUTED,
]


def orders_completed(seller_ids: Sequence[int]) -> dict[int, int]:
    if not seller_ids:
        return {}
    return dict(
        Order.objects.filter(seller_id__in=seller_ids, state=OrderState.COMPLETED)
        .values("seller_id")
        .annotate(n=Count("pk"))
        .values_list("seller_id", "n")
    )


def purchases(since: dt.datetime, until: dt.datetime) -> list[Purchase]:
    """Items of orders paid in (since, until]. An order is paid within its payment window of
    being placed, and order ids are time-sortable, so the scan is bounded by the primary key
    (orders have no index on paid_at)."""
    oldest = id_for_datetime(since - dt.timedelta(minutes=payment_minutes(), hours=1))
    field = Seller.objects.filter(account=OuterRef("order__seller_id")).values("field_id")[:1]
    rows = (
        OrderItem.objects.filter(
            order_id__gte=oldest,
            order__paid_at__gt=since, order__paid_at__lte=until, order__state__in=SOLD
        )
        .annotate(field_id=Subquery(field))
        .values_list(
            "product_id", "order__buyer_id", "order__seller_id", "field_id", "quantity",
            "order__paid_at",
        )
    )  # fmt: skip
    return [
        Purchase(
            product_id=product_id,
            buyer_id=buyer_id,
            seller_id=seller_id,
            field_id=field_id,
            quantity=quantity,
            at=paid_at,
        )
        for product_id, buyer_id, seller_id, field_id, quantity, paid_at in rows
        if paid_at is not None
    ]


def product_links(product_ids: Sequence[int]) -> dict[int, ProductLink]:
    """Products on sale by an active seller, as links to their pages."""
    if not product_ids:
        return {}
    cover = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position")
    rows = (
        Product.objects.filter(
            pk__in=product_ids,
            status=ProductStatus.ON_SALE,
            seller__seller_profile__state=SellerState.ACTIVE,
        )
        .annotate(cover=Subquery(cover.values("thumbnail")[:1]))
        .values_list("pk", "seller_id", "title", "description", "price_fen", "currency", "cover")
    )
    return {
        pk: ProductLink(
            product_id=pk,
            seller_id=seller_id,
            title=title,
            description=description[:200],
            path=product_url(pk),
            image_path=f"/media/{cover}" if cover else "",
            price=format_amount(price_fen, currency),
            currency=currency,
        )
        for pk, seller_id, title, description, price_fen, currency, cover in rows
    }
