"""The demo's order plans, on a small shop: an order is placed once, walked along its life to
the plan's goal one service call per move, resumed where an interrupted run left it, and
completed only after its dates are moved past the refund window."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from storefeed.catalog import services as catalog
from storefeed.demo.builder import DemoBuilder
from storefeed.demo.commerce import CommerceDemo
from storefeed.demo.shop_data import OrderPlan
from storefeed.orders import services as orders
from storefeed.orders.invariants import stock_problems
from storefeed.orders.models import Order, OrderEvent
from storefeed.wallet import services as wallet
from storefeed.wallet.invariants import ledger_problems
from storefeed.wallet.selectors import wallet_balance
from tests.conftest import make_user
from tests.sellers.conftest import make_seller

PIN = "135790"
PLAN = OrderPlan(
    "bob",
    "shop_post",
    (("lipstick", None, 2),),
    goal="completed",
    carrier="SF Express",
    tracking_number="SF1234567890",
)


@pytest.fixture
def shop(db, bob):
    """A seller with a product post, a buyer with a PIN, a wallet and an address, and the
    demo's commerce steps pointed at them."""
    staff = make_user("staffer", is_staff=True)
    seller = make_seller("lipstick_lab", staff)
    product = catalog.product_create(account=seller, title="Velvet #01", price="189.00", stock=5)
    post = catalog.product_post_create(account=seller, text="New!", product_ids=[product.pk])
    wallet.pin_set(account=bob, pin=PIN, password="correct-horse-9")
    wallet.topup_create(account=bob, amount="500.00", provider="simulated")
    orders.address_create(
        account=bob,
        recipient="Bob",
        phone="138 0013 8000",
        region="上海",
        city="上海",
        street="1 Road",
    )
    demo = CommerceDemo(DemoBuilder())
    demo.products["lipstick"] = product
    demo.posts["shop_post"] = post
    return demo, seller, product, post


def test_an_order_is_walked_to_its_goal_and_completed_once(shop, bob):
    demo, seller, _product, post = shop
    order = demo._order(PLAN, "order")
    assert order is not None
    assert order.state == "pending_payment"
    demo._advance(order, PLAN, pin=PIN, what="order")
    order.refresh_from_db()
    assert order.state == "completed"
    moves = list(OrderEvent.objects.filter(order=order).values_list("to_state", flat=True))
    assert moves == ["pending_payment", "paid", "shipped", "delivered", "completed"]
    assert order.delivered_at < timezone.now() - orders.REFUND_WINDOW
    assert (order.carrier, order.tracking_number) == ("sf", "SF1234567890")
    assert order.items.get().source_status_id == post.pk
    assert wallet_balance(account=bob) == 50_000 - 37_800
    assert wallet_balance(account=seller) == 37_800
    assert demo.builder.created["orders"] == 1
    assert demo.builder.created["order steps"] == 4
    assert demo.builder.warnings == []

    # Again: the same order is found and nothing moves.
    assert demo._order(PLAN, "order") == order
    demo._advance(order, PLAN, pin=PIN, what="order")
    assert Order.objects.count() == 1
    assert demo.builder.created["order steps"] == 4
    assert ledger_problems() == []
    assert stock_problems() == []


def test_a_paid_goal_stops_at_paid_for_the_seller_to_ship(shop, bob):
    demo, _seller, product, _post = shop
    plan = OrderPlan("bob", "shop_post", (("lipstick", None, 1),), goal="paid")
    order = demo._order(plan, "order")
    demo._advance(order, plan, pin=PIN, what="order")
    order.refresh_from_db()
    assert order.state == "paid"
    product.refresh_from_db()
    assert product.stock == 4


def test_an_order_left_unpaid_by_an_interrupted_run_expires_and_is_placed_again(shop, bob):
    demo, _seller, product, _post = shop
    first = demo._order(PLAN, "order")
    later = timezone.now() + dt.timedelta(minutes=orders.payment_minutes() + 1)
    with time_machine.travel(later, tick=False):
        second = demo._order(PLAN, "order")
        assert second is not None
        assert second.pk != first.pk
        first.refresh_from_db()
        assert first.state == "expired"
        product.refresh_from_db()
        assert product.stock == 3  # the first order's two units came back, the second took two
        demo._advance(second, PLAN, pin=PIN, what="order")
    second.refresh_from_db()
    assert second.state == "completed"
    assert ledger_problems() == []
    assert stock_problems() == []


def test_a_refusal_is_a_warning_and_the_order_stays_where_it_is(shop, bob):
    demo, _seller, _product, _post = shop
    order = demo._order(PLAN, "order")
    demo._advance(order, PLAN, pin="000000", what="order 1")  # a wrong PIN
    order.refresh_from_db()
    assert order.state == "pending_payment"
    assert len(demo.builder.warnings) == 1
    assert demo.builder.warnings[0].startswith("order 1: Wrong PIN")
    assert "order steps" not in demo.builder.created
    assert wallet_balance(account=bob) == 50_000


def test_a_plan_whose_product_is_missing_is_skipped_with_a_warning(shop, bob):
    demo, *_rest = shop
    plan = OrderPlan("bob", "shop_post", (("not_made", None, 1),), goal="paid")
    assert demo._order(plan, "order 9") is None
    assert demo.builder.warnings == ["order 9: missing not_made"]
    assert not Order.objects.exists()
