"""A return of goods: a refund of a delivered order paid once the goods are back. The seller
asks for them, the buyer sends them with a carrier and tracking number, the seller receives
them and refunds, putting the units back on sale if they say so; or declines, and the buyer
may dispute; goods not sent in time leave the sale standing. Walked through the services, the
shop API and the web page (every action from every state is walked in test_workflow.py)."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from storefeed.core.errors import ValidationFailed
from storefeed.orders import services, workflow
from storefeed.orders.errors import OrderStateConflict
from storefeed.orders.models import Order
from tests.orders.conftest import balance_of, escrow_balance, pay, place_one, snapshot, stock_of
from tests.shop_api.conftest import ShopApi

pytestmark = pytest.mark.django_db


def delivered_and_asked(buyer, seller, address, product, quantity: int = 2) -> Order:
    """A delivered order of `quantity` units whose buyer asked for a refund."""
    order = pay(buyer, place_one(buyer, address, product, quantity))
    services.order_ship(seller=seller, order_id=order.pk, carrier="sf", tracking_number="SF1234")
    services.order_confirm(buyer=buyer, order_id=order.pk)
    services.order_refund_request(buyer=buyer, order_id=order.pk, reason="Too small")
    return order


@pytest.mark.parametrize("restock", [True, False])
def test_goods_sent_back_and_received_are_refunded_and_restocked_if_the_seller_says(
    buyer, seller, address, tea, restock
):
    money = balance_of(buyer)
    order = delivered_and_asked(buyer, seller, address, tea)
    assert stock_of(tea) == 8
    services.order_return_request(seller=seller, order_id=order.pk)
    services.order_return_ship(
        buyer=buyer, order_id=order.pk, carrier="zto", tracking_number="ZT 7788 9900"
    )
    sent = Order.objects.get(pk=order.pk)
    assert (sent.state, sent.return_carrier, sent.return_tracking_number) == (
        "return_shipped",
        "zto",
        "ZT77889900",
    )
    assert balance_of(buyer) == money - 2 * 8800  # not refunded before the goods arrive
    services.order_return_receive(seller=seller, order_id=order.pk, restock=restock)
    done = Order.objects.get(pk=order.pk)
    assert (done.state, done.restocked) == ("refunded", restock)
    assert balance_of(buyer) == money
    assert escrow_balance() == 0
    assert stock_of(tea) == (10 if restock else 8)
    # The autouse fixture checks left + reserved + sold = put on sale, with returns restocked.


def test_a_parcel_that_never_arrived_has_no_goods_to_send_back(buyer, seller, address, tea):
    order = pay(buyer, place_one(buyer, address, tea))
    services.order_ship(seller=seller, order_id=order.pk, carrier="sf", tracking_number="SF1234")
    services.order_refund_request(buyer=buyer, order_id=order.pk, reason="Lost")
    before = snapshot()
    with pytest.raises(OrderStateConflict, match="never arrived"):
        services.order_return_request(seller=seller, order_id=order.pk)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("carrier", "tracking", "field"),
    [("", "SF12345", "carrier"), ("sf", "12", "tracking_number"), ("other", "SF12345", "carrier")],
)
def test_a_return_without_a_proper_shipment_is_refused(
    buyer, seller, address, tea, carrier, tracking, field
):
    order = delivered_and_asked(buyer, seller, address, tea)
    services.order_return_request(seller=seller, order_id=order.pk)
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.order_return_ship(
            buyer=buyer, order_id=order.pk, carrier=carrier, tracking_number=tracking
        )
    assert refused.value.field == field
    assert snapshot() == before
    assert Order.objects.get(pk=order.pk).state == "return_requested"


def test_only_the_seller_asks_back_and_only_the_buyer_sends_back(
    buyer, seller, address, tea, alice
):
    from storefeed.core.errors import NotFound

    order = delivered_and_asked(buyer, seller, address, tea)
    with pytest.raises(NotFound):
        services.order_return_request(seller=buyer, order_id=order.pk)
    services.order_return_request(seller=seller, order_id=order.pk)
    with pytest.raises(NotFound):
        services.order_return_ship(
            buyer=seller, order_id=order.pk, carrier="sf", tracking_number="SF1234"
        )


def test_goods_not_sent_back_in_time_leave_the_sale_standing(buyer, seller, address, tea):
    money = balance_of(seller)
    order = delivered_and_asked(buyer, seller, address, tea)
    services.order_return_request(seller=seller, order_id=order.pk)
    late = timezone.now() + workflow.RETURN_WINDOW + dt.timedelta(hours=1)
    with time_machine.travel(late):
        with pytest.raises(OrderStateConflict, match="7 days"):
            services.order_return_ship(
                buyer=buyer, order_id=order.pk, carrier="sf", tracking_number="SF1234"
            )
        assert services.orders_complete_due() == 1
        assert services.orders_complete_due() == 0  # idempotent
    assert Order.objects.get(pk=order.pk).state == "completed"
    assert balance_of(seller) == money + 2 * 8800


def test_a_return_the_seller_says_never_came_can_be_disputed(buyer, seller, address, tea):
    order = delivered_and_asked(buyer, seller, address, tea)
    services.order_return_request(seller=seller, order_id=order.pk)
    services.order_return_ship(
        buyer=buyer, order_id=order.pk, carrier="sf", tracking_number="SF1234"
    )
    services.order_refund_decline(seller=seller, order_id=order.pk, reason="Nothing came")
    services.order_dispute(buyer=buyer, order_id=order.pk, reason="Here is the receipt")
    assert Order.objects.get(pk=order.pk).state == "disputed"


def test_the_shop_api_walks_a_return(buyer, seller, address, tea):
    order = delivered_and_asked(buyer, seller, address, tea, quantity=1)
    as_buyer, as_seller = ShopApi(buyer), ShopApi(seller)
    shown = as_seller.get(f"/orders/{order.pk}").json()
    assert "return_request" in shown["actions"]
    assert as_seller.post(f"/orders/{order.pk}/return_request", {}).status_code == 200
    bad = as_buyer.post(f"/orders/{order.pk}/return_ship", {"carrier": "sf"})
    assert bad.status_code == 422 and bad.json()["error"]
    sent = as_buyer.post(
        f"/orders/{order.pk}/return_ship", {"carrier": "sf", "tracking_number": "SF5566"}
    )
    assert sent.status_code == 200, sent.content
    body = sent.json()
    assert body["state"] == "return_shipped"
    assert body["return_of_goods"]["tracking_number"] == "SF5566"
    assert body["return_of_goods"]["tracking_url"]
    done = as_seller.post(f"/orders/{order.pk}/return_receive", {"restock": True})
    assert done.status_code == 200, done.content
    assert (done.json()["state"], done.json()["return_of_goods"]["restocked"]) == (
        "refunded",
        True,
    )
    assert stock_of(tea) == 10


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_web_page_walks_a_return_in_both_languages(
    buyer, seller, address, tea, client_for, language
):
    order = delivered_and_asked(buyer, seller, address, tea, quantity=1)
    as_buyer, as_seller = client_for(buyer), client_for(seller)
    for client in (as_buyer, as_seller):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = as_seller.get(f"/orders/{order.pk}").content.decode()
    assert 'data-testid="return_request"' in page
    as_seller.post(f"/orders/{order.pk}/return_request", follow=True)
    page = as_buyer.get(f"/orders/{order.pk}").content.decode()
    assert 'data-testid="return-carrier"' in page
    wanted = "待退货" if language == "zh-hans" else "To send back"
    assert wanted in page
    as_buyer.post(
        f"/orders/{order.pk}/return_ship",
        {"carrier": "sf", "tracking_number": "SF5566"},
        follow=True,
    )
    # The returned parcel waits in the seller's refunds tab, the order in the buyer's list.
    waiting = as_seller.get("/shop/orders?state=refunds").content.decode()
    assert f'data-id="{order.pk}"' in waiting
    assert f'data-id="{order.pk}"' in as_buyer.get("/orders?state=delivered").content.decode()
    page = as_seller.get(f"/orders/{order.pk}").content.decode()
    assert 'data-testid="return-shipment"' in page and "SF5566" in page
    assert 'data-testid="restock"' in page
    done = as_seller.post(f"/orders/{order.pk}/return_receive", {}, follow=True)
    wanted = "已退款" if language == "zh-hans" else "Refund paid"
    assert wanted in done.content.decode()
    assert (Order.objects.get(pk=order.pk).state, stock_of(tea)) == ("refunded", 9)
