"""Product posts through the Mastodon API: product_ids[] on create, `products` on every Status."""

import pytest

from storefeed.catalog.models import PostProduct
from storefeed.posts.models import Status
from tests.catalog.conftest import make_product  # noqa: F401 (fixture)
from tests.sellers.conftest import seller, staff  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_seller_posts_products_and_cards_show_live_stock(api_for, seller, make_product, bob):
    tea = make_product(title="Oolong tea", price="88.00", stock=12)
    cup = make_product(title="Tea cup", price="19.90", stock=0)
    res = api_for(seller).post(
        "/api/v1/statuses", {"status": "New in!", "product_ids": [str(cup.pk), str(tea.pk)]}
    )
    assert res.status_code == 200, res.content
    cards = res.json()["products"]
    assert [c["title"] for c in cards] == ["Tea cup", "Oolong tea"]
    assert cards[1]["price"] == "88.00" and cards[1]["currency"] == "CNY"
    assert cards[1]["stock"] == 12 and cards[1]["available"] is True
    assert cards[0]["available"] is False
    type(tea).objects.filter(pk=tea.pk).update(stock=3)
    seen = api_for(bob).get(f"/api/v1/statuses/{res.json()['id']}").json()
    assert seen["products"][1]["stock"] == 3  # read now, not copied at posting time


def test_ten_products_are_refused(api_for, seller, make_product):
    ids = [str(make_product(title=f"p{i}").pk) for i in range(10)]
    res = api_for(seller).post("/api/v1/statuses", {"status": "all", "product_ids": ids})
    assert res.status_code == 422 and "9" in res.json()["error"]
    assert not Status.objects.exists() and not PostProduct.objects.exists()


def test_non_seller_cannot_post_products(api_for, bob, make_product):
    tea = make_product()
    res = api_for(bob).post("/api/v1/statuses", {"status": "mine?", "product_ids": [str(tea.pk)]})
    assert res.status_code in (403, 422)
    assert not Status.objects.filter(account=bob).exists()


def test_ordinary_posts_have_an_empty_products_list(api_for, alice):
    assert api_for(alice).post("/api/v1/statuses", {"status": "hi"}).json()["products"] == []


def test_editing_a_product_post_keeps_its_products(api_for, seller, make_product):
    tea = make_product(title="Oolong tea", price="88.00", stock=12)
    api = api_for(seller)
    posted = api.post("/api/v1/statuses", {"status": "New in!", "product_ids": [str(tea.pk)]})
    res = api.put(f"/api/v1/statuses/{posted.json()['id']}", {"status": "Now with a story #tea"})
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["edited_at"] is not None and "story" in body["content"]
    assert [c["title"] for c in body["products"]] == ["Oolong tea"]
    assert PostProduct.objects.filter(status_id=posted.json()["id"]).count() == 1


def test_a_quote_of_a_product_post_keeps_its_cards(api_for, seller, make_product, bob):
    tea = make_product(title="Oolong tea", price="88.00", stock=12)
    posted = api_for(seller).post(
        "/api/v1/statuses", {"status": "New in!", "product_ids": [str(tea.pk)]}
    )
    quote = api_for(bob).post(
        "/api/v1/statuses", {"status": "Worth it", "quoted_status_id": posted.json()["id"]}
    )
    assert quote.status_code == 200, quote.content
    quoted = quote.json()["quote"]["quoted_status"]
    assert [c["title"] for c in quoted["products"]] == ["Oolong tea"]
    type(tea).objects.filter(pk=tea.pk).update(stock=2)
    seen = api_for(bob).get("/api/v1/timelines/home").json()
    mine = next(s for s in seen if s["id"] == quote.json()["id"])
    assert mine["quote"]["quoted_status"]["products"][0]["stock"] == 2
