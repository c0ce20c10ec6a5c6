"""core/events.py: events go out when the writing transaction commits, never for a rollback;
through the event table without Redis, through Redis pub/sub with it."""

import orjson
import pytest
from django.db import transaction

from storefeed.core import events
from storefeed.core.models import Event
from storefeed.posts import services as posts


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.REDIS_URL = ""
    events._redis = None
    yield
    events._redis = None


def bodies() -> list[dict]:
    return [orjson.loads(b) for b in Event.objects.order_by("id").values_list("body", flat=True)]


def test_published_on_commit_only(transactional_db):
    with transaction.atomic():
        events.publish("status.created", id=7)
        # Inside the transaction nothing is announced yet.
        assert not Event.objects.exists()
    assert bodies() == [{"kind": "status.created", "id": 7}]


def test_nothing_for_a_rollback(transactional_db):
    def publish_then_fail() -> None:
        with transaction.atomic():
            events.publish("status.created", id=7)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert bodies() == []


def test_a_new_post_is_announced(transactional_db, alice):
    status = posts.status_create(account=alice, text="Hello")
    found = bodies()
    assert {"kind": "status.created", "id": status.pk} in found
    assert {"kind": "home", "id": status.pk} in found  # after fan-out (inline in tests)


def test_switched_off(transactional_db, alice, settings):
    settings.STREAMING_EVENTS = False
    posts.status_create(account=alice, text="Quiet")
    assert bodies() == []


@pytest.mark.commerce
def test_a_sale_a_restock_and_a_suspension_announce_the_product(transactional_db):
    from storefeed.catalog import services as catalog
    from storefeed.orders import services as orders
    from storefeed.sellers import services as sellers
    from tests.conftest import make_user
    from tests.orders.conftest import PIN, address_for, make_buyer
    from tests.streaming_process import make_shop

    staff, seller, product, _post = make_shop(stock=2)
    buyer = make_buyer(make_user("fan"))
    Event.objects.all().delete()
    orders.order_buy(
        buyer=buyer,
        product_id=product.pk,
        address_id=address_for(buyer).pk,
        pin=PIN,
        idempotency_key="buy-1",
    )
    catalog.product_restock(account=seller, product_id=product.pk, quantity=5)
    sellers.seller_suspend(account_id=seller.pk, by=staff, reason="Counterfeit tea")
    kinds = [b for b in bodies() if b["kind"] == "product"]
    assert kinds == [
        {"kind": "product", "ids": [product.pk]},
        {"kind": "product", "ids": [product.pk]},
        {"kind": "product", "seller": seller.pk},
    ]


def test_through_redis(transactional_db, alice, redis_url, settings):
    import redis

    settings.REDIS_URL = redis_url
    client = redis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    pubsub.subscribe(events.CHANNEL)
    assert pubsub.get_message(timeout=2)["type"] == "subscribe"
    status = posts.status_create(account=alice, text="Over Redis")
    seen = []
    for _ in range(20):
        message = pubsub.get_message(timeout=1)
        if message and message["type"] == "message":
            seen.append(orjson.loads(message["data"]))
        if {"kind": "status.created", "id": status.pk} in seen:
            break
    pubsub.close()
    assert {"kind": "status.created", "id": status.pk} in seen
    assert not Event.objects.exists()  # nothing in the table when Redis carries them
