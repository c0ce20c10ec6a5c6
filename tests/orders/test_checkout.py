"""Checkout: one order per seller, prices copied, stock reserved at once in one conditional
UPDATE per line, and every refusal leaving nothing behind."""

import datetime as dt

import pytest
from django.test.utils import override_settings
from django.utils import timezone

from storefeed.catalog import services as catalog
from storefeed.catalog.errors import NotAvailable
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.orders import services
from storefeed.orders.errors import InsufficientStock
from storefeed.orders.models import Order, OrderItem
from storefeed.sellers import services as sellers
from storefeed.wallet.errors import IdempotencyKeyReused
from tests.orders.conftest import address_for, place, place_one, snapshot, stock_of


def test_buy_now_reserves_stock_and_copies_the_price(buyer, address, tea, seller):
    before = timezone.now()
    order = place_one(buyer, address, tea, 3)
    assert order.state == "pending_payment"
    assert order.seller_id == seller.pk and order.buyer_id == buyer.pk
    assert order.total_fen == 3 * 8800
    assert order.ship_recipient == "Wang Fang"
    assert "Sanlitun" in order.ship_address
    assert before + dt.timedelta(minutes=15) <= order.expires_at
    assert order.expires_at <= timezone.now() + dt.timedelta(minutes=15)
    assert stock_of(tea) == 7
    (item,) = order.items.all()
    assert (item.title, item.unit_price_fen, item.quantity) == ("Oolong tea", 8800, 3)
    assert list(order.events.values_list("from_state", "to_state")) == [("", "pending_payment")]
    # A later price change does not touch the order.
    catalog.product_update(account=seller, product_id=tea.pk, price="99.00", title="Tea")
    item.refresh_from_db()
    order.refresh_from_db()
    assert (item.title, item.unit_price_fen, order.total_fen) == ("Oolong tea", 8800, 26400)


@override_settings(ORDER_PAYMENT_MINUTES=30)
def test_the_payment_deadline_comes_from_settings(buyer, address, tea):
    order = place_one(buyer, address, tea)
    assert order.expires_at - order.created_at >= dt.timedelta(minutes=29, seconds=59)


def test_a_checkout_of_two_sellers_makes_two_orders(buyer, address, tea, cups, shirt):
    orders = place(
        buyer,
        address,
        (tea.pk, None, 2),
        (cups.pk, None, 4),
        {"product_id": str(shirt.product.pk), "variant_id": str(shirt.m.pk), "quantity": "1"},
    )
    assert len(orders) == 2
    assert len({o.checkout_id for o in orders}) == 1
    by_seller = {o.seller_id: o for o in orders}
    assert by_seller[tea.seller_id].total_fen == 2 * 8800 + 5900
    assert by_seller[cups.seller_id].total_fen == 4 * 2550
    assert (stock_of(tea), stock_of(cups), stock_of(shirt.product, shirt.m)) == (8, 16, 4)
    variant_item = OrderItem.objects.get(variant=shirt.m)
    assert (variant_item.variant_name, variant_item.unit_price_fen) == ("M", 5900)


def test_the_same_product_twice_is_one_line(buyer, address, tea):
    order = place(buyer, address, (tea.pk, None, 2), (tea.pk, None, 3))[0]
    assert list(order.items.values_list("quantity", flat=True)) == [5]
    assert stock_of(tea) == 5


@pytest.mark.parametrize("quantity", [0, -1, 100, 10_000, "ten", "1.5", 2.5, None, True])
def test_quantities_outside_1_to_99_are_refused(buyer, address, tea, quantity):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        place(buyer, address, (tea.pk, None, quantity))
    assert refused.value.field == "quantity"
    assert "units" in refused.value.message
    assert snapshot() == before


def test_merged_lines_over_99_are_refused(buyer, address, tea):
    catalog.product_restock(account=tea.seller, product_id=tea.pk, quantity=200)
    before = snapshot()
    with pytest.raises(ValidationFailed, match="between 1 and 99"):
        place(buyer, address, (tea.pk, None, 60), (tea.pk, None, 60))
    assert snapshot() == before


def test_insufficient_stock_lists_every_shortfall_and_keeps_nothing(
    buyer, address, tea, cups, shirt
):
    before = snapshot()
    with pytest.raises(InsufficientStock) as refused:
        place(
            buyer,
            address,
            (tea.pk, None, 11),
            (cups.pk, None, 2),  # enough: taken, then given back with the rest
            (shirt.product.pk, shirt.l.pk, 3),
        )
    error = refused.value
    assert error.http_status == 409 and error.code == "insufficient_stock"
    assert "Oolong tea" in error.message and "10 left" in error.message
    assert "Shirt (L)" in error.message and "2 left" in error.message
    assert sorted(
        (s["product_id"], s["requested"], s["available"]) for s in error.details["shortfalls"]
    ) == sorted([(tea.pk, 11, 10), (shirt.product.pk, 3, 2)])
    assert snapshot() == before
    assert stock_of(cups) == 20


def test_sold_out_says_so(buyer, address, tea, bob):
    from tests.orders.conftest import make_buyer

    place_one(make_buyer(bob), address_for(bob), tea, 10)
    with pytest.raises(InsufficientStock, match="sold out"):
        place_one(buyer, address, tea)


def test_a_withdrawn_product_cannot_be_bought(buyer, address, tea, seller):
    catalog.product_withdraw(account=seller, product_id=tea.pk)
    before = snapshot()
    with pytest.raises(NotAvailable, match="withdrawn"):
        place_one(buyer, address, tea)
    assert snapshot() == before


def test_a_suspended_sellers_product_cannot_be_bought(buyer, address, tea, seller, staff):
    sellers.seller_suspend(account_id=seller.pk, by=staff, reason="Counterfeits")
    before = snapshot()
    with pytest.raises(NotAvailable, match="suspended"):
        place_one(buyer, address, tea)
    assert snapshot() == before


def test_ones_own_product_cannot_be_bought(seller, tea):
    address = address_for(seller)
    before = snapshot()
    with pytest.raises(Forbidden, match="your own product"):
        place_one(seller, address, tea)
    assert snapshot() == before


def test_third_party_items_are_not_sold_here(buyer, address, seller):
    from storefeed.catalog.models import ExternalItem

    item = ExternalItem.objects.create(
        source="tmall", item_id="1", url="https://detail.tmall.com/item.htm?id=1", title="Teapot"
    )
    with pytest.raises(ValidationFailed, match="sold on Tmall"):
        place(buyer, address, (item.pk, None, 1))
    assert not Order.objects.exists()


def test_unknown_products_and_variants_are_refused(buyer, address, tea, shirt, cups):
    with pytest.raises(NotFound):
        place(buyer, address, (123456789, None, 1))
    with pytest.raises(NotFound):
        place(buyer, address, ("nonsense", None, 1))
    with pytest.raises(ValidationFailed, match="Choose a variant"):
        place(buyer, address, (shirt.product.pk, None, 1))
    with pytest.raises(NotFound, match="no such variant"):
        place(buyer, address, (shirt.product.pk, shirt.m.pk + 999, 1))
    with pytest.raises(ValidationFailed, match="no variants"):
        place(buyer, address, (tea.pk, shirt.m.pk, 1))
    with pytest.raises(ValidationFailed, match="product and a quantity"):
        place(buyer, address, "tea")
    with pytest.raises(ValidationFailed, match="Choose something"):
        place(buyer, address)
    assert not Order.objects.exists()
    assert stock_of(tea) == 10


def test_someone_elses_address_is_refused(buyer, tea, bob):
    bobs = address_for(bob)
    with pytest.raises(NotFound, match="address"):
        place_one(buyer, bobs, tea)
    assert stock_of(tea) == 10


def test_checkout_from_the_cart_empties_it(buyer, address, tea, cups):
    services.cart_add(account=buyer, product_id=tea.pk, quantity=2)
    services.cart_add(account=buyer, product_id=cups.pk, quantity=1)
    orders = services.order_place(buyer=buyer, from_cart=True, address_id=address.pk)
    assert len(orders) == 2
    assert not buyer.cart.items.exists()
    with pytest.raises(ValidationFailed, match="cart is empty"):
        services.order_place(buyer=buyer, from_cart=True, address_id=address.pk)


def test_a_refused_cart_checkout_keeps_the_cart(buyer, address, tea):
    services.cart_add(account=buyer, product_id=tea.pk, quantity=5)
    catalog.product_update(account=tea.seller, product_id=tea.pk, stock=3)
    with pytest.raises(InsufficientStock):
        services.order_place(buyer=buyer, from_cart=True, address_id=address.pk)
    assert buyer.cart.items.get().quantity == 5


def test_cart_and_items_at_once_is_refused(buyer, address, tea):
    with pytest.raises(ValidationFailed, match="not both"):
        services.order_place(
            buyer=buyer, items=[(tea.pk, None, 1)], from_cart=True, address_id=address.pk
        )


def test_an_idempotent_checkout_replays_the_same_orders(buyer, address, tea, cups):
    items = [(tea.pk, None, 1), (cups.pk, None, 1)]
    first = place(buyer, address, *items, idempotency_key="checkout-1")
    again = place(buyer, address, *items, idempotency_key="checkout-1")
    assert [o.pk for o in again] == [o.pk for o in first]
    assert Order.objects.count() == 2
    assert stock_of(tea) == 9
    with pytest.raises(IdempotencyKeyReused):
        place(buyer, address, (tea.pk, None, 2), idempotency_key="checkout-1")


def test_the_post_a_buyer_came_from_is_recorded(buyer, address, tea, seller, bob):
    post = catalog.product_post_create(account=seller, text="New tea!", product_ids=[tea.pk])
    from storefeed.posts.services import status_create, status_reblog

    repost = status_reblog(account=bob, status_id=post.pk)
    other = status_create(account=bob, text="unrelated")
    orders = place(
        buyer,
        address,
        (tea.pk, None, 1, repost.pk),
    )
    assert orders[0].items.get().source_status_id == post.pk
    # A post that does not carry the product is no attribution (and no refusal).
    order = place(buyer, address, (tea.pk, None, 1, other.pk))[0]
    assert order.items.get().source_status_id is None
