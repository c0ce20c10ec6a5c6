"""What commerce feeds discovery through its hooks: products that sell trend as links to their
pages ("sold 3 in the last hour"), and sellers' completed orders rank them among experts."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from storefeed.catalog import services as catalog
from storefeed.discovery import services
from storefeed.discovery.models import ExpertRank
from storefeed.discovery.trends import trends_refresh
from storefeed.orders import services as orders
from storefeed.orders.models import Order, OrderState
from tests.conftest import make_user
from tests.orders.conftest import PIN, address_for, key, make_buyer
from tests.sellers.conftest import make_seller, staff  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def _buy(product, n: int = 1, quantity: int = 1):
    for i in range(n):
        buyer = make_buyer(make_user(f"buyer{product.pk % 1000}_{i}"))
        orders.order_buy(
            buyer=buyer,
            product_id=product.pk,
            quantity=quantity,
            address_id=address_for(buyer).pk,
            pin=PIN,
            idempotency_key=key(),
        )


def test_products_that_sell_trend_as_links(anon, staff):
    with time_machine.travel(T0, tick=False):
        seller = make_seller("teashop", staff)  # the seller program's field: food
        tea = catalog.product_create(account=seller, title="Oolong tea", price="88.00", stock=50)
        cups = catalog.product_create(account=seller, title="Tea cups", price="30.00", stock=50)
        _buy(tea, 3, quantity=2)
        _buy(cups, 1)
        trends_refresh()
        links = anon.get("/api/v1/trends/links").json()
        assert [link["title"] for link in links] == ["Oolong tea", "Tea cups"]
        assert links[0]["url"] == f"http://testserver/products/{tea.pk}"
        assert links[0]["product"] == {"id": str(tea.pk), "price": "88.00", "currency": "CNY"}
        assert links[0]["reason"] == "sold 6 in the last hour"
        zh = anon.get("/api/v1/trends/links", headers={"Accept-Language": "zh-hans"}).json()
        assert zh[0]["reason"] == "近1小时卖出 6 件"
        food = anon.get("/api/v1/trends/links", {"field": "food"}).json()
        assert [link["title"] for link in food] == ["Oolong tea", "Tea cups"]
        assert anon.get("/api/v1/trends/links", {"field": "tech"}).json() == []
        hot = anon.get("/hot").content.decode()
        assert "Oolong tea" in hot and "sold 6 in the last hour" in hot
        # A withdrawn product leaves the list at once (the link is read live).
        catalog.product_withdraw(account=seller, product_id=tea.pk)
        assert [link["title"] for link in anon.get("/api/v1/trends/links").json()] == ["Tea cups"]


def test_completed_orders_rank_sellers_among_experts(staff):
    seller = make_seller("teashop", staff)
    seller.expert_field_id = seller.seller_profile.field_id
    seller.expert_verified_at = timezone.now()
    seller.save(update_fields=["expert_field", "expert_verified_at"])
    tea = catalog.product_create(account=seller, title="Oolong tea", price="88.00", stock=50)
    _buy(tea, 2)
    Order.objects.update(state=OrderState.COMPLETED)
    services.expert_ranks_refresh()
    assert ExpertRank.objects.get(account=seller).orders_completed == 2
