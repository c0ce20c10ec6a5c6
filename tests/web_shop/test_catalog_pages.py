"""Product pages (schema.org and OpenGraph), shop pages, third-party items and their counted
redirect, the nine-grid of cards in timelines, and the composer's product picker."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.catalog import services as catalog_services
from storefeed.catalog.models import ExternalItem, PostProduct
from storefeed.posts.models import Status
from storefeed.sellers import services as seller_services
from storefeed.social.services import follow_create
from tests.catalog.conftest import item_data
from tests.web_shop.conftest import HTMX, image_upload, page_errors

pytestmark = pytest.mark.django_db

TMALL = "https://detail.tmall.com/item.htm?id=6123456789"


def json_ld(body: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def test_the_product_page_carries_schema_org_and_opengraph(client, make_product):
    product = make_product(images=[image_upload()])
    response = client.get(f"/products/{product.pk}")
    assert response.status_code == 200
    body = response.content.decode()
    data = json_ld(body)
    assert data["@type"] == "Product"
    assert data["name"] == "Oolong tea"
    offer = data["offers"]
    assert offer["price"] == "88.00"
    assert offer["priceCurrency"] == "CNY"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["inventoryLevel"]["value"] == 12
    assert data["image"][0].startswith("http://testserver/media/")
    assert '<meta property="og:type" content="product">' in body
    assert '<meta property="product:price:amount" content="88.00">' in body
    assert '<meta property="product:price:currency" content="CNY">' in body
    assert 'data-testid="buy-form"' in body
    assert 'name="quantity"' in body


def test_sold_out_and_withdrawn_say_so_in_the_page_and_the_data(seller, client, make_product):
    sold_out = make_product(title="Gone", stock=0)
    body = client.get(f"/products/{sold_out.pk}").content.decode()
    assert json_ld(body)["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert "sold out" in body
    assert 'data-testid="buy-form"' not in body
    withdrawn = make_product(title="Old")
    catalog_services.product_withdraw(account=seller, product_id=withdrawn.pk)
    body = client.get(f"/products/{withdrawn.pk}").content.decode()
    assert json_ld(body)["offers"]["availability"] == "https://schema.org/Discontinued"


def test_json_ld_cannot_be_closed_by_a_description(client, make_product):
    product = make_product(description="</script><script>alert(1)</script>")
    body = client.get(f"/products/{product.pk}").content.decode()
    assert "<script>alert(1)" not in body
    assert json_ld(body)["description"].endswith("alert(1)</script>")


def test_unknown_products_items_and_shops_are_404(client, alice):
    assert client.get("/products/12345").status_code == 404
    assert client.get("/items/12345").status_code == 404
    assert client.get("/items/12345/go").status_code == 404
    assert client.get("/@alice/shop").status_code == 404
    assert client.get("/@nobody/shop").status_code == 404


def test_the_shop_page_lists_products_and_product_posts(seller, client, make_product):
    product = make_product()
    catalog_services.product_post_create(
        account=seller, text="New harvest", product_ids=[product.pk]
    )
    body = client.get("/@teashop/shop").content.decode()
    assert 'data-testid="shop-products"' in body
    assert "New harvest" in body
    assert body.count('data-testid="product-card"') == 2  # the shelf and the post


def test_a_suspended_shop_says_so(seller, staff, client, make_product):
    make_product()
    seller_services.seller_suspend(account_id=seller.pk, by=staff, reason="Checks")
    body = client.get("/@teashop/shop").content.decode()
    assert 'data-testid="shop-suspended"' in body
    assert "seller suspended" in body


def test_buy_on_tmall_counts_the_click_and_redirects(client, tmall_item):
    body = client.get(f"/items/{tmall_item.pk}").content.decode()
    assert "Buy on Tmall" in body
    response = client.get(f"/items/{tmall_item.pk}/go")
    assert response.status_code == 302
    assert response["Location"] == TMALL
    tmall_item.refresh_from_db()
    assert tmall_item.clicks == 1


def post_nine(seller, make_product, tmall_item, n=8):
    products = [make_product(title=f"Tea {i}", stock=i) for i in range(n)]
    return catalog_services.product_post_create(
        account=seller,
        text="Nine things",
        product_ids=[p.pk for p in products],
        external_item_ids=[tmall_item.pk],
    )


def test_cards_show_under_the_post_in_the_home_timeline(
    alice, seller, alice_client, make_product, tmall_item
):
    follow_create(follower=alice, target=seller)
    post = post_nine(seller, make_product, tmall_item)
    body = alice_client.get("/").content.decode()
    assert 'data-testid="product-cards" data-count="9"' in body
    assert "product-grid grid-3" in body
    assert body.count('data-testid="product-card"') == 9
    assert "sold out" in body  # Tea 0
    assert "7 left" in body
    assert "Buy on Tmall" in body
    assert "price checked" in body
    assert f'href="/items/{tmall_item.pk}/go?from={post.pk}"' in body


def test_cards_follow_a_repost_and_show_live_stock(
    alice, bob, seller, alice_client, make_product, tmall_item
):
    from storefeed.posts.services import status_reblog

    follow_create(follower=alice, target=bob)
    product = make_product(title="Live", stock=3)
    status = catalog_services.product_post_create(
        account=seller, text="Buy", product_ids=[product.pk]
    )
    status_reblog(account=bob, status_id=status.pk)
    assert "3 left" in alice_client.get("/").content.decode()
    catalog_services.product_restock(account=seller, product_id=product.pk, quantity=-3)
    body = alice_client.get("/").content.decode()
    assert 'data-testid="reblog-by"' in body
    assert "sold out" in body


def test_home_with_nine_product_posts_costs_the_same_queries_as_without(
    alice, bob, seller, alice_client, make_product, tmall_item
):
    from storefeed.posts.services import status_create

    follow_create(follower=alice, target=bob)
    follow_create(follower=alice, target=seller)
    for i in range(4):
        status_create(account=bob, text=f"plain {i}")
        status_create(account=seller, text=f"plain seller {i}")

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = alice_client.get("/")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    without, body = count()
    assert 'data-testid="product-card"' not in body
    for _ in range(3):
        post_nine(seller, make_product, tmall_item)
    with_cards, body = count()
    assert body.count('data-testid="product-card"') == 27
    assert with_cards == without, f"{without} queries without cards, {with_cards} with 27"


def test_the_picker_shows_only_for_active_sellers(alice_client, seller_client, make_product):
    make_product(title="Picker tea")
    assert 'data-testid="product-picker"' not in alice_client.get("/").content.decode()
    body = seller_client.get("/compose").content.decode()
    assert 'data-testid="product-picker"' in body
    assert "Picker tea" in body


def test_a_seller_posts_products_and_a_pasted_item_from_the_composer(
    seller, seller_client, make_product, fake_importer
):
    fake_importer.pages[TMALL] = item_data()
    a, b = make_product(title="A"), make_product(title="B")
    response = seller_client.post(
        "/compose",
        {
            "text": "Two teas and a pot",
            "visibility": "public",
            "product_ids": [str(b.pk), str(a.pk)],
            "item_link": TMALL,
        },
    )
    assert response.status_code == 302
    status = Status.objects.get(account=seller)
    links = list(PostProduct.objects.filter(status=status).order_by("position"))
    assert [link.product_id for link in links[:2]] == [b.pk, a.pk]
    assert links[2].external_item.source == "tmall"


def test_the_preview_answers_with_the_picked_card(seller_client, fake_importer):
    fake_importer.pages[TMALL] = item_data()
    response = seller_client.post("/compose/item", {"item_link": TMALL}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    item = ExternalItem.objects.get()
    assert f'name="external_item_ids" value="{item.pk}" checked' in body
    assert "Tmall teapot" in body


def test_an_unreadable_link_offers_the_form_by_hand(seller_client, fake_importer):
    response = seller_client.post(
        "/compose/item", {"item_link": "https://shop.example.com/x"}, **HTMX
    )
    body = response.content.decode()
    assert 'data-testid="item-unreadable"' in body
    assert "We could not reach that page." in body
    assert "/shop/items/new?url=https%3A//shop.example.com/x" in body
    assert not ExternalItem.objects.exists()


def test_an_unreadable_link_at_posting_posts_nothing(
    seller, seller_client, make_product, fake_importer
):
    product = make_product()
    response = seller_client.post(
        "/compose",
        {
            "text": "x",
            "visibility": "public",
            "product_ids": [product.pk],
            "item_link": "https://shop.example.com/x",
        },
    )
    assert response.status_code == 400
    assert "We could not reach that page." in page_errors(response)
    assert not Status.objects.filter(account=seller).exists()


def test_an_item_filled_in_by_hand_is_picked_for_the_next_post(seller_client):
    response = seller_client.post(
        "/shop/items/new",
        {"url": "https://shop.example.com/pot", "title": "Clay pot", "price": "59.00"},
    )
    item = ExternalItem.objects.get()
    assert response["Location"] == f"/compose?items={item.pk}"
    assert item.price_fen == 5900
    body = seller_client.get(response["Location"]).content.decode()
    assert f'name="external_item_ids" value="{item.pk}" checked' in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "ftp://x", "title": "Pot"}, "http or https"),
        ({"url": "https://shop.example.com/pot", "title": "Pot", "price": "0"}, "more than zero"),
        ({"url": "https://shop.example.com/pot", "title": ""}, "required"),
    ],
)
def test_bad_items_by_hand_are_refused(seller_client, data, message):
    response = seller_client.post("/shop/items/new", data)
    assert response.status_code == 400
    assert message in page_errors(response)
    assert not ExternalItem.objects.exists()


def test_a_tenth_card_is_refused_and_nothing_posted(
    seller, seller_client, make_product, tmall_item
):
    products = [make_product(title=f"T{i}") for i in range(9)]
    response = seller_client.post(
        "/compose",
        {
            "text": "Too many",
            "visibility": "public",
            "product_ids": [p.pk for p in products],
            "external_item_ids": [tmall_item.pk],
        },
    )
    assert response.status_code == 400
    assert "at most 9 products and items" in page_errors(response)
    assert not Status.objects.filter(account=seller).exists()


def test_another_sellers_or_a_withdrawn_product_is_refused(
    seller, rival, seller_client, make_product
):
    theirs = make_product(title="Theirs", account=rival)
    withdrawn = make_product(title="Old")
    catalog_services.product_withdraw(account=seller, product_id=withdrawn.pk)
    for product, message in ((theirs, "belongs to another seller"), (withdrawn, "withdrawn")):
        response = seller_client.post(
            "/compose", {"text": "x", "visibility": "public", "product_ids": [product.pk]}
        )
        assert response.status_code == 400
        assert message in page_errors(response)
    assert not Status.objects.filter(account=seller).exists()


def test_a_non_seller_posting_product_ids_is_refused(alice_client, alice, make_product):
    product = make_product()
    response = alice_client.post(
        "/compose", {"text": "x", "visibility": "public", "product_ids": [product.pk]}
    )
    assert response.status_code == 400
    assert "Apply to the seller program" in page_errors(response)
    assert not Status.objects.filter(account=alice).exists()


def test_the_commerce_pages_speak_chinese(alice, alice_client, seller, make_product, tmall_item):
    follow_create(follower=alice, target=seller)
    product = make_product()
    catalog_services.product_post_create(
        account=seller, text="新茶", product_ids=[product.pk], external_item_ids=[tmall_item.pk]
    )
    alice_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    home = alice_client.get("/").content.decode()
    assert "剩 12 件" in home
    assert "去Tmall购买" in home
    assert (
        "你有 0 个粉丝；卖家计划至少需要 1,000 个。"
        in alice_client.get("/seller/apply").content.decode()
    )
    assert "模拟银行" in alice_client.get("/wallet").content.decode()
