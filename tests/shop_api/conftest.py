"""Fixtures for the shop API: clients holding a bearer token with chosen scopes, sellers,
staff, products, money in wallets, and the ledger's invariants checked after every test."""

import datetime as dt
import json
import secrets
from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from storefeed.catalog import services as catalog
from storefeed.catalog.models import Product, Variant
from storefeed.orders.invariants import stock_problems
from storefeed.orders.models import Order, OrderEvent
from storefeed.orders.services import address_create
from storefeed.wallet.invariants import ledger_problems
from storefeed.wallet.models import Entry, LedgerAccount
from storefeed.wallet.services import pin_set, topup_create
from tests.conftest import make_user
from tests.posts.conftest import image_file
from tests.sellers.conftest import make_seller, with_followers

BASE = "/api/shop/v1"
PASSWORD = "correct-horse-9"  # tests.conftest.make_user's
PIN = "246810"


class ShopApi:
    """A test client speaking JSON to the shop API with one bearer token."""

    def __init__(self, user, scope: str = "read write") -> None:
        app = Application.objects.create(
            name="shop test app",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris="urn:ietf:wg:oauth:2.0:oob",
        )
        self.token = AccessToken.objects.create(
            user=user,
            application=app,
            token=secrets.token_urlsafe(32),
            scope=scope,
            expires=timezone.now() + dt.timedelta(days=1),
        )
        self.user = user
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.token.token}")

    @staticmethod
    def _url(path: str) -> str:
        return path if path.startswith("/api/") else BASE + path

    @staticmethod
    def _headers(key: str | None) -> dict:
        return {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}

    def get(self, path, data=None):
        return self.client.get(self._url(path), data)

    def post(self, path, data=None, *, key: str | None = None, raw: str | None = None):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(
            self._url(path), body, content_type="application/json", **self._headers(key)
        )

    def patch(self, path, data=None):
        return self.client.patch(
            self._url(path), json.dumps(data or {}), content_type="application/json"
        )

    def delete(self, path):
        return self.client.delete(self._url(path))


@pytest.fixture
def api(db):
    def make(user, scope: str = "read write") -> ShopApi:
        return ShopApi(user, scope)

    return make


@pytest.fixture(autouse=True)
def ledger_sound(db) -> Iterator[None]:
    """Every test ends with a sound ledger (entries sum to zero, no wallet below zero) and
    sound stock (for every product: left + reserved + sold = ever put on sale)."""
    yield
    assert ledger_problems() == []
    assert stock_problems() == []


@pytest.fixture
def staff(db):
    return make_user("staffer", is_staff=True)


@pytest.fixture
def seller(staff):
    return make_seller("teashop", staff)


@pytest.fixture
def rival(staff):
    return make_seller("rivalshop", staff)


@pytest.fixture
def applicant(alice):
    return with_followers(alice, 1000)


@pytest.fixture
def make_image():
    return image_file


@pytest.fixture
def product(seller) -> Product:
    return catalog.product_create(account=seller, title="Oolong tea", price="88.00", stock=12)


@pytest.fixture
def sized(seller) -> Product:
    """A product with two variants, each with its own price and stock."""
    return catalog.product_create(
        account=seller,
        title="Tea towel",
        variants=[
            {"name": "Small", "price": "19.90", "stock": 5},
            {"name": "Large", "price": "29.90", "stock": 2},
        ],
    )


def variants_of(product: Product) -> dict[str, Variant]:
    return {v.name: v for v in Variant.objects.filter(product=product, is_active=True)}


def fund(user, amount: str = "500.00", pin: str | None = PIN) -> None:
    """Money in `user`'s wallet (the simulated bank) and, unless pin=None, a payment PIN."""
    topup_create(account=user, amount=amount)
    if pin is not None:
        pin_set(account=user, pin=pin, password=PASSWORD)


def ledger_snapshot() -> tuple[list[tuple[int, int]], int]:
    """Every ledger account's balance and the number of entries: equal means nothing moved."""
    balances = list(LedgerAccount.objects.order_by("pk").values_list("pk", "balance"))
    return balances, Entry.objects.count()


ADDRESS = {
    "recipient": "Wang Fang",
    "phone": "138 0013 8000",
    "region": "Beijing",
    "city": "Beijing",
    "street": "1 Sanlitun Road, Chaoyang",
    "postcode": "100027",
}


@pytest.fixture
def buyer(alice):
    """Alice with ¥500.00 in her wallet, a payment PIN and a shipping address."""
    fund(alice)
    alice.address = address_create(account=alice, **ADDRESS)
    return alice


def snapshot() -> tuple:
    """Money, stock, orders and their history: equal snapshots mean nothing changed."""
    return (
        ledger_snapshot(),
        stock_snapshot(),
        list(Order.objects.order_by("pk").values_list("pk", "state")),
        OrderEvent.objects.count(),
    )


def stock_snapshot() -> list[tuple]:
    return list(Product.objects.order_by("pk").values_list("pk", "stock", "stock_added")) + list(
        Variant.objects.order_by("pk").values_list("pk", "stock", "stock_added")
    )
