"""What discovery needs from commerce, registered by commerce (discovery never imports it).

With commerce switched off nothing is registered: experts have no completed orders, nothing
is bought, and no product trends. Every hook must cost a fixed number of queries.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Purchase:
    """Units of one product a buyer paid for at `at`."""

    product_id: int
    buyer_id: int
    seller_id: int
    field_id: int | None  # the seller's field in the seller program
    quantity: int
    at: dt.datetime


@dataclass(frozen=True)
class ProductLink:
    """What a trending product shows as a link: only products on sale by an active seller."""

    product_id: int
    seller_id: int
    title: str
    description: str
    path: str  # the product page, e.g. /products/123
    image_path: str  # "" without an image
    price: str  # "199.00"
    currency: str


OrdersCompleted = Callable[[Sequence[int]], dict[int, int]]
Purchases = Callable[[dt.datetime, dt.datetime], list[Purchase]]
ProductLinks = Callable[[Sequence[int]], dict[int, ProductLink]]

_orders_completed: list[OrdersCompleted] = []
_purchases: list[Purchases] = []
_product_links: list[ProductLinks] = []


def register(
    *, orders_completed: OrdersCompleted, purchases: Purchases, product_links: ProductLinks
) -> None:
    if orders_completed not in _orders_completed:
        _orders_completed.append(orders_completed)
    if purchases not in _purchases:
        _purchases.append(purchases)
    if product_links not in _product_links:
        _product_links.append(product_links)


def orders_completed(seller_ids: Sequence[int]) -> dict[int, int]:
    """Completed orders of each seller (sellers with none are left out)."""
    found: dict[int, int] = {}
    for step in _orders_completed:
        for seller_id, n in step(seller_ids).items():
            found[seller_id] = found.get(seller_id, 0) + n
    return found


def purchases(since: dt.datetime, until: dt.datetime) -> list[Purchase]:
    """Purchases paid in (since, until]."""
    return [p for step in _purchases for p in step(since, until)]


def product_links(product_ids: Sequence[int]) -> dict[int, ProductLink]:
    found: dict[int, ProductLink] = {}
    for step in _product_links:
        found.update(step(product_ids))
    return found


def commerce_registered() -> bool:
    return bool(_product_links)
