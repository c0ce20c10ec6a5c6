"""Order endpoints: checkout, paying, the whole life of an order through the API, who may
see what, idempotent replays, and every refusal leaving money, stock and orders as they were."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.utils import timezone

from storefeed.orders.models import Order
from storefeed.orders.services import orders_complete_due
from storefeed.social.services import follow_create
from storefeed.wallet.selectors import wallet_balance
from tests.shop_api.conftest import PIN, fund, snapshot


def buy(client, product, quantity=1, *, key="order-1", variant=None, address=None):
    line = {"product_id": str(product.pk), "quantity": quantity}
    if variant is not None:
        line["variant_id"] = str(variant.pk)
    address_id = str((address or client.user.address).pk)
    return client.post("/orders", {"items": [line], "address_id": address_id}, key=key)


def placed(client, product, quantity=1, **kwargs) -> dict:
    response = buy(client, product, quantity, **kwargs)
    assert response.status_code == 201, response.content
    [order] = response.json()["orders"]
    return order


_keys = itertools.count(1)


def paid(client, product, quantity=1) -> dict:
    order = placed(client, product, quantity, key=f"paid-{next(_keys)}")
    response = client.post(f"/orders/{order['id']}/pay", {"pin": PIN}, key=f"pay-{order['id']}")
    assert response.status_code == 200, response.content
    return response.json()


def test_place_an_order_reserves_stock_at_the_price_of_now(api, buyer, product):
    client = api(buyer)
    order = placed(client, product, 2)
    assert order["state"] == "pending_payment"
    assert order["role"] == "buyer"
    assert order["actions"] == ["pay", "cancel"]
    assert order["total"] == "176.00"
    assert order["currency"] == "CNY"
    assert order["items"][0]["unit_price"] == "88.00"
    assert order["shipping"]["recipient"] == "Wang Fang"
    assert order["expires_at"] > order["created_at"]
    product.refresh_from_db()
    assert product.stock == 10


def test_an_order_replayed_with_its_key_is_placed_once(api, buyer, product):
    client = api(buyer)
    first = buy(client, product, 2, key="same")
    before = snapshot()
    again = buy(client, product, 2, key="same")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert snapshot() == before
    other = buy(client, product, 3, key="same")
    assert other.status_code == 422
    assert snapshot() == before


def test_orders_need_an_idempotency_key(api, buyer, product):
    before = snapshot()
    response = api(buyer).post(
        "/orders",
        {"items": [{"product_id": str(product.pk)}], "address_id": str(buyer.address.pk)},
    )
    assert response.status_code == 422
    assert response.json()["details"]["field"] == "idempotency_key"
    assert snapshot() == before


def test_a_cart_of_two_sellers_becomes_two_orders(api, buyer, product, rival):
    from storefeed.catalog.services import product_create

    cups = product_create(account=rival, title="Cups", price="25.50", stock=20)
    client = api(buyer)
    client.post("/cart/items", {"product_id": str(product.pk)})
    client.post("/cart/items", {"product_id": str(cups.pk), "quantity": 2})
    response = client.post(
        "/orders", {"from_cart": True, "address_id": str(buyer.address.pk)}, key="cart"
    )
    assert response.status_code == 201, response.content
    orders = response.json()["orders"]
    assert sorted(o["total"] for o in orders) == ["51.00", "88.00"]
    assert len({o["checkout_id"] for o in orders}) == 1
    assert client.get("/cart").json()["items"] == []


def test_insufficient_stock_is_409_with_what_is_left(api, buyer, product):
    before = snapshot()
    response = buy(api(buyer), product, 13)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    [short] = body["details"]["shortfalls"]
    assert short["available"] == 12
    assert short["requested"] == 13
    assert short["product_id"] == product.pk
    assert snapshot() == before


@pytest.mark.parametrize(
    ("quantity", "field"), [(0, "quantity"), (10000, "quantity"), (-2, "quantity")]
)
def test_bad_quantities_are_refused_and_nothing_is_reserved(api, buyer, product, quantity, field):
    before = snapshot()
    response = buy(api(buyer), product, quantity)
    assert response.status_code == 422
    assert response.json()["details"]["field"] == field
    assert snapshot() == before


def test_own_external_unknown_and_suspended_products_are_refused(
    api, buyer, seller, product, staff
):
    from storefeed.catalog.models import ExternalItem
    from storefeed.orders.services import address_create
    from storefeed.sellers.services import seller_suspend
    from tests.shop_api.conftest import ADDRESS

    seller.address = address_create(account=seller, **ADDRESS)
    item = ExternalItem.objects.create(
        source="tmall",
        item_id="61234",
        url="https://detail.tmall.com/item.htm?id=61234",
        title="Pot",
    )
    client = api(buyer)
    before = snapshot()
    assert buy(api(seller), product, key="own").status_code == 403
    external = buy(client, item, key="external")
    assert external.status_code == 422
    assert "Tmall" in external.json()["error"]
    missing = client.post(
        "/orders", {"items": [{"product_id": "4242"}], "address_id": str(buyer.address.pk)}, key="m"
    )
    assert missing.status_code == 404
    no_address = client.post("/orders", {"items": [{"product_id": str(product.pk)}]}, key="a")
    assert no_address.status_code == 422
    assert no_address.json()["details"]["field"] == "address_id"
    seller_suspend(account_id=seller.pk, by=staff, reason="Fakes")
    suspended = buy(client, product, key="s")
    assert suspended.status_code == 409
    assert suspended.json()["code"] == "not_available"
    assert snapshot() == before


def test_someone_elses_address_is_refused(api, buyer, bob, product):
    from storefeed.orders.services import address_create
    from tests.shop_api.conftest import ADDRESS

    theirs = address_create(account=bob, **ADDRESS)
    before = snapshot()
    assert buy(api(buyer), product, address=theirs).status_code == 404
    assert snapshot() == before


def test_pay_moves_the_total_to_escrow_and_offers_follow_and_share(api, buyer, product, seller):
    client = api(buyer)
    order = placed(client, product, 2)
    response = client.post(f"/orders/{order['id']}/pay", {"pin": PIN}, key="p")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "paid"
    assert body["actions"] == ["cancel"]
    assert body["follow_seller"] == {"account_id": str(seller.pk), "following": False}
    assert wallet_balance(account=buyer) == 50000 - 17600
    follow_create(follower=buyer, target=seller)
    assert client.get(f"/orders/{order['id']}").json()["state"] == "paid"


def test_pay_replayed_with_its_key_pays_once(api, buyer, product):
    client = api(buyer)
    order = placed(client, product)
    first = client.post(f"/orders/{order['id']}/pay", {"pin": PIN}, key="pay")
    before = snapshot()
    again = client.post(f"/orders/{order['id']}/pay", {"pin": PIN}, key="pay")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert snapshot() == before


def test_paying_twice_with_a_new_key_is_409(api, buyer, product):
    client = api(buyer)
    order = placed(client, product)
    client.post(f"/orders/{order['id']}/pay", {"pin": PIN}, key="one")
    before = snapshot()
    twice = client.post(f"/orders/{order['id']}/pay", {"pin": PIN}, key="two")
    assert twice.status_code == 409
    assert twice.json()["code"] == "order_state"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("pin", "status", "code"),
    [
        ("000000", 422, "pin_wrong"),
        ("12345", 422, "validation_failed"),
        ("abcdef", 422, "validation_failed"),
        ("", 422, "validation_failed"),
    ],
)
def test_a_bad_pin_pays_nothing(api, buyer, product, pin, status, code):
    client = api(buyer)
    order = placed(client, product)
    before = snapshot()
    response = client.post(f"/orders/{order['id']}/pay", {"pin": pin}, key="p")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert snapshot() == before


def test_too_little_money_is_422_with_the_shortfall_and_the_reservation_stays(api, alice, product):
    from storefeed.orders.services import address_create
    from tests.shop_api.conftest import ADDRESS

    fund(alice, "10.00")
    alice.address = address_create(account=alice, **ADDRESS)
    client = api(alice)
    order = placed(client, product)
    before = snapshot()
    response = client.post(f"/orders/{order['id']}/pay", {"pin": PIN}, key="p")
    assert response.status_code == 422
    assert response.json()["code"] == "insufficient_funds"
    assert response.json()["details"]["shortfall"] == 7800
    assert snapshot() == before
    assert client.get(f"/orders/{order['id']}").json()["state"] == "pending_payment"


def test_paying_someone_elses_order_is_404(api, buyer, bob, product):
    order = placed(api(buyer), product)
    fund(bob)
    before = snapshot()
    response = api(bob).post(f"/orders/{order['id']}/pay", {"pin": PIN}, key="p")
    assert response.status_code == 404
    assert snapshot() == before


def test_an_expired_order_cannot_be_paid(api, buyer, product):
    client = api(buyer)
    order = placed(client, product)
    before = snapshot()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        response = client.post(f"/orders/{order['id']}/pay", {"pin": PIN}, key="late")
    assert response.status_code == 409
    assert response.json()["code"] == "payment_expired"
    assert snapshot() == before


def test_the_whole_life_ship_confirm_complete(api, buyer, seller, product):
    buyer_api, seller_api = api(buyer), api(seller)
    order = paid(buyer_api, product, 2)
    path = f"/orders/{order['id']}"
    as_seller = seller_api.get(path).json()
    assert as_seller["role"] == "seller"
    assert as_seller["actions"] == ["ship", "cancel"]
    shipped = seller_api.post(
        f"{path}/ship", {"carrier": "SF Express", "tracking_number": "SF1234"}
    )
    assert shipped.status_code == 200, shipped.content
    shipping = shipped.json()["shipping"]
    assert shipping["tracking_number"] == "SF1234"
    # A known carrier by its English name is stored by its code, with its tracking page.
    assert (shipping["carrier"], shipping["carrier_name"]) == ("sf", "SF Express")
    assert shipping["tracking_url"] == "https://www.kuaidi100.com/chaxun?com=shunfeng&nu=SF1234"
    assert buyer_api.post(f"{path}/confirm").json()["state"] == "delivered"
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert orders_complete_due() == 1
    done = buyer_api.get(path).json()
    assert done["state"] == "completed"
    assert [e["to_state"] for e in done["events"]] == [
        "pending_payment",
        "paid",
        "shipped",
        "delivered",
        "completed",
    ]
    assert wallet_balance(account=seller) == 17600


def test_shipping_an_unpaid_order_is_409(api, buyer, seller, product):
    order = placed(api(buyer), product)
    before = snapshot()
    response = api(seller).post(
        f"/orders/{order['id']}/ship", {"carrier": "SF", "tracking_number": "SF1234"}
    )
    assert response.status_code == 409
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"carrier": "", "tracking_number": "SF1234"}, "carrier"),
        ({"carrier": "SF", "tracking_number": "?"}, "tracking_number"),
    ],
)
def test_bad_shipping_details_are_refused(api, buyer, seller, product, body, field):
    order = paid(api(buyer), product)
    before = snapshot()
    response = api(seller).post(f"/orders/{order['id']}/ship", body)
    assert response.status_code == 422
    assert response.json()["details"]["field"] == field
    assert snapshot() == before


def test_the_buyer_cannot_ship_and_the_seller_cannot_confirm(api, buyer, seller, product):
    order = paid(api(buyer), product)
    before = snapshot()
    ship = api(buyer).post(
        f"/orders/{order['id']}/ship", {"carrier": "SF", "tracking_number": "SF1234"}
    )
    assert ship.status_code == 404
    api(seller).post(f"/orders/{order['id']}/ship", {"carrier": "SF", "tracking_number": "SF1"})
    assert api(seller).post(f"/orders/{order['id']}/confirm").status_code == 404
    assert snapshot()[0] == before[0]


def test_strangers_see_no_order(api, buyer, product, bob, rival):
    order = placed(api(buyer), product)
    for stranger in (bob, rival):
        client = api(stranger)
        assert client.get(f"/orders/{order['id']}").status_code == 404
        assert client.post(f"/orders/{order['id']}/cancel", {}).status_code == 404
        assert client.post(f"/orders/{order['id']}/confirm").status_code == 404
        assert client.get("/orders").json() == []
        assert client.get("/orders", {"role": "seller"}).json() == []


def test_lists_by_role_and_state(api, buyer, seller, product):
    buyer_api = api(buyer)
    first = placed(buyer_api, product)
    second = paid(buyer_api, product)
    mine = buyer_api.get("/orders").json()
    assert [o["id"] for o in mine] == [second["id"], first["id"]]
    assert [o["id"] for o in buyer_api.get("/orders", {"state": "paid"}).json()] == [second["id"]]
    to_ship = api(seller).get("/orders", {"role": "seller", "state": "paid"}).json()
    assert [o["id"] for o in to_ship] == [second["id"]]
    assert buyer_api.get("/orders", {"role": "seller"}).json() == []
    bad = buyer_api.get("/orders", {"state": "lost"})
    assert bad.status_code == 422
    assert bad.json()["details"]["field"] == "state"


def test_buyer_cancels_a_paid_order_and_gets_everything_back(api, buyer, product):
    client = api(buyer)
    order = paid(client, product, 3)
    response = client.post(f"/orders/{order['id']}/cancel", {"reason": "Changed my mind"})
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert wallet_balance(account=buyer) == 50000
    product.refresh_from_db()
    assert product.stock == 12
    again = client.post(f"/orders/{order['id']}/cancel", {})
    assert again.status_code == 409


def test_the_seller_must_give_a_reason_to_cancel(api, buyer, seller, product):
    order = paid(api(buyer), product)
    before = snapshot()
    response = api(seller).post(f"/orders/{order['id']}/cancel", {})
    assert response.status_code == 422
    assert response.json()["details"]["field"] == "reason"
    assert snapshot() == before
    ok = api(seller).post(f"/orders/{order['id']}/cancel", {"reason": "Out of tins"})
    assert ok.json()["reasons"]["cancel"] == "Out of tins"


def delivered(api, buyer, seller, product) -> dict:
    order = paid(api(buyer), product)
    api(seller).post(f"/orders/{order['id']}/ship", {"carrier": "SF", "tracking_number": "SF12"})
    return api(buyer).post(f"/orders/{order['id']}/confirm").json()


def test_refund_requested_and_accepted(api, buyer, seller, product):
    order = delivered(api, buyer, seller, product)
    path = f"/orders/{order['id']}"
    no_reason = api(buyer).post(f"{path}/refund_request", {})
    assert no_reason.status_code == 422
    asked = api(buyer).post(f"{path}/refund_request", {"reason": "Leaves were crushed"})
    assert asked.json()["state"] == "refund_requested"
    assert api(seller).get(path).json()["actions"] == [
        "refund_accept",
        "refund_decline",
        "return_request",  # delivered: the seller may ask for the goods back first
    ]
    assert api(buyer).post(f"{path}/refund_accept").status_code == 404
    accepted = api(seller).post(f"{path}/refund_accept", key="refund-1")
    assert accepted.json()["state"] == "refunded"
    before = snapshot()
    replay = api(seller).post(f"{path}/refund_accept", key="refund-1")
    assert replay.json() == accepted.json()
    assert snapshot() == before
    assert wallet_balance(account=buyer) == 50000


def test_refund_declined_disputed_and_decided_by_staff(api, buyer, seller, staff, product):
    order = delivered(api, buyer, seller, product)
    path = f"/orders/{order['id']}"
    api(buyer).post(f"{path}/refund_request", {"reason": "Not as described"})
    assert api(seller).post(f"{path}/refund_decline", {}).status_code == 422
    declined = api(seller).post(f"{path}/refund_decline", {"reason": "It is as described"})
    assert declined.json()["state"] == "refund_declined"
    assert api(buyer).post(f"{path}/dispute", {"reason": "Photos attached"}).status_code == 200
    queue = api(staff).get("/admin/disputes").json()
    assert [o["id"] for o in queue] == [order["id"]]
    assert queue[0]["actions"] == ["resolve"]
    assert api(buyer).get("/admin/disputes").status_code == 404
    refused = api(buyer).post(f"/admin/orders/{order['id']}/resolve", {"outcome": "refund"})
    assert refused.status_code == 403
    decided = api(staff).post(f"/admin/orders/{order['id']}/resolve", {"outcome": "refund"})
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "refunded"
    assert wallet_balance(account=buyer) == 50000


def test_a_refund_after_seven_days_is_refused(api, buyer, seller, product):
    order = delivered(api, buyer, seller, product)
    before = snapshot()
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        response = api(buyer).post(f"/orders/{order['id']}/refund_request", {"reason": "Late"})
    assert response.status_code == 409
    assert response.json()["code"] == "refund_window_closed"
    assert snapshot() == before


def test_confirming_an_order_that_is_not_yours_is_404(api, buyer, seller, product, bob):
    order = paid(api(buyer), product)
    api(seller).post(f"/orders/{order['id']}/ship", {"carrier": "SF", "tracking_number": "SF12"})
    before = snapshot()
    assert api(bob).post(f"/orders/{order['id']}/confirm").status_code == 404
    assert snapshot() == before
    assert Order.objects.get(pk=int(order["id"])).state == "shipped"
