"""Product and third-party item endpoints: the happy paths and every refusal, each leaving
the catalog as it was."""

import pytest

from storefeed.catalog.models import ExternalItem, Product, ProductImage, Variant
from storefeed.catalog.services import product_create
from storefeed.posts.services import media_create
from tests.catalog.conftest import fake_importer, item_data  # noqa: F401 (fixture)
from tests.shop_api.conftest import stock_snapshot, variants_of

NEW = {"title": "Jasmine pearls", "description": "Hand-rolled", "price": "199.00", "stock": 12}
LINK = "https://detail.tmall.com/item.htm?id=6123456789"


def test_a_seller_creates_a_product_and_reads_it_back(api, seller):
    response = api(seller).post("/products", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["price"] == "199.00"
    assert body["currency"] == "CNY"
    assert body["stock"] == 12
    assert body["available"] is True
    assert body["state"] == "12 left"
    assert body["status"] == "on_sale"
    assert body["seller"] == {"id": str(seller.pk), "username": "teashop"}
    assert body["url"].endswith(f"/products/{body['id']}")
    assert isinstance(body["id"], str)
    product = Product.objects.get(pk=int(body["id"]))
    assert product.price_fen == 19900
    assert api(seller).get(f"/products/{body['id']}").json() == body


def test_images_come_from_media_uploaded_for_posts(api, seller, make_image):
    media = [media_create(account=seller, file=make_image()) for _ in range(2)]
    response = api(seller).post("/products", {**NEW, "media_ids": [str(m.pk) for m in media]})
    assert response.status_code == 201, response.content
    images = response.json()["images"]
    assert len(images) == 2
    assert images[0]["url"].startswith("http://testserver/media/")
    assert images[0]["width"] == 64


def test_another_accounts_media_is_refused(api, seller, alice, make_image):
    theirs = media_create(account=alice, file=make_image())
    response = api(seller).post("/products", {**NEW, "media_ids": [str(theirs.pk)]})
    assert response.status_code == 422
    assert response.json()["details"]["field"] == "media_ids"
    assert Product.objects.count() == 0
    assert ProductImage.objects.count() == 0


def test_a_product_with_variants(api, seller):
    body = {
        "title": "Tea towel",
        "variants": [
            {"name": "Small", "price": "19.90", "stock": 5},
            {"name": "Large", "price": 29.9, "stock": "2"},
        ],
    }
    response = api(seller).post("/products", body)
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["has_variants"] is True
    assert made["price"] == "19.90"
    assert made["stock"] == 7
    assert [(v["name"], v["price"], v["stock"]) for v in made["variants"]] == [
        ("Small", "19.90", 5),
        ("Large", "29.90", 2),
    ]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"price": "0"}, "price", "more than zero"),
        ({"price": "0.00"}, "price", "more than zero"),
        ({"price": "-5.00"}, "price", "more than zero"),
        ({"price": "1.999"}, "price", "at most 2 decimals"),
        ({"price": 1.999}, "price", "at most 2 decimals"),
        ({"price": "99999999999"}, "price", "at most"),
        ({"price": "cheap"}, "price", "199.00"),
        ({"stock": -1}, "stock", "negative"),
        ({"stock": "lots"}, "stock", "whole number"),
        ({"title": ""}, "title", "title"),
        ({"title": "x" * 121}, "title", "at most 120"),
        ({"currency": "USD"}, "currency", "CNY"),
        ({"variants": [{"name": "A", "price": "0"}]}, "variants", "more than zero"),
        (
            {"variants": [{"name": "A", "price": "1"}, {"name": "a", "price": "2"}]},
            "variants",
            "same name",
        ),
    ],
)
def test_bad_products_are_refused_and_nothing_is_created(api, seller, change, field, words):
    response = api(seller).post("/products", {**NEW, **change})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["details"]["field"] == field
    assert words in body["error"]
    assert Product.objects.count() == 0
    assert Variant.objects.count() == 0


def test_html_in_titles_stays_text(api, seller):
    response = api(seller).post(
        "/products", {**NEW, "title": "<script>alert(1)</script>Tea", "description": "<b>hi</b>"}
    )
    assert response.status_code == 201
    # JSON carries the characters as typed (plain text, never HTML); pages escape them.
    assert response.json()["title"] == "<script>alert(1)</script>Tea"
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert Product.objects.get().description == "<b>hi</b>"


@pytest.mark.parametrize("who", ["alice", "suspended"])
def test_non_sellers_and_suspended_sellers_cannot_create(api, alice, seller, staff, who):
    from storefeed.sellers.services import seller_suspend

    if who == "suspended":
        seller_suspend(account_id=seller.pk, by=staff, reason="Fakes")
        account = seller
    else:
        account = alice
    response = api(account).post("/products", NEW)
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_seller"
    assert Product.objects.count() == 0


def test_patch_changes_only_what_is_sent(api, seller, product):
    response = api(seller).patch(f"/products/{product.pk}", {"price": "99.50"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["price"] == "99.50"
    assert body["title"] == "Oolong tea"
    assert body["stock"] == 12


@pytest.mark.parametrize(
    ("change", "field"),
    [({"price": "0"}, "price"), ({"stock": -3}, "stock"), ({"title": ""}, "title")],
)
def test_bad_patches_change_nothing(api, seller, product, change, field):
    before = Product.objects.values().get(pk=product.pk)
    response = api(seller).patch(f"/products/{product.pk}", change)
    assert response.status_code == 422
    assert response.json()["details"]["field"] == field
    assert Product.objects.values().get(pk=product.pk) == before


def test_another_sellers_product_is_403_and_untouched(api, rival, product):
    client = api(rival)
    before = Product.objects.values().get(pk=product.pk)
    assert client.patch(f"/products/{product.pk}", {"price": "1.00"}).status_code == 403
    assert client.patch(f"/products/{product.pk}", {"status": "withdrawn"}).status_code == 403
    assert client.delete(f"/products/{product.pk}").status_code == 403
    restock = client.post(f"/products/{product.pk}/restock", {"quantity": 5})
    assert restock.status_code == 403
    assert Product.objects.values().get(pk=product.pk) == before


def test_withdraw_and_relist(api, seller, product):
    client = api(seller)
    withdrawn = client.delete(f"/products/{product.pk}")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["available"] is False
    assert withdrawn.json()["state"] == "withdrawn"
    assert client.delete(f"/products/{product.pk}").status_code == 409
    back = client.patch(f"/products/{product.pk}", {"status": "on_sale"})
    assert back.json()["status"] == "on_sale"
    assert client.patch(f"/products/{product.pk}", {"status": "on_sale"}).status_code == 200


def test_restock_adds_and_takes_off_but_never_below_zero(api, seller, product):
    client = api(seller)
    assert client.post(f"/products/{product.pk}/restock", {"quantity": 8}).json()["stock"] == 20
    assert client.post(f"/products/{product.pk}/restock", {"quantity": -5}).json()["stock"] == 15
    before = stock_snapshot()
    response = client.post(f"/products/{product.pk}/restock", {"quantity": -16})
    assert response.status_code == 422
    assert client.post(f"/products/{product.pk}/restock", {"quantity": 0}).status_code == 422
    assert stock_snapshot() == before


def test_variant_endpoints(api, seller, sized):
    client = api(seller)
    small = variants_of(sized)["Small"]
    added = client.post(f"/products/{sized.pk}/variants", {"name": "XL", "price": "39.90"})
    assert added.status_code == 201
    assert [v["name"] for v in added.json()["variants"]] == ["Small", "Large", "XL"]
    changed = client.patch(f"/products/{sized.pk}/variants/{small.pk}", {"price": "9.90"})
    assert changed.json()["price"] == "9.90"
    restocked = client.post(
        f"/products/{sized.pk}/restock", {"quantity": 3, "variant_id": str(small.pk)}
    )
    assert restocked.json()["variants"][0]["stock"] == 8
    removed = client.delete(f"/products/{sized.pk}/variants/{small.pk}")
    assert [v["name"] for v in removed.json()["variants"]] == ["Large", "XL"]
    assert client.delete(f"/products/{sized.pk}/variants/{small.pk}").status_code == 404


def test_a_variant_of_another_product_is_404(api, seller, sized, product):
    small = variants_of(sized)["Small"]
    response = api(seller).patch(f"/products/{product.pk}/variants/{small.pk}", {"price": "1"})
    assert response.status_code == 404


def test_my_products_include_withdrawn_ones_and_account_products_do_not(
    api, seller, product, alice
):
    other = product_create(account=seller, title="Green tea", price="10.00", stock=1)
    api(seller).delete(f"/products/{other.pk}")
    mine = api(seller).get("/products").json()
    assert [p["title"] for p in mine] == ["Green tea", "Oolong tea"]
    public = api(alice).get(f"/accounts/{seller.pk}/products").json()
    assert [p["title"] for p in public] == ["Oolong tea"]
    assert api(alice).get(f"/accounts/{alice.pk}/products").json() == []
    assert api(alice).get("/accounts/999/products").status_code == 404


def test_account_products_cost_the_same_queries_for_one_or_many(
    api, seller, alice, django_assert_max_num_queries, make_image
):
    client = api(alice)
    product_create(account=seller, title="One", price="1.00", stock=1, images=[make_image()])
    client.get(f"/accounts/{seller.pk}/products")  # warm the token cache and such
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(f"/accounts/{seller.pk}/products")
    for n in range(6):
        product_create(
            account=seller,
            title=f"P{n}",
            variants=[{"name": "A", "price": "1.00", "stock": 1}],
            images=[make_image()],
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/accounts/{seller.pk}/products")
    assert len(response.json()) == 7
    assert len(many.captured_queries) == len(one.captured_queries)


def test_resolve_a_third_party_link(api, seller, fake_importer):
    fake_importer.pages[LINK] = item_data()
    response = api(seller).post("/external_items", {"url": LINK})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "external"
    assert body["source"] == "tmall"
    assert body["source_label"] == "Tmall"
    assert body["price"] == "259.00"
    assert body["availability"] == "in_stock"
    assert body["buy_url"].endswith(f"/items/{body['id']}/go")
    assert body["fetched"] is True
    assert api(seller).get(f"/external_items/{body['id']}").json() == body
    assert ExternalItem.objects.count() == 1


def test_an_unreadable_page_is_422_with_manual_entry_offered(api, seller, fake_importer):
    response = api(seller).post("/external_items", {"url": "https://shop.example.com/x"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "item_unreadable"
    assert body["details"]["manual"] is True
    assert ExternalItem.objects.count() == 0
    manual = api(seller).post(
        "/external_items",
        {"url": "https://shop.example.com/x", "title": "Clay teapot", "price": "120.00"},
    )
    assert manual.status_code == 200, manual.content
    assert manual.json()["fetched"] is False
    assert manual.json()["price"] == "120.00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": ""}, "url"),
        ({"url": "ftp://x", "title": "T"}, "url"),
        ({"url": "https://x.example/", "title": ""}, "title"),
        ({"url": "https://x.example/", "title": "T", "price": "0"}, "price"),
    ],
)
def test_bad_items_are_refused(api, seller, fake_importer, body, field):
    response = api(seller).post("/external_items", body)
    assert response.status_code == 422
    assert response.json()["details"]["field"] == field
    assert ExternalItem.objects.count() == 0


def test_non_sellers_cannot_resolve_items(api, alice, fake_importer):
    fake_importer.pages[LINK] = item_data()
    assert api(alice).post("/external_items", {"url": LINK}).status_code == 403
    assert fake_importer.calls == []


def test_unknown_item_is_404(api, alice):
    assert api(alice).get("/external_items/42").status_code == 404


def test_a_tenth_image_is_refused_and_nothing_is_created(api, seller, make_image):
    media = [media_create(account=seller, file=make_image()) for _ in range(10)]
    response = api(seller).post("/products", {**NEW, "media_ids": [str(m.pk) for m in media]})
    assert response.status_code == 422
    assert "at most 9 images" in response.json()["error"]
    assert Product.objects.count() == 0
    assert ProductImage.objects.count() == 0
