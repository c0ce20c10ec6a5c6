"""The shop API under concurrency (PostgreSQL only: SQLite serialises every writer). Buyers
racing through HTTP for the last units get exactly that many orders; one Idempotency-Key sent
twice at once pays once."""

import pytest

from storefeed.catalog.services import product_create
from storefeed.orders.models import Order
from storefeed.orders.services import address_create
from storefeed.wallet.models import LedgerTransaction
from tests.conftest import make_user
from tests.shop_api.conftest import ADDRESS, PIN, ShopApi, fund
from tests.wallet.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def expert_fields(transactional_db):
    # Transactional tests flush the tables, and with them the fields the migrations seeded.
    from storefeed.accounts.models import ExpertField

    ExpertField.objects.get_or_create(slug="food", defaults={"name_en": "Food", "name_zh": "美食"})


def test_twenty_buyers_for_five_units_get_exactly_five_orders(seller):
    product = product_create(account=seller, title="Last tins", price="10.00", stock=5)
    clients = []
    for n in range(20):
        user = make_user(f"fan{n}")
        fund(user, "50.00")
        address = address_create(account=user, **ADDRESS)
        clients.append((ShopApi(user), str(address.pk)))

    def buy(client: ShopApi, address_id: str):
        return client.post(
            "/orders",
            {"items": [{"product_id": str(product.pk)}], "address_id": address_id},
            key="flash",
        ).status_code

    results, errors = run_together([lambda c=c, a=a: buy(c, a) for c, a in clients])
    assert errors == []
    assert sorted(results).count(201) == 5
    assert sorted(results).count(409) == 15
    product.refresh_from_db()
    assert product.stock == 0
    assert Order.objects.count() == 5


def test_one_key_sent_twice_at_once_pays_once(seller, alice):
    product = product_create(account=seller, title="Tea", price="10.00", stock=5)
    fund(alice, "50.00")
    address = address_create(account=alice, **ADDRESS)
    client = ShopApi(alice)
    order = client.post(
        "/orders",
        {"items": [{"product_id": str(product.pk)}], "address_id": str(address.pk)},
        key="o",
    ).json()["orders"][0]

    def pay():
        response = client.post(f"/orders/{order['id']}/pay", {"pin": PIN}, key="pay-once")
        return response.status_code

    results, errors = run_together([pay, pay, pay])
    assert errors == []
    # One pays; the others are told it is running (409) or get its answer replayed (200).
    assert results.count(200) >= 1
    assert set(results) <= {200, 409}
    assert LedgerTransaction.objects.filter(kind="payment").count() == 1
    assert Order.objects.get(pk=int(order["id"])).state == "paid"
