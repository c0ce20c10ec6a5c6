"""Who sees which order, the buyer's and seller's lists, the address book, the cart, and
per-post sales; fixed query counts per page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.catalog import services as catalog
from storefeed.catalog.errors import NotAvailable
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.orders import selectors, services
from storefeed.orders.models import MAX_ADDRESSES, Address
from tests.orders.conftest import address_for, make_buyer, pay, place, place_one


def test_an_order_is_seen_by_its_buyer_and_seller_only(
    buyer, address, tea, seller, rival, bob, staff
):
    order = place_one(buyer, address, tea)
    assert selectors.order_for_buyer(buyer=buyer, order_id=order.pk).pk == order.pk
    assert selectors.order_for_seller(seller=seller, order_id=str(order.pk)).pk == order.pk
    assert selectors.order_for_party(account=buyer, order_id=order.pk).pk == order.pk
    assert selectors.order_for_party(account=seller, order_id=order.pk).pk == order.pk
    for outsider in (bob, rival, staff):
        with pytest.raises(NotFound):
            selectors.order_for_party(account=outsider, order_id=order.pk)
    with pytest.raises(NotFound):
        selectors.order_for_buyer(buyer=seller, order_id=order.pk)
    with pytest.raises(NotFound):
        selectors.order_for_seller(seller=buyer, order_id=order.pk)
    with pytest.raises(NotFound):
        selectors.order_for_party(account=buyer, order_id="x")
    assert selectors.order_for_staff(staff=staff, order_id=order.pk).pk == order.pk
    with pytest.raises(NotFound):
        selectors.order_for_staff(staff=bob, order_id=order.pk)


def test_lists_filter_by_state_and_page(buyer, address, tea, cups, seller):
    first = place_one(buyer, address, tea)
    second = pay(buyer, place_one(buyer, address, tea))
    third = place_one(buyer, address, cups)
    mine = selectors.orders_for_buyer(buyer=buyer)
    assert [o.pk for o in mine] == [third.pk, second.pk, first.pk]
    assert [o.pk for o in selectors.orders_for_buyer(buyer=buyer, state="paid")] == [second.pk]
    assert len(selectors.orders_for_buyer(buyer=buyer, state="pending_payment,paid")) == 3
    assert len(selectors.orders_for_buyer(buyer=buyer, state="closed")) == 0
    assert [o.pk for o in selectors.orders_for_buyer(buyer=buyer, max_id=second.pk)] == [first.pk]
    assert [o.pk for o in selectors.orders_for_buyer(buyer=buyer, limit=1)] == [third.pk]
    to_ship = selectors.orders_for_seller(seller=seller, state="paid")
    assert [o.pk for o in to_ship] == [second.pk]
    assert {o.pk for o in selectors.orders_for_seller(seller=seller)} == {first.pk, second.pk}
    with pytest.raises(ValidationFailed, match="Unknown order state"):
        selectors.orders_for_buyer(buyer=buyer, state="lost")


def test_a_page_of_orders_costs_the_same_queries_however_long(buyer, address, tea, cups, seller):
    place(buyer, address, (tea.pk, None, 1), (cups.pk, None, 1))
    with CaptureQueriesContext(connection) as few:
        [list(o.items.all()) and o.seller.username for o in selectors.orders_for_buyer(buyer=buyer)]
    for _ in range(5):
        place(buyer, address, (tea.pk, None, 1), (cups.pk, None, 1))
    with CaptureQueriesContext(connection) as many:
        orders = selectors.orders_for_buyer(buyer=buyer)
        [list(o.items.all()) and o.seller.username for o in orders]
    assert len(orders) == 12
    assert len(many) == len(few) == 2


def test_address_book_rules(buyer):
    first = address_for(buyer)
    assert first.is_default
    second = address_for(buyer, recipient="Li Lei", is_default=True)
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    assert selectors.addresses_for(account=buyer)[0].pk == second.pk
    updated = services.address_update(account=buyer, address_id=first.pk, city="Shanghai")
    assert updated.city == "Shanghai" and updated.recipient == "Wang Fang"
    services.address_delete(account=buyer, address_id=second.pk)
    assert Address.objects.get(pk=first.pk).is_default
    assert selectors.default_address(account=buyer).pk == first.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient": ""}, "recipient"),
        ({"recipient": "x" * 61}, "recipient"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"region": ""}, "region"),
        ({"city": " "}, "city"),
        ({"street": ""}, "street"),
        ({"postcode": "<b>"}, "postcode"),
    ],
)
def test_bad_addresses_are_refused(buyer, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        address_for(buyer, **changes)
    assert refused.value.field == field
    assert not Address.objects.exists()


def test_at_most_twenty_addresses(buyer):
    for i in range(MAX_ADDRESSES):
        address_for(buyer, street=f"{i} Road")
    with pytest.raises(ValidationFailed, match="at most 20"):
        address_for(buyer)
    assert Address.objects.filter(owner=buyer).count() == MAX_ADDRESSES


def test_someone_elses_address_cannot_be_changed(buyer, bob):
    address = address_for(buyer)
    with pytest.raises(NotFound):
        services.address_update(account=bob, address_id=address.pk, city="Nowhere")
    with pytest.raises(NotFound):
        services.address_delete(account=bob, address_id=address.pk)
    assert Address.objects.get(pk=address.pk).city == "Beijing"


def test_the_cart(buyer, tea, shirt, seller):
    line = services.cart_add(account=buyer, product_id=tea.pk, quantity=2)
    again = services.cart_add(account=buyer, product_id=str(tea.pk), quantity="3")
    assert again.pk == line.pk and again.quantity == 5
    services.cart_add(account=buyer, product_id=shirt.product.pk, variant_id=shirt.l.pk)
    lines = selectors.cart_for(account=buyer)
    assert [(c.title, c.variant_name, c.item.quantity, c.available) for c in lines] == [
        ("Oolong tea", "", 5, True),
        ("Shirt", "L", 1, True),
    ]
    services.cart_update(account=buyer, item_id=line.pk, quantity=11)
    assert selectors.cart_for(account=buyer)[0].available is False  # only 10 left
    with pytest.raises(ValidationFailed, match="between 1 and 99"):
        services.cart_update(account=buyer, item_id=line.pk, quantity=0)
    with pytest.raises(ValidationFailed, match="between 1 and 99"):
        services.cart_add(account=buyer, product_id=tea.pk, quantity=89)
    services.cart_remove(account=buyer, item_id=line.pk)
    assert len(selectors.cart_for(account=buyer)) == 1


def test_the_cart_refuses_what_cannot_be_bought(buyer, tea, seller, bob):
    with pytest.raises(Forbidden, match="your own"):
        services.cart_add(account=seller, product_id=tea.pk)
    with pytest.raises(NotFound):
        services.cart_add(account=buyer, product_id=999)
    with pytest.raises(ValidationFailed):
        services.cart_add(account=buyer, product_id=tea.pk, quantity=10_000)
    catalog.product_withdraw(account=seller, product_id=tea.pk)
    with pytest.raises(NotAvailable, match="withdrawn"):
        services.cart_add(account=buyer, product_id=tea.pk)
    with pytest.raises(NotFound):
        services.cart_remove(account=bob, item_id=1)
    assert not selectors.cart_for(account=buyer)


def test_someone_elses_cart_line_cannot_be_touched(buyer, tea, bob):
    line = services.cart_add(account=buyer, product_id=tea.pk)
    with pytest.raises(NotFound):
        services.cart_update(account=bob, item_id=line.pk, quantity=3)
    with pytest.raises(NotFound):
        services.cart_remove(account=bob, item_id=line.pk)
    assert selectors.cart_for(account=buyer)[0].item.quantity == 1


def test_post_sales_counts_orders_units_and_revenue_per_post(
    buyer, address, tea, cups, seller, bob, carol
):
    post = catalog.product_post_create(account=seller, text="Tea!", product_ids=[tea.pk])
    other_post = catalog.product_post_create(account=seller, text="More tea", product_ids=[tea.pk])
    pay(buyer, place(buyer, address, (tea.pk, None, 2, post.pk))[0])
    fan = make_buyer(bob)
    pay(fan, place(fan, address_for(fan), (tea.pk, None, 1, post.pk))[0])
    pay(fan, place(fan, address_for(fan, street="2 Road"), (tea.pk, None, 3, other_post.pk))[0])
    place(fan, address_for(fan, street="3 Road"), (tea.pk, None, 1, post.pk))  # unpaid: no sale
    pay(buyer, place(buyer, address, (tea.pk, None, 1))[0])  # no post: not attributed
    sales = selectors.post_sales(seller=seller)
    # Equal revenue: the newer post first.
    assert [(s.status_id, s.orders, s.units, s.revenue_fen) for s in sales] == [
        (other_post.pk, 1, 3, 26_400),
        (post.pk, 2, 3, 26_400),
    ]
    assert selectors.post_sales(seller=carol) == []
