"""Buy now (POST /buy): place and pay one product in one request, all or nothing. Every
refusal leaves no order, no stock taken and no money moved (a wrong PIN is still counted);
a replay with the key answers the same and moves nothing; the hot paths' statements are
counted."""

import pytest

from storefeed.catalog.models import ExternalItem
from storefeed.notifications.models import Notification
from storefeed.orders.models import Order
from storefeed.orders.services import address_create
from storefeed.posts.services import status_create
from storefeed.sellers.services import seller_suspend
from storefeed.wallet.models import IdempotencyKey, PaymentPin
from storefeed.wallet.selectors import escrow_held, wallet_balance
from tests.orders.statements import round_trips, statements
from tests.shop_api.conftest import ADDRESS, PIN, fund, snapshot, variants_of


def buy_now(client, product, *, key="buy-1", **fields):
    body = {
        "product_id": str(product.pk),
        "quantity": 1,
        "address_id": str(client.user.address.pk),
        "pin": PIN,
        **fields,
    }
    return client.post("/buy", body, key=key)


def test_buy_now_places_and_pays_in_one_request(api, buyer, seller, product):
    before = wallet_balance(account=buyer)
    response = buy_now(api(buyer), product, quantity=2)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["total"], body["actions"]) == ("paid", "176.00", ["cancel"])
    assert body["paid_at"] is not None and body["items"][0]["quantity"] == 2
    assert body["follow_seller"] == {"account_id": str(seller.pk), "following": False}
    order = Order.objects.get(pk=int(body["id"]))
    assert order.state == "paid" and order.buyer_id == buyer.pk
    assert list(order.events.values_list("from_state", "to_state")) == [
        ("", "pending_payment"),
        ("pending_payment", "paid"),
    ]
    product.refresh_from_db()
    assert product.stock == 10
    assert wallet_balance(account=buyer) == before - 17600
    assert escrow_held(ref=order.ref) == 17600
    note = Notification.objects.filter(recipient=seller, type="shop").latest("id")
    assert note.data["event"] == "order_paid" and note.data["order_id"] == body["id"]
    assert api(buyer).get(f"/orders/{body['id']}").json()["state"] == "paid"


def test_buy_now_replayed_with_its_key_buys_once(api, buyer, product):
    client = api(buyer)
    first = buy_now(client, product, key="same")
    before = snapshot()
    again = buy_now(client, product, key="same")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert snapshot() == before
    other = buy_now(client, product, key="same", quantity=2)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert snapshot() == before


def test_buy_now_of_a_variant_from_a_post(api, buyer, seller, sized):
    post = status_create(account=seller, text="Towels!")
    from storefeed.catalog.models import PostProduct

    PostProduct.objects.create(status=post, product=sized, position=0)
    large = variants_of(sized)["Large"]
    response = buy_now(
        api(buyer),
        sized,
        variant_id=str(large.pk),
        quantity=2,
        source_status_id=str(post.pk),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["items"][0]["variant_name"] == "Large" and body["total"] == "59.80"
    assert body["share_status_ids"] == [str(post.pk)]
    large.refresh_from_db()
    assert large.stock == 0


@pytest.mark.parametrize(
    ("fields", "status", "code", "field"),
    [
        ({"quantity": 0}, 422, "validation_failed", "quantity"),
        ({"quantity": 100}, 422, "validation_failed", "quantity"),
        ({"quantity": "two"}, 422, "validation_failed", "quantity"),
        ({"product_id": "4242"}, 404, "not_found", "product_id"),
        ({"product_id": "x"}, 422, "validation_failed", "product_id"),
        ({"address_id": None}, 422, "validation_failed", "address_id"),
        ({"address_id": "4242"}, 404, "not_found", "address_id"),
        ({"variant_id": "4242"}, 422, "validation_failed", "variant_id"),
        ({"source_status_id": "-1"}, 422, "validation_failed", "source_status_id"),
        ({"quantity": 13}, 409, "insufficient_stock", "items"),
        ({"pin": "12345"}, 422, "validation_failed", "pin"),
        ({"pin": ""}, 422, "validation_failed", "pin"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(api, buyer, product, fields, status, code, field):
    client = api(buyer)
    before = snapshot()
    response = buy_now(client, product, **fields)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["error"]
    assert body["details"]["field"] == field
    assert snapshot() == before
    assert not IdempotencyKey.objects.exists()  # the key is free to retry with
    assert PaymentPin.objects.get(account=buyer).failed_attempts == 0  # not a counted try


def test_without_an_idempotency_key_nothing_is_bought(api, buyer, product):
    before = snapshot()
    body = {"product_id": str(product.pk), "address_id": str(buyer.address.pk), "pin": PIN}
    response = api(buyer).post("/buy", body)
    assert response.status_code == 422
    assert response.json()["details"]["field"] == "idempotency_key"
    assert snapshot() == before


def test_a_wrong_pin_is_counted_and_buys_nothing_and_the_key_may_be_retried(api, buyer, product):
    client = api(buyer)
    before = snapshot()
    response = buy_now(client, product, pin="000000", key="k")
    assert response.status_code == 422
    assert response.json()["code"] == "pin_wrong"
    assert response.json()["details"]["tries_left"] == 4
    assert snapshot() == before
    assert PaymentPin.objects.get(account=buyer).failed_attempts == 1
    retried = buy_now(client, product, key="k")
    assert retried.status_code == 201, retried.content
    assert PaymentPin.objects.get(account=buyer).failed_attempts == 0


def test_five_wrong_pins_lock_buying_too(api, buyer, product):
    client = api(buyer)
    for i in range(4):
        assert buy_now(client, product, pin="000000", key=f"w{i}").status_code == 422
    locked = buy_now(client, product, pin="000000", key="w4")
    assert locked.status_code == 403 and locked.json()["code"] == "pin_locked"
    before = snapshot()
    right = buy_now(client, product, key="right")
    assert right.status_code == 403 and right.json()["code"] == "pin_locked"
    assert snapshot() == before


def test_too_little_money_buys_nothing_and_takes_no_stock(api, alice, product):
    fund(alice, "10.00")
    alice.address = address_create(account=alice, **ADDRESS)
    before = snapshot()
    response = buy_now(api(alice), product)
    assert response.status_code == 422
    assert response.json()["code"] == "insufficient_funds"
    assert response.json()["details"]["shortfall"] == 7800
    assert snapshot() == before
    assert not Order.objects.exists()


def test_a_right_pin_resets_the_count_even_when_buying_is_refused(api, alice, product):
    fund(alice, "10.00")
    alice.address = address_create(account=alice, **ADDRESS)
    client = api(alice)
    assert buy_now(client, product, pin="000000", key="w").status_code == 422
    before = snapshot()
    assert buy_now(client, product, key="r").json()["code"] == "insufficient_funds"
    assert snapshot() == before
    assert PaymentPin.objects.get(account=alice).failed_attempts == 0
    assert not IdempotencyKey.objects.exists()


def test_no_pin_own_third_party_and_suspended_products_are_refused(
    api, buyer, seller, staff, product, alice
):
    client = api(buyer)
    item = ExternalItem.objects.create(
        source="tmall",
        item_id="61234",
        url="https://detail.tmall.com/item.htm?id=61234",
        title="Pot",
    )
    seller.address = address_create(account=seller, **ADDRESS)
    before = snapshot()
    own = buy_now(api(seller), product, key="own")
    assert own.status_code == 403
    external = buy_now(client, item, key="ext")
    assert external.status_code == 422 and "Tmall" in external.json()["error"]
    PaymentPin.objects.filter(account=buyer).delete()
    no_pin = buy_now(client, product, key="nopin")
    assert no_pin.status_code == 422 and no_pin.json()["code"] == "pin_not_set"
    seller_suspend(account_id=seller.pk, by=staff, reason="Fakes")
    suspended = buy_now(client, product, key="susp")
    assert suspended.status_code == 409 and suspended.json()["code"] == "not_available"
    assert snapshot() == before


def test_someone_elses_address_is_refused(api, buyer, bob, product):
    theirs = address_create(account=bob, **ADDRESS)
    before = snapshot()
    response = buy_now(api(buyer), product, address_id=str(theirs.pk))
    assert response.status_code == 404
    assert snapshot() == before


def test_checkout_requests_are_lean(api, buyer, product):
    """Each request is one transaction (one commit, the key's claim and answer in it), with
    a fixed number of statements; see tests/orders/test_statements.py for what they are.
    The rate limit's counter is one more statement, before the transaction (in Redis when
    configured, none)."""
    client = api(buyer)
    assert buy_now(client, product, key="warm").status_code == 201  # accounts exist now
    with statements() as placing:
        placed = client.post(
            "/orders",
            {"items": [{"product_id": str(product.pk)}], "address_id": str(buyer.address.pk)},
            key="place",
        )
    assert placed.status_code == 201
    # rate limit, token; address, product; INSERT key, order, items, events; UPDATE key, stock,
    # the product's search row.
    assert (len(placing.work), placing.transactions) == (11, 1), placing
    round_trips(placing, 6)  # rate limit, token, address, product, key, the writes
    order_id = placed.json()["orders"][0]["id"]
    with statements() as paying:
        paid = client.post(f"/orders/{order_id}/pay", {"pin": PIN}, key="pay")
    assert paid.status_code == 200
    # rate limit, token, and the service's 12, and the answer's items and "following?".
    assert (len(paying.work), paying.transactions) == (16, 1), paying
    round_trips(paying, 9)  # rate limit, token, the service's 5, items, "following?"
    with statements() as buying:
        bought = buy_now(client, product, key="buy")
    assert bought.status_code == 201
    # rate limit, token, the service's 16, and "following?".
    assert (len(buying.work), buying.transactions) == (19, 1), buying
    round_trips(buying, 9)  # rate limit, token, the service's 6, "following?"
