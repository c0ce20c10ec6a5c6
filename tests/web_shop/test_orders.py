"""Buying through the pages: Buy from a card, confirm with the PIN; the cart; the buyer's and
the seller's orders and every action; the staff dispute queue; refusals change nothing."""

import re

import pytest

from storefeed.catalog import services as catalog_services
from storefeed.catalog.models import Product
from storefeed.orders import services as order_services
from storefeed.orders.invariants import stock_problems
from storefeed.orders.models import Address, Order
from storefeed.social.models import Follow
from storefeed.wallet.invariants import ledger_problems
from storefeed.wallet.selectors import wallet_balance
from tests.orders.conftest import PIN, address_for, make_buyer
from tests.web_shop.conftest import page_errors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def promises_kept(db):
    yield
    assert ledger_problems() == []
    assert stock_problems() == []


@pytest.fixture
def buyer(alice):
    make_buyer(alice, "500.00")
    address_for(alice)
    return alice


@pytest.fixture
def tea(make_product):
    return make_product(title="Oolong tea", price="88.00", stock=10)


def buy(client, product, **data):
    data.setdefault("quantity", "1")
    data.setdefault("pin", PIN)
    data.setdefault("idempotency_key", "k-1")
    if "address_id" not in data:
        data["address_id"] = ""
    return client.post(f"/products/{product.pk}/buy", data)


def test_buy_then_pin_pays_and_offers_follow_and_share(buyer, seller, alice_client, tea):
    status = catalog_services.product_post_create(account=seller, text="Tea!", product_ids=[tea.pk])
    page = alice_client.get(f"/products/{tea.pk}/buy?from={status.pk}")
    assert page.status_code == 200
    assert 'data-testid="checkout-form"' in page.content.decode()
    response = buy(alice_client, tea, quantity="2", source=str(status.pk))
    assert response.status_code == 302
    order = Order.objects.get(buyer=buyer)
    assert order.state == "paid"
    assert order.total_fen == 17600
    assert order.items.get().source_status_id == status.pk
    assert response["Location"] == f"/orders/{order.pk}?paid=1"
    tea.refresh_from_db()
    assert tea.stock == 8
    assert wallet_balance(account=buyer) == 50000 - 17600
    after = alice_client.get(response["Location"]).content.decode()
    assert 'data-testid="after-pay"' in after
    assert 'data-testid="follow-seller"' in after
    assert f"/statuses/{status.pk}/reblog" in after
    alice_client.post(f"/@{seller.username}/follow")
    assert Follow.objects.filter(follower=buyer, target=seller).exists()


def test_the_same_form_sent_twice_buys_once(buyer, alice_client, tea):
    buy(alice_client, tea)
    buy(alice_client, tea)
    assert Order.objects.filter(buyer=buyer).count() == 1
    assert wallet_balance(account=buyer) == 50000 - 8800


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pin": "12345"}, "6 characters"),
        ({"pin": "abcdef"}, "exactly 6 digits"),
        ({"pin": "000000"}, "wrong"),
        ({"quantity": "0"}, "greater than or equal to 1"),
        ({"quantity": "10000"}, "less than or equal to 99"),
    ],
)
def test_bad_checkouts_change_nothing(buyer, alice_client, tea, change, message):
    response = buy(alice_client, tea, **change)
    assert response.status_code == 400
    assert message.lower() in page_errors(response).lower()
    assert not Order.objects.exists()
    tea.refresh_from_db()
    assert tea.stock == 10
    assert wallet_balance(account=buyer) == 50000


def test_more_than_is_left_is_refused_with_what_is_left(buyer, alice_client, make_product):
    product = make_product(title="Last one", price="5.00", stock=1)
    response = buy(alice_client, product, quantity="2")
    assert response.status_code == 400
    assert "Last one" in page_errors(response)
    assert not Order.objects.exists()
    product.refresh_from_db()
    assert product.stock == 1


def test_too_little_money_offers_a_top_up_and_places_nothing(alice, alice_client, make_product):
    make_buyer(alice, "10.00")
    address_for(alice)
    product = make_product(price="88.00")
    response = buy(alice_client, product)
    assert response.status_code == 400
    assert "(¥78.00 more). Top up" in page_errors(response)
    assert not Order.objects.exists()


def test_buying_now_from_the_page_is_one_transaction(alice, alice_client, make_product):
    """The page buys through `order_buy`: placed and paid at once, never a placed order
    waiting for payment."""
    from storefeed.wallet.models import IdempotencyKey

    make_buyer(alice)
    address_for(alice)
    product = make_product(price="88.00")
    response = buy(alice_client, product)
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.state, order.total_fen) == ("paid", 8800)
    assert order.expires_at == order.paid_at  # written paid: it never waited for payment
    assert list(IdempotencyKey.objects.values_list("scope", flat=True)) == ["orders.buy"]


def test_a_new_address_is_saved_with_the_checkout(alice, alice_client, tea):
    make_buyer(alice)
    bad = buy(alice_client, tea, address_id="new", recipient="", phone="x")
    assert bad.status_code == 400
    assert "Enter a name" in page_errors(bad)
    assert not Order.objects.exists()
    response = buy(
        alice_client,
        tea,
        address_id="new",
        recipient="Wang Fang",
        phone="138 0013 8000",
        region="Beijing",
        city="Beijing",
        street="1 Sanlitun Road",
        idempotency_key="k-2",
    )
    assert response.status_code == 302
    assert Order.objects.get().ship_recipient == "Wang Fang"


def test_own_withdrawn_and_unknown_products_cannot_be_bought(
    buyer, seller, seller_client, alice_client, tea, client
):
    make_buyer(seller, "100.00")
    address_for(seller)
    assert "own" in page_errors(buy(seller_client, tea)).lower()
    catalog_services.product_withdraw(account=seller, product_id=tea.pk)
    refused = alice_client.post(
        f"/products/{tea.pk}/buy", {"quantity": "1", "pin": PIN}, follow=True
    )
    assert "withdrawn and cannot be bought" in refused.content.decode()
    assert alice_client.get("/products/999/buy").status_code == 404
    assert client.get(f"/products/{tea.pk}/buy").status_code == 302  # sign in first
    assert not Order.objects.exists()


def test_a_product_with_variants_sends_the_buyer_to_choose(buyer, alice_client, seller):
    product = catalog_services.product_create(
        account=seller, title="Shirt", variants=[{"name": "M", "price": "59", "stock": 2}]
    )
    response = alice_client.get(f"/products/{product.pk}/buy")
    assert response["Location"] == f"/products/{product.pk}"
    variant = product.variants.get()
    response = buy(alice_client, product, variant_id=str(variant.pk))
    assert response.status_code == 302
    assert Order.objects.get().items.get().variant_id == variant.pk


def test_the_cart_checks_out_one_order_per_seller(buyer, alice_client, tea, rival, make_product):
    other = make_product(title="Cup", price="20.00", account=rival)
    alice_client.post("/cart/add", {"product_id": tea.pk, "quantity": "2"})
    alice_client.post("/cart/add", {"product_id": other.pk})
    page = alice_client.get("/cart").content.decode()
    assert page.count('data-testid="cart-line"') == 2
    assert "¥196.00" in page
    response = alice_client.post(
        "/cart", {"pin": PIN, "idempotency_key": "cart-1", "address_id": ""}
    )
    assert response.status_code == 302
    assert Order.objects.filter(state="paid").count() == 2
    assert "Your cart is empty." in alice_client.get("/cart").content.decode()


def test_bad_cart_input_is_refused(buyer, alice_client, tea, tmall_item):
    for quantity in ("0", "10000", "two"):
        response = alice_client.post(
            "/cart/add", {"product_id": tea.pk, "quantity": quantity}, follow=True
        )
        assert 'data-testid="messages"' in response.content.decode()
    response = alice_client.post("/cart/add", {"product_id": tmall_item.pk}, follow=True)
    assert "buy it there" in response.content.decode()
    assert "Your cart is empty." in response.content.decode()
    empty = alice_client.post("/cart", {"pin": PIN, "address_id": ""})
    assert empty.status_code == 400
    assert "Your cart is empty." in page_errors(empty)
    assert not Order.objects.exists()


@pytest.fixture
def paid_order(buyer, alice_client, tea):
    buy(alice_client, tea)
    return Order.objects.get()


def test_orders_are_seen_by_their_buyer_and_seller_only(
    paid_order, alice_client, seller_client, bob_client
):
    assert f'data-id="{paid_order.pk}"' in alice_client.get("/orders").content.decode()
    assert f'data-id="{paid_order.pk}"' in seller_client.get("/shop/orders").content.decode()
    assert alice_client.get(f"/orders/{paid_order.pk}").status_code == 200
    assert seller_client.get(f"/orders/{paid_order.pk}").status_code == 200
    assert bob_client.get(f"/orders/{paid_order.pk}").status_code == 404
    assert bob_client.post(f"/orders/{paid_order.pk}/cancel").status_code == 404
    assert f'data-id="{paid_order.pk}"' not in bob_client.get("/orders").content.decode()
    paid_order.refresh_from_db()
    assert paid_order.state == "paid"


def test_ship_confirm_and_refund_flow(paid_order, buyer, alice_client, seller_client, staff_client):
    pk = paid_order.pk
    bad = seller_client.post(
        f"/orders/{pk}/ship", {"carrier": "SF", "tracking_number": "!"}, follow=True
    )
    assert "tracking number" in bad.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.state == "paid"
    # The buyer cannot ship, the seller cannot confirm.
    assert (
        alice_client.post(
            f"/orders/{pk}/ship", {"carrier": "SF", "tracking_number": "SF1234"}
        ).status_code
        == 404
    )
    seller_client.post(
        f"/orders/{pk}/ship", {"carrier": "SF Express", "tracking_number": "SF12345678"}
    )
    paid_order.refresh_from_db()
    assert paid_order.state == "shipped"
    assert "SF12345678" in alice_client.get(f"/orders/{pk}").content.decode()
    assert seller_client.post(f"/orders/{pk}/confirm").status_code == 404
    alice_client.post(f"/orders/{pk}/confirm")
    empty_reason = alice_client.post(f"/orders/{pk}/refund_request", {"reason": ""}, follow=True)
    assert "why you want a refund" in empty_reason.content.decode()
    alice_client.post(f"/orders/{pk}/refund_request", {"reason": "Leaves were broken"})
    seller_client.post(f"/orders/{pk}/refund_decline", {"reason": "They were whole"})
    alice_client.post(f"/orders/{pk}/dispute", {"reason": "Photos attached"})
    paid_order.refresh_from_db()
    assert paid_order.state == "disputed"
    queue = staff_client.get("/staff/disputes").content.decode()
    assert f'data-id="{pk}"' in queue
    assert alice_client.get("/staff/disputes").status_code == 403
    assert alice_client.post(f"/staff/disputes/{pk}/refund").status_code == 403
    staff_client.post(f"/staff/disputes/{pk}/refund", {"note": "Photos convince"})
    paid_order.refresh_from_db()
    assert paid_order.state == "refunded"
    assert wallet_balance(account=buyer) == 50000


def test_shipping_an_unpaid_order_and_paying_twice_are_refused(
    buyer, alice_client, seller_client, tea
):
    [order] = order_services.order_place(
        buyer=buyer,
        items=[{"product_id": tea.pk, "variant_id": None, "quantity": 1}],
        address_id=Address.objects.get(owner=buyer).pk,
    )
    shipped = seller_client.post(
        f"/orders/{order.pk}/ship", {"carrier": "SF", "tracking_number": "SF123456"}, follow=True
    )
    assert "Awaiting payment" in shipped.content.decode()
    page = alice_client.get(f"/orders/{order.pk}").content.decode()
    assert 'data-testid="pay-form"' in page
    wrong = alice_client.post(f"/orders/{order.pk}/pay", {"pin": "12345"}, follow=True)
    assert "6 characters" in wrong.content.decode() or "6 digits" in wrong.content.decode()
    alice_client.post(f"/orders/{order.pk}/pay", {"pin": PIN, "idempotency_key": "p-1"})
    again = alice_client.post(
        f"/orders/{order.pk}/pay", {"pin": PIN, "idempotency_key": "p-2"}, follow=True
    )
    assert "already paid" in again.content.decode()
    order.refresh_from_db()
    assert order.state == "paid"
    assert wallet_balance(account=buyer) == 50000 - 8800


def test_the_buyer_cancels_before_shipping_and_gets_the_money_back(paid_order, buyer, alice_client):
    alice_client.post(f"/orders/{paid_order.pk}/cancel", {"reason": ""})
    paid_order.refresh_from_db()
    assert paid_order.state == "cancelled"
    assert wallet_balance(account=buyer) == 50000
    assert Product.objects.get().stock == 10


def test_a_seller_cancelling_needs_a_reason(paid_order, seller_client):
    response = seller_client.post(f"/orders/{paid_order.pk}/cancel", {"reason": ""}, follow=True)
    assert "why you are cancelling" in response.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.state == "paid"


def test_the_wallet_statement_links_the_order(paid_order, alice_client):
    body = alice_client.get("/wallet").content.decode()
    assert f'href="/orders/{paid_order.pk}"' in body


def test_the_seller_picks_a_carrier_and_the_buyer_gets_its_tracking_link(
    paid_order, alice_client, seller_client
):
    form = seller_client.get("/shop/orders").content.decode()
    assert '<option value="sf">SF Express</option>' in form
    assert '<option value="other">Other</option>' in form
    seller_client.post(
        f"/orders/{paid_order.pk}/ship", {"carrier": "sf", "tracking_number": "SF1234567890"}
    )
    paid_order.refresh_from_db()
    assert paid_order.carrier == "sf"
    page = alice_client.get(f"/orders/{paid_order.pk}").content.decode()
    assert (
        'href="https://www.kuaidi100.com/chaxun?com=shunfeng&amp;nu=SF1234567890"' in page
        and "SF Express SF1234567890</a>" in page
    )
    alice_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert (
        "顺丰速运 SF1234567890</a>" in alice_client.get(f"/orders/{paid_order.pk}").content.decode()
    )
    notes = alice_client.get("/notifications").content.decode()
    assert "顺丰速运" in notes


def test_another_carrier_is_shown_as_typed_without_a_link(paid_order, alice_client, seller_client):
    nameless = seller_client.post(
        f"/orders/{paid_order.pk}/ship",
        {"carrier": "other", "carrier_other": "", "tracking_number": "AB12345"},
        follow=True,
    )
    assert "Enter the carrier." in nameless.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.state == "paid"
    seller_client.post(
        f"/orders/{paid_order.pk}/ship",
        {"carrier": "other", "carrier_other": "Best Express 百世", "tracking_number": "AB12345"},
    )
    paid_order.refresh_from_db()
    assert (paid_order.state, paid_order.carrier) == ("shipped", "Best Express 百世")
    page = alice_client.get(f"/orders/{paid_order.pk}").content.decode()
    assert "Best Express 百世 AB12345" in page and 'data-testid="tracking-link"' not in page


def test_a_decided_dispute_keeps_its_history_in_the_staff_queue(
    paid_order, alice_client, seller_client, staff_client
):
    pk = paid_order.pk
    seller_client.post(f"/orders/{pk}/ship", {"carrier": "sf", "tracking_number": "SF12345678"})
    alice_client.post(f"/orders/{pk}/refund_request", {"reason": "Never came"})
    seller_client.post(f"/orders/{pk}/refund_decline", {"reason": "Tracking says delivered"})
    alice_client.post(f"/orders/{pk}/dispute", {"reason": "Neighbours have nothing"})
    staff_client.post(f"/staff/disputes/{pk}/refund", {"note": "Courier lost it"})
    waiting = staff_client.get("/staff/disputes").content.decode()
    assert f'data-id="{pk}"' not in waiting
    decided = staff_client.get("/staff/disputes?state=decided").content.decode()
    assert f'data-id="{pk}"' in decided
    history = decided[decided.index('data-testid="history"') :]
    for said in ("Never came", "Tracking says delivered", "Neighbours have nothing"):
        assert said in history
    assert "@staffer — Courier lost it" in history
    assert alice_client.get("/staff/disputes?state=decided").status_code == 403


def test_a_short_wallet_tops_up_inside_checkout_and_comes_back(alice, alice_client, tea):
    make_buyer(alice, "50.00")
    address_for(alice)
    checkout = f"/products/{tea.pk}/buy?quantity=1"
    page = alice_client.get(checkout).content.decode()
    assert 'data-testid="topup-step"' in page
    assert 'value="38.00" inputmode="decimal" data-testid="topup-amount"' in page
    # The saved address is chosen and the new-address form is closed.
    assert re.search(r'value="\d+" checked data-testid="address-choice"', page)
    assert '<details class="address-new" data-testid="address-new">' in page
    back = alice_client.post(
        "/wallet/topup", {"amount": "38.00", "idempotency_key": "t-1", "next": checkout}
    )
    assert back.status_code == 302 and back["Location"] == checkout
    assert wallet_balance(account=alice) == 8_800
    again = alice_client.get(checkout).content.decode()
    assert 'data-testid="topup-step"' not in again
    # A "next" off the site is ignored.
    away = alice_client.post(
        "/wallet/topup", {"amount": "1.00", "idempotency_key": "t-2", "next": "//evil.example"}
    )
    assert away["Location"] == "/wallet"
