"""Fixtures for orders: a seller with products, a buyer with money, a PIN and an address, and
the promises checked after every test (a sound ledger, no wallet below zero, and for every
product: left + reserved + sold = ever put on sale)."""

import itertools
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from storefeed.catalog import services as catalog
from storefeed.catalog.models import Product, Variant
from storefeed.orders import services
from storefeed.orders.invariants import stock_problems
from storefeed.orders.models import Order, OrderEvent
from storefeed.wallet.invariants import ledger_problems
from storefeed.wallet.models import AccountKind, Entry, LedgerAccount
from storefeed.wallet.services import pin_set, topup_create
from tests.sellers.conftest import make_seller, seller, staff  # noqa: F401 (fixtures)

PIN = "135790"
PASSWORD = "correct-horse-9"
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def promises_kept(db) -> Iterator[None]:
    yield
    assert ledger_problems() == []
    assert not LedgerAccount.objects.filter(kind=AccountKind.USER_WALLET, balance__lt=0).exists()
    assert stock_problems() == []


def key() -> str:
    return f"key-{next(_keys)}"


def make_buyer(user, amount: str = "1000.00"):
    """`user` with a payment PIN and money in the wallet."""
    pin_set(account=user, pin=PIN, password=PASSWORD)
    if amount:
        assert topup_create(account=user, amount=amount).state == "confirmed"
    return user


def address_for(user, **changes):
    fields = {
        "recipient": "Wang Fang",
        "phone": "138 0013 8000",
        "region": "Beijing",
        "city": "Beijing",
        "street": "1 Sanlitun Road, Chaoyang",
        "postcode": "100027",
    }
    fields.update(changes)
    return services.address_create(account=user, **fields)


@pytest.fixture
def buyer(alice):
    return make_buyer(alice)


@pytest.fixture
def address(buyer):
    return address_for(buyer)


@pytest.fixture
def tea(seller) -> Product:
    return catalog.product_create(account=seller, title="Oolong tea", price="88.00", stock=10)


@pytest.fixture
def shirt(seller) -> SimpleNamespace:
    product = catalog.product_create(
        account=seller,
        title="Shirt",
        variants=[
            {"name": "M", "price": "59.00", "stock": 5},
            {"name": "L", "price": "69.00", "stock": 2},
        ],
    )
    m, l_ = product.variants.order_by("position")
    return SimpleNamespace(product=product, m=m, l=l_)


@pytest.fixture
def rival(staff):
    return make_seller("rivalshop", staff)


@pytest.fixture
def cups(rival) -> Product:
    return catalog.product_create(account=rival, title="Tea cups", price="25.50", stock=20)


def place(buyer, address, *items, **kwargs) -> list[Order]:
    return services.order_place(buyer=buyer, items=list(items), address_id=address.pk, **kwargs)


def place_one(buyer, address, product, quantity: int = 1, variant=None) -> Order:
    (order,) = place(buyer, address, (product.pk, variant.pk if variant else None, quantity))
    return order


def pay(buyer, order, *, pin: str = PIN, idempotency_key: str | None = None) -> Order:
    return services.order_pay(
        buyer=buyer, order_id=order.pk, pin=pin, idempotency_key=idempotency_key or key()
    )


def stock_of(product, variant=None) -> int:
    if variant is not None:
        return Variant.objects.get(pk=variant.pk).stock
    return Product.objects.get(pk=product.pk).stock


def balance_of(user) -> int:
    account = LedgerAccount.objects.filter(kind=AccountKind.USER_WALLET, owner=user).first()
    return account.balance if account else 0


def escrow_balance() -> int:
    account = LedgerAccount.objects.filter(kind=AccountKind.ESCROW).first()
    return account.balance if account else 0


def snapshot() -> tuple:
    """Balances, entries, stock, orders and their events: equal snapshots, nothing changed."""
    return (
        list(LedgerAccount.objects.order_by("pk").values_list("pk", "balance")),
        Entry.objects.count(),
        list(Product.objects.order_by("pk").values_list("pk", "stock")),
        list(Variant.objects.order_by("pk").values_list("pk", "stock")),
        list(Order.objects.order_by("pk").values_list("pk", "state")),
        OrderEvent.objects.count(),
    )
