"""Issue 4's whole flow through the APIs only: a fan follows an expert until eligible, the
expert applies, staff approve, the expert puts three products on sale, adds a Tmall item by
hand and posts them, and the fan's home timeline shows the post with its four cards. Plus the
refusals on the way: a non-seller's product post and another seller's product (403, nothing
posted). No test here sends traffic anywhere: the importer's fetch is made to fail loudly."""

import pytest

from storefeed.catalog.models import PostProduct
from storefeed.catalog.services import items as item_services
from storefeed.posts.models import Status
from tests.mastodon.conftest import api_for  # noqa: F401 (fixture)
from tests.sellers.conftest import APPLICATION, with_followers

TMALL_URL = "https://detail.tmall.com/item.htm?id=6123456789"
PRODUCTS = [
    {"title": "Jasmine pearls", "description": "Hand-rolled", "price": "199.00", "stock": 12},
    {"title": "Gaiwan", "description": "Jingdezhen porcelain", "price": "88.50", "stock": 3},
    {"title": "Tea tray", "description": "Bamboo", "price": "1280.00", "stock": 0},
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """The importer must not be asked to fetch anything: the item is filled in by hand."""

    def fetch(text):
        raise AssertionError(f"the importer tried to fetch {text!r}")

    monkeypatch.setattr(item_services, "_fetch", fetch)


def test_fan_follows_expert_applies_is_approved_posts_products_and_fan_sees_cards(
    api, api_for, alice, bob, carol, staff, rival
):
    expert, fan, outsider = alice, bob, carol
    expert_shop, staff_shop = api(expert), api(staff)
    expert_masto, fan_masto = api_for(expert), api_for(fan)

    # One follower short: not eligible yet, and applying is refused with the numbers.
    with_followers(expert, 999)
    eligibility = expert_shop.get("/seller/eligibility").json()
    assert eligibility["eligible"] is False
    assert (eligibility["followers_count"], eligibility["min_followers"]) == (999, 1000)
    assert "1 to go" in eligibility["message"]
    application_body = {**APPLICATION, "contact_phone": "13800138000"}
    refused = expert_shop.post("/seller/applications", application_body)
    assert refused.status_code == 403, refused.content
    assert refused.json()["code"] == "not_eligible"

    # The fan's follow is the thousandth.
    followed = fan_masto.post(f"/api/v1/accounts/{expert.pk}/follow")
    assert followed.status_code == 200, followed.content
    assert followed.json()["following"] is True
    eligibility = expert_shop.get("/seller/eligibility").json()
    assert eligibility["eligible"] is True
    assert eligibility["followers_count"] == 1000

    # Before approval the expert cannot sell.
    early = expert_shop.post("/products", {**PRODUCTS[0], "currency": "CNY"})
    assert early.status_code == 403 and early.json()["code"] == "not_a_seller"

    # Apply; staff find the application in the queue, see its personal data for a recorded
    # reason, and approve it.
    applied = expert_shop.post("/seller/applications", application_body)
    assert applied.status_code == 201, applied.content
    application = applied.json()
    assert application["state"] == "pending"
    assert isinstance(application["id"], str)
    assert "*" in application["id_number"]  # masked for the applicant
    queue = staff_shop.get("/admin/seller_applications", {"state": "pending"})
    assert queue.status_code == 200, queue.content
    pending = [a for a in queue.json() if a["id"] == application["id"]]
    assert len(pending) == 1
    assert pending[0]["account"]["id"] == str(expert.pk)
    assert pending[0]["real_name"] != APPLICATION["real_name"]  # masked in the queue
    shown = staff_shop.post(
        f"/admin/seller_applications/{application['id']}/personal_data",
        {"reason": "Checking the ID"},
    )
    assert shown.json()["real_name"] == APPLICATION["real_name"]
    approved = staff_shop.post(f"/admin/seller_applications/{application['id']}/approve", {})
    assert approved.status_code == 200, approved.content
    assert approved.json()["account_id"] == str(expert.pk)
    assert approved.json()["state"] == "active"
    current = expert_shop.get("/seller/applications/current").json()
    assert current["state"] == "approved"

    # Three products on sale.
    products = []
    for data in PRODUCTS:
        created = expert_shop.post("/products", {**data, "currency": "CNY"})
        assert created.status_code == 201, created.content
        product = created.json()
        assert isinstance(product["id"], str)
        assert (product["price"], product["currency"], product["stock"]) == (
            data["price"],
            "CNY",
            data["stock"],
        )
        assert product["seller"]["id"] == str(expert.pk)
        products.append(product)

    # A Tmall item, filled in by hand (the manual path of POST /external_items).
    resolved = expert_shop.post(
        "/external_items",
        {
            "url": TMALL_URL,
            "title": "Tmall teapot",
            "price": "259.00",
            "image_url": "https://img.example.com/teapot.jpg",
        },
    )
    assert resolved.status_code == 200, resolved.content
    item = resolved.json()
    assert (item["kind"], item["source"], item["price"], item["currency"]) == (
        "external",
        "tmall",
        "259.00",
        "CNY",
    )
    assert item["fetched"] is False
    assert expert_shop.get(f"/external_items/{item['id']}").json()["id"] == item["id"]

    # Refused product posts change nothing: a non-seller's, and one with another seller's
    # product in it.
    statuses_before = Status.objects.count()
    by_outsider = api_for(outsider).post(
        "/api/v1/statuses", {"status": "Mine now", "product_ids": [products[0]["id"]]}
    )
    assert by_outsider.status_code == 403, by_outsider.content
    assert "error" in by_outsider.json()
    rival_product = api(rival).post(
        "/products", {"title": "Rival tea", "price": "10.00", "currency": "CNY", "stock": 5}
    )
    assert rival_product.status_code == 201, rival_product.content
    with_rivals = expert_masto.post(
        "/api/v1/statuses",
        {"status": "Borrowed", "product_ids": [products[0]["id"], rival_product.json()["id"]]},
    )
    assert with_rivals.status_code == 403, with_rivals.content
    assert "error" in with_rivals.json()
    assert Status.objects.count() == statuses_before
    assert not PostProduct.objects.exists()
    assert api_for(outsider).get(f"/api/v1/accounts/{outsider.pk}/statuses").json() == []
    assert expert_masto.get(f"/api/v1/accounts/{expert.pk}/statuses").json() == []

    # The post: the products in the order chosen, then the item.
    chosen = [products[1], products[0], products[2]]
    posted = expert_masto.post(
        "/api/v1/statuses",
        {
            "status": "New teaware in the shop",
            "product_ids": [p["id"] for p in chosen],
            "external_item_ids": [item["id"]],
        },
    )
    assert posted.status_code == 200, posted.content
    status_id = posted.json()["id"]
    assert len(posted.json()["products"]) == 4

    # The fan's home timeline carries the post with its four cards, read as they are now.
    home = fan_masto.get("/api/v1/timelines/home")
    assert home.status_code == 200, home.content
    assert [s["id"] for s in home.json()] == [status_id]
    seen = home.json()[0]
    assert seen["account"]["id"] == str(expert.pk)
    assert "New teaware in the shop" in seen["content"]
    cards = seen["products"]
    assert [c["kind"] for c in cards] == ["product", "product", "product", "external"]
    assert [c["id"] for c in cards] == [p["id"] for p in chosen] + [item["id"]]
    assert [c["title"] for c in cards] == ["Gaiwan", "Jasmine pearls", "Tea tray", "Tmall teapot"]
    assert [c["price"] for c in cards] == ["88.50", "199.00", "1280.00", "259.00"]
    assert [c["currency"] for c in cards] == ["CNY"] * 4
    assert [c["stock"] for c in cards] == [3, 12, 0, None]
    assert [c["available"] for c in cards] == [True, True, False, True]
    assert [c["source"] for c in cards] == ["storefeed", "storefeed", "storefeed", "tmall"]
    assert [c["description"] for c in cards[:3]] == [
        "Jingdezhen porcelain",
        "Hand-rolled",
        "Bamboo",
    ]
    assert [c["url"] for c in cards[:3]] == [p["url"] for p in chosen]
    assert [c["buy_url"] for c in cards[:3]] == [p["buy_url"] for p in chosen]
    assert cards[3]["url"] == TMALL_URL
    assert cards[3]["buy_url"] == item["buy_url"]
    assert cards[3]["image_url"] == "https://img.example.com/teapot.jpg"
    assert all(isinstance(c["id"], str) for c in cards)
