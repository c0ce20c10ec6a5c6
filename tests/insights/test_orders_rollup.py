"""Orders, paid orders, units, revenue and refunds of a post and a product per day, recounted
from the orders whenever their events move."""

import datetime as dt

import pytest

from storefeed.catalog import services as catalog
from storefeed.insights.models import PostDay, ProductDay
from storefeed.insights.rollup import insights_rollup
from storefeed.orders import services as orders
from storefeed.orders.models import Address
from tests.insights.conftest import PIN

pytestmark = pytest.mark.django_db


def counts(model, **match):
    row = model.objects.get(day=dt.date.today(), **match)
    return (row.orders, row.paid_orders, row.units, row.revenue_fen, row.refunded_fen)


def test_orders_paid_and_refunded_are_counted_for_the_post_and_the_product(
    seller, buyer, post, tea
):
    address = Address.objects.get(owner=buyer)
    placed = orders.order_place(
        buyer=buyer,
        items=[(tea.pk, None, 2, post.pk)],
        address_id=address.pk,
        idempotency_key="p1",
    )
    insights_rollup()
    assert counts(PostDay, status_id=post.pk) == (1, 0, 0, 0, 0)
    orders.order_pay(buyer=buyer, order_id=placed[0].pk, pin=PIN, idempotency_key="pay1")
    # Bought without a post: the product's counts only.
    orders.order_buy(
        buyer=buyer, product_id=tea.pk, address_id=address.pk, pin=PIN, idempotency_key="b1"
    )
    insights_rollup()
    assert counts(PostDay, status_id=post.pk) == (1, 1, 2, 17600, 0)
    assert counts(ProductDay, product_id=tea.pk) == (2, 2, 3, 26400, 0)
    insights_rollup()  # nothing moved: nothing changes
    assert counts(ProductDay, product_id=tea.pk) == (2, 2, 3, 26400, 0)
    orders.order_cancel(account=seller, order_id=placed[0].pk, reason="Out of stock after all")
    insights_rollup()
    assert counts(PostDay, status_id=post.pk) == (1, 1, 2, 17600, 17600)


def test_a_post_of_another_seller_is_not_theirs(seller, buyer, staff):
    from tests.sellers.conftest import make_seller

    rival = make_seller("rival", staff)
    cups = catalog.product_create(account=rival, title="Cups", price="10.00", stock=5)
    catalog.product_post_create(account=rival, text="Cups", product_ids=[cups.pk])
    insights_rollup()
    assert not PostDay.objects.filter(seller_id=seller.pk).exists()
