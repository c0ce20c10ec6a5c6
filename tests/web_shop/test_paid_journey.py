"""Issue 5's "done when", through the web pages only: a fan sets a PIN and tops up through the
simulated bank, buys from a seller's post, the seller ships from their orders to ship, the fan
confirms receipt, and after the refund window the completion sweep pays the seller, whose
wallet page shows the payout. Then the refund path: the fan asks for a refund with a reason
and the seller accepts, and the fan's money is back.

Every step is a form read off the page that shows it and posted as a browser would: its hidden
fields (the idempotency keys the pages mint, the post the Buy link came from) and its CSRF
token, with CSRF checks enforced. Only the seller's product and post, and the periodic sweep,
go through the services."""

import datetime as dt
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from storefeed.catalog import services as catalog_services
from storefeed.core.money import display
from storefeed.orders import services as order_services
from storefeed.orders.invariants import stock_problems
from storefeed.orders.models import Order
from storefeed.wallet.invariants import ledger_problems
from storefeed.wallet.selectors import wallet_balance
from tests.orders.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PIN = "246810"
TOP_UP = "200.00"
ADDRESS = {
    "recipient": "Wang Fang",
    "phone": "138 0013 8000",
    "region": "Beijing",
    "city": "Beijing",
    "street": "1 Sanlitun Road, Chaoyang",
    "postcode": "100027",
}


# --------------------------------------------------------------------------------------------
# Reading forms and links off a page


class _Page(HTMLParser):
    """The forms of a page (attributes and the fields a browser would send) and its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a":
            self.links.append(a)
        if tag == "form":
            self._form = {"attrs": a, "fields": {}}
            self.forms.append(self._form)
            return
        if self._form is None or "name" not in a:
            if tag == "option" and self._form is not None and self._select and "selected" in a:
                self._form["fields"][self._select] = a.get("value", "")
            return
        fields = self._form["fields"]
        kind = a.get("type", "text")
        if tag == "input" and kind not in ("submit", "button", "image", "file", "reset"):
            if kind not in ("radio", "checkbox") or "checked" in a:
                fields[a["name"]] = a.get("value", "")
            else:
                fields.setdefault(a["name"], "")
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            fields.setdefault(a["name"], "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _parse(response) -> _Page:
    assert response.status_code == 200, response.status_code
    page = _Page()
    page.feed(response.content.decode())
    return page


def form_on(response, *, testid: str | None = None, action: str | None = None) -> dict:
    """The one form on the page with this data-testid or this action."""
    found = [
        f
        for f in _parse(response).forms
        if (testid is None or f["attrs"].get("data-testid") == testid)
        and (action is None or f["attrs"].get("action") == action)
    ]
    assert len(found) == 1, f"{len(found)} forms with testid={testid} action={action}"
    return found[0]


def submit(client: Client, page_url: str, form: dict, **filled: str):
    """Post `form` as the browser does: its own fields (hidden ones, the CSRF token), with the
    visible ones filled in, to its action (or back to the page when it has none)."""
    fields = dict(form["fields"])
    unknown = set(filled) - set(fields)
    assert not unknown, f"the form has no fields {unknown}; it has {sorted(fields)}"
    fields.update(filled)
    assert fields.get("csrfmiddlewaretoken"), "the form carries no CSRF token"
    return client.post(form["attrs"].get("action") or page_url, fields)


def balance_shown(client: Client) -> str:
    body = client.get("/wallet").content.decode()
    start = body.index('data-testid="balance">') + len('data-testid="balance">')
    return body[start : body.index("<", start)]


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def promises_kept() -> None:
    assert ledger_problems() == []
    assert stock_problems() == []


# --------------------------------------------------------------------------------------------
# The journey's steps, each through the pages


def set_pin_and_top_up(fan: Client) -> None:
    wallet = fan.get("/wallet")
    assert 'data-testid="simulated-label"' in wallet.content.decode()
    pin_link = next(a for a in _parse(wallet).links if a.get("data-testid") == "pin-link")
    pin_page = fan.get(pin_link["href"])
    response = submit(
        fan,
        pin_link["href"],
        form_on(pin_page, testid="pin-form"),
        pin=PIN,
        pin2=PIN,
        password=PASSWORD,
    )
    assert response.status_code == 302
    assert response["Location"] == "/wallet"

    topup = form_on(fan.get("/wallet"), testid="topup-form")
    assert topup["fields"]["idempotency_key"], "the top-up form mints an idempotency key"
    response = submit(fan, "/wallet", topup, amount=TOP_UP)
    assert response.status_code == 302
    # The same form sent again (a double tap, a reload) moves nothing.
    again = submit(fan, "/wallet", topup, amount=TOP_UP)
    assert again.status_code == 302
    assert "Already done" in fan.get("/wallet").content.decode()
    assert balance_shown(fan) == "¥200.00"


def buy_from_the_post(fan: Client, seller, product, status, *, quantity: int) -> Order:
    post_page = fan.get(f"/@{seller.username}/{status.pk}")
    buy_links = [
        a["href"]
        for a in _parse(post_page).links
        if a.get("data-testid") == "buy" and a["href"].startswith(f"/products/{product.pk}/buy")
    ]
    assert buy_links == [f"/products/{product.pk}/buy?from={status.pk}"]
    checkout_page = fan.get(buy_links[0])
    checkout = form_on(checkout_page, testid="checkout-form")
    assert checkout["fields"]["source"] == str(status.pk)
    assert checkout["fields"]["idempotency_key"]
    assert checkout["fields"]["address_id"] == "new"  # no address yet: the form asks for one
    response = submit(fan, buy_links[0], checkout, quantity=str(quantity), pin=PIN, **ADDRESS)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get(buyer__username="alice")
    assert response["Location"] == f"/orders/{order.pk}?paid=1"
    assert order.state == "paid"
    assert order.total_fen == product.price_fen * quantity
    assert order.items.get().source_status_id == status.pk
    assert order.ship_recipient == ADDRESS["recipient"]
    assert 'data-testid="after-pay"' in fan.get(response["Location"]).content.decode()
    assert balance_shown(fan) == display(20000 - order.total_fen)
    return order


def ship_from_orders_to_ship(seller_client: Client, order: Order) -> None:
    to_ship = seller_client.get("/shop/orders")
    assert f'data-id="{order.pk}"' in to_ship.content.decode()
    ship = form_on(to_ship, action=f"/orders/{order.pk}/ship")
    response = submit(
        seller_client,
        "/shop/orders",
        ship,
        carrier="sf",
        tracking_number="SF1234567890",
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "shipped"
    assert (order.carrier, order.tracking_number) == ("sf", "SF1234567890")
    shipped = seller_client.get("/shop/orders?state=shipped").content.decode()
    assert f'data-id="{order.pk}" data-state="shipped"' in shipped
    assert f'data-id="{order.pk}"' not in seller_client.get("/shop/orders").content.decode()


def confirm_receipt(fan: Client, order: Order) -> None:
    page = fan.get(f"/orders/{order.pk}")
    assert "SF1234567890" in page.content.decode()
    response = submit(
        fan, f"/orders/{order.pk}", form_on(page, action=f"/orders/{order.pk}/confirm")
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "delivered"


@pytest.fixture
def fan(alice):
    return signed_in(alice)


@pytest.fixture
def seller_web(seller):
    return signed_in(seller)


@pytest.fixture
def tea_post(seller, make_product):
    tea = make_product(title="Oolong tea", price="88.00", stock=10)
    status = catalog_services.product_post_create(
        account=seller, text="New harvest oolong!", product_ids=[tea.pk]
    )
    return tea, status


# --------------------------------------------------------------------------------------------
# The journeys


@pytest.mark.parametrize("fee_percent", [None, 5], ids=["default-fee", "fee-5pct"])
def test_top_up_buy_from_a_post_ship_confirm_and_the_seller_is_paid(
    settings, alice, seller, fan, seller_web, tea_post, fee_percent
):
    if fee_percent is not None:
        settings.PLATFORM_FEE_PERCENT = fee_percent
    tea, status = tea_post
    set_pin_and_top_up(fan)
    order = buy_from_the_post(fan, seller, tea, status, quantity=2)
    ship_from_orders_to_ship(seller_web, order)
    confirm_receipt(fan, order)

    # Within the refund window the money stays in escrow.
    assert order_services.orders_complete_due() == 0
    assert balance_shown(seller_web) == "¥0.00"

    with time_machine.travel(timezone.now() + dt.timedelta(days=8), tick=False):
        assert order_services.orders_complete_due() == 1
        assert order_services.orders_complete_due() == 0  # the sweep is safe to run again

    order.refresh_from_db()
    assert order.state == "completed"
    fee = (fee_percent or 0) * order.total_fen // 100
    assert order.fee_fen == fee
    payout = order.total_fen - fee
    assert payout == (17600 if fee_percent is None else 16720)
    assert balance_shown(seller_web) == display(payout)
    assert wallet_balance(account=seller) == payout
    seller_wallet = seller_web.get("/wallet").content.decode()
    assert f'href="/orders/{order.pk}"' in seller_wallet
    assert f'data-id="{order.pk}" data-state="completed"' in (
        fan.get("/orders?state=all").content.decode()
    )
    assert balance_shown(fan) == "¥24.00"
    tea.refresh_from_db()
    assert tea.stock == 8
    promises_kept()


def test_after_delivery_a_refund_asked_on_the_web_and_accepted_returns_the_money(
    alice, seller, fan, seller_web, tea_post
):
    tea, status = tea_post
    set_pin_and_top_up(fan)
    order = buy_from_the_post(fan, seller, tea, status, quantity=1)
    assert balance_shown(fan) == "¥112.00"
    ship_from_orders_to_ship(seller_web, order)
    confirm_receipt(fan, order)

    page = fan.get(f"/orders/{order.pk}")
    ask = form_on(page, action=f"/orders/{order.pk}/refund_request")
    response = submit(fan, f"/orders/{order.pk}", ask, reason="The leaves arrived crushed")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "refund_requested"
    assert order.refund_reason == "The leaves arrived crushed"

    refunds = seller_web.get("/shop/orders?state=refunds")
    assert f'data-id="{order.pk}" data-state="refund_requested"' in refunds.content.decode()
    seller_page = seller_web.get(f"/orders/{order.pk}")
    assert "The leaves arrived crushed" in seller_page.content.decode()
    accept = form_on(seller_page, action=f"/orders/{order.pk}/refund_accept")
    response = submit(seller_web, f"/orders/{order.pk}", accept)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "refunded"

    assert balance_shown(fan) == "¥200.00"
    assert wallet_balance(account=alice) == 20000
    # The refunded order is never paid out, however late the sweep runs.
    with time_machine.travel(timezone.now() + dt.timedelta(days=8), tick=False):
        assert order_services.orders_complete_due() == 0
    assert balance_shown(seller_web) == "¥0.00"
    assert wallet_balance(account=seller) == 0
    promises_kept()
