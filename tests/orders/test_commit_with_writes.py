"""On PostgreSQL the checkout's last writes and its COMMIT go in one round trip
(`core.sql.batch(commit=True)`), so the hot rows (stock, balances) are unlocked as soon as they
are written. A refusal there (stock gone since it was read, too little money) is an error that
stops the string before its COMMIT: the writes are rolled back to a savepoint, judged again as
plain row counts, and refused with the same error and the same nothing-changed as before.

These run outside a test transaction (transactional tests), as a web request does; inside one
the COMMIT is never sent with the writes (the test's transaction must stay open)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.core import sql
from storefeed.orders import services
from storefeed.orders.errors import InsufficientStock
from storefeed.orders.models import Order
from storefeed.orders.services import checkout, payment
from storefeed.wallet.errors import InsufficientFunds
from storefeed.wallet.models import IdempotencyKey
from tests.orders.conftest import (
    PIN,
    address_for,
    balance_of,
    escrow_balance,
    key,
    make_buyer,
    pay,
    place_one,
    snapshot,
    stock_of,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COMMITTING = f"SAVEPOINT {sql._SAVEPOINT}"


@pytest.fixture(autouse=True)
def food_field(db):
    # Transactional tests flush the tables, the fields seeded by a migration included.
    from storefeed.accounts.models import ExpertField

    ExpertField.objects.get_or_create(slug="food", defaults={"name_en": "Food", "name_zh": "美食"})


def sent_with_commit(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(COMMITTING) and q["sql"].rstrip().endswith("COMMIT")
    ]


def rolled_back(captured: CaptureQueriesContext) -> bool:
    return any(q["sql"].startswith("ROLLBACK TO SAVEPOINT") for q in captured.captured_queries)


def buy(user, address, product, **kwargs):
    return services.order_buy(
        buyer=user, product_id=product.pk, address_id=address.pk, pin=PIN, **kwargs
    )


def test_buying_now_commits_with_its_hot_writes(buyer, address, tea):
    with CaptureQueriesContext(connection) as captured:
        order = buy(buyer, address, tea, idempotency_key=key())
    (last,) = sent_with_commit(captured)
    # Every UPDATE in it refuses by failing, not by a row count read after the COMMIT.
    assert 'WITH hit AS (UPDATE "catalog_product"' in last
    assert last.count("SELECT 1 / COUNT(*) FROM hit") == 4  # key, stock, two balances
    assert not rolled_back(captured)
    assert Order.objects.get(pk=order.pk).state == "paid"
    assert stock_of(tea) == 9
    assert escrow_balance() == 8800


def test_placing_and_paying_each_commit_with_their_hot_writes(buyer, address, tea):
    with CaptureQueriesContext(connection) as placing:
        order = place_one(buyer, address, tea)
    with CaptureQueriesContext(connection) as paying:
        pay(buyer, order)
    assert len(sent_with_commit(placing)) == len(sent_with_commit(paying)) == 1
    assert Order.objects.get(pk=order.pk).state == "paid"
    assert (stock_of(tea), escrow_balance()) == (9, 8800)


def test_too_little_money_is_refused_and_nothing_is_left(alice, seller, tea):
    poor = make_buyer(alice, amount="1.00")
    address = address_for(poor)
    before = snapshot()
    with (
        CaptureQueriesContext(connection) as captured,
        pytest.raises(InsufficientFunds) as refused,
    ):
        buy(poor, address, tea, idempotency_key="poor-1")
    assert rolled_back(captured)  # the committing string stopped before its COMMIT
    assert refused.value.details["shortfall"] == 8700
    assert snapshot() == before
    assert balance_of(poor) == 100
    assert not IdempotencyKey.objects.filter(key="poor-1").exists()


def test_stock_gone_since_it_was_read_is_refused_and_nothing_is_left(
    buyer, address, tea, monkeypatch
):
    # The race as it happens: another buyer took the last unit between this buyer's read of
    # the product and the UPDATE (the early refusal on the read is skipped here).
    monkeypatch.setattr(payment, "_short_already", lambda lines, bought: None)
    type(tea).objects.filter(pk=tea.pk).update(stock=0, stock_added=0)
    before = snapshot()
    money = balance_of(buyer)
    with (
        CaptureQueriesContext(connection) as captured,
        pytest.raises(InsufficientStock) as refused,
    ):
        buy(buyer, address, tea, idempotency_key=key())
    assert rolled_back(captured)
    assert refused.value.details["shortfalls"][0]["available"] == 0
    assert snapshot() == before
    assert balance_of(buyer) == money


def test_placing_when_the_stock_went_meanwhile_is_refused(buyer, address, tea, monkeypatch):
    monkeypatch.setattr(checkout, "_short_already", lambda lines, bought: None)
    type(tea).objects.filter(pk=tea.pk).update(stock=0, stock_added=0)
    before = snapshot()
    with pytest.raises(InsufficientStock):
        place_one(buyer, address, tea)
    assert snapshot() == before
