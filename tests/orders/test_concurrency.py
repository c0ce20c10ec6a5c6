"""Racing buyers on PostgreSQL, each thread on its own connection: the flash sale never
oversells, an order is paid once however many requests race, and the promises hold."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from storefeed.catalog import services as catalog
from storefeed.catalog.models import Product
from storefeed.orders import services
from storefeed.orders.errors import InsufficientStock, OrderStateConflict
from storefeed.orders.models import Order
from storefeed.wallet.errors import IdempotencyInProgress
from tests.conftest import make_user
from tests.orders.conftest import PIN, address_for, escrow_balance, make_buyer, pay, place_one
from tests.sellers.conftest import make_seller

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 200
UNITS = 10


@pytest.fixture(autouse=True)
def food_field(db):
    # Transactional tests flush the tables, the fields seeded by a migration included.
    from storefeed.accounts.models import ExpertField

    ExpertField.objects.get_or_create(slug="food", defaults={"name_en": "Food", "name_zh": "美食"})


def connection_slots(wanted: int) -> int:
    """How many threads may hold a connection at once: the server's max_connections (100 by
    default) is below 200, so threads queue for a slot; all of them still race on the rows."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
    return max(5, min(wanted, limit // 2))


def race(n: int, work, *, slots: int | None = None) -> list[object]:
    barrier = threading.Barrier(n)
    gate = threading.BoundedSemaphore(slots or n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            with gate:
                try:
                    results[i] = work(i)
                finally:
                    connections.close_all()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a buyer thread hung"
    return results


def flash_sale(staff) -> tuple[Product, list]:
    """UNITS units of a product, and BUYERS buyers with money, a PIN and an address."""
    seller = make_seller("flash", staff)
    product = catalog.product_create(account=seller, title="Viral tea", price="9.90", stock=UNITS)
    buyers = []
    for i in range(BUYERS):
        user = make_buyer(make_user(f"fan{i}"), amount="20.00")
        buyers.append((user, address_for(user)))
    return product, buyers


def test_flash_sale_two_hundred_buyers_ten_units(staff):
    product, buyers = flash_sale(staff)

    def buy(i: int) -> str:
        user, address = buyers[i]
        try:
            order = place_one(user, address, product)
        except InsufficientStock as refused:
            left = refused.details["shortfalls"][0]["available"]
            return "sold out" if left == 0 else f"refused with {left} left"
        pay(user, order, idempotency_key=f"flash-{i}")
        return "paid"

    results = race(BUYERS, buy, slots=connection_slots(BUYERS))
    unexpected = [r for r in results if r not in ("paid", "sold out")]
    assert unexpected == []
    assert Counter(results) == {"paid": UNITS, "sold out": BUYERS - UNITS}
    assert Order.objects.filter(state="paid").count() == UNITS
    assert Order.objects.count() == UNITS  # refused checkouts left nothing behind
    assert Product.objects.get(pk=product.pk).stock == 0
    assert escrow_balance() == UNITS * 990
    # The autouse fixture then checks the ledger, the wallets and left + reserved + sold.


def test_flash_sale_buy_now_two_hundred_buyers_ten_units(staff):
    """Place and pay in one transaction each: the stock row and escrow are both hot."""
    product, buyers = flash_sale(staff)

    def buy(i: int) -> str:
        user, address = buyers[i]
        try:
            services.order_buy(
                buyer=user,
                product_id=product.pk,
                address_id=address.pk,
                pin=PIN,
                idempotency_key=f"buy-{i}",
            )
        except InsufficientStock:
            return "sold out"
        return "paid"

    results = race(BUYERS, buy, slots=connection_slots(BUYERS))
    assert Counter(results) == {"paid": UNITS, "sold out": BUYERS - UNITS}, Counter(results)
    assert Order.objects.filter(state="paid").count() == Order.objects.count() == UNITS
    assert Product.objects.get(pk=product.pk).stock == 0
    assert escrow_balance() == UNITS * 990


def test_racing_payments_of_one_order_pay_it_once(staff, alice):
    seller = make_seller("flash", staff)
    product = catalog.product_create(account=seller, title="Tea", price="10.00", stock=5)
    buyer = make_buyer(alice, amount="100.00")
    order = place_one(buyer, address_for(buyer), product)
    results = race(8, lambda i: pay(buyer, order, idempotency_key=f"race-{i}"))
    paid = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, OrderStateConflict)]
    assert len(paid) == 1 and len(refused) == 7, results
    assert escrow_balance() == 1000


def test_racing_replays_of_one_key_pay_once(staff, alice):
    seller = make_seller("flash", staff)
    product = catalog.product_create(account=seller, title="Tea", price="10.00", stock=5)
    buyer = make_buyer(alice, amount="100.00")
    order = place_one(buyer, address_for(buyer), product)
    results = race(6, lambda i: pay(buyer, order, idempotency_key="same"))
    assert all(isinstance(r, Order | IdempotencyInProgress) for r in results), results
    assert escrow_balance() == 1000
    assert pay(buyer, order, idempotency_key="same").state == "paid"  # replayed afterwards


def test_paying_while_the_expiry_sweep_runs_is_one_or_the_other(staff, alice):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    seller = make_seller("flash", staff)
    product = catalog.product_create(account=seller, title="Tea", price="10.00", stock=5)
    buyer = make_buyer(alice, amount="100.00")
    orders = [place_one(buyer, address_for(buyer, street=f"{i} Road"), product) for i in range(3)]
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=15, seconds=1)):

        def work(i: int) -> object:
            if i == 0:
                return services.orders_expire_due()
            return [
                services.order_pay(
                    buyer=buyer, order_id=o.pk, pin=PIN, idempotency_key=f"late-{i}-{o.pk}"
                )
                for o in orders
            ]

        results = race(2, work)
    # Past the deadline, paying is refused whether or not the sweep got there first.
    assert isinstance(results[1], OrderStateConflict)
    assert set(Order.objects.values_list("state", flat=True)) == {"expired"}
    assert Product.objects.get(pk=product.pk).stock == 5
