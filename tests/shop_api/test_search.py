"""GET /api/shop/v1/products/search: Chinese and English, filters, sorting, what drops out,
and bad input refused with a clear 422 (never a 500)."""

import pytest

from storefeed.catalog import services as catalog
from storefeed.catalog.models import ItemSearch, Product, ProductSearch
from storefeed.sellers import services as sellers
from tests.catalog.conftest import fake_importer, item_data  # noqa: F401 (fixture)
from tests.shop_api.conftest import make_seller

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


@pytest.fixture
def shelf(seller, rival):
    """Products of two sellers (rival in the beauty field), in Chinese and English."""
    make = catalog.product_create
    return {
        "red": make(account=seller, title="哑光口红 Velvet red", price="99.00", stock=3),
        "gloss": make(
            account=seller,
            title="Lip gloss",
            description="Like a lipstick, shinier",
            price="59.00",
            stock=0,
        ),
        "tea": make(account=seller, title="铁观音 Oolong tea", price="88.00", stock=12),
        "lipstick": make(account=rival, title="Matte lipstick", price="129.00", stock=5),
        "set": make(
            account=rival,
            title="口红套装",
            description="三支装",
            variants=[
                {"name": "A", "price": "199.00", "stock": 1},
                {"name": "B", "price": "219.00", "stock": 0},
            ],
        ),
    }


def test_chinese_english_and_mixed_queries(api, alice, shelf):
    a = api(alice)
    assert set(ids(a.get("/products/search", {"q": "口红"}))) == {
        str(shelf["red"].pk),
        str(shelf["set"].pk),
    }
    # A title match ranks above a description match; prefixes of longer words match.
    assert ids(a.get("/products/search", {"q": "lipstick"})) == [
        str(shelf["lipstick"].pk),
        str(shelf["gloss"].pk),
    ]
    # Chinese and English together: either language's products.
    mixed = a.get("/products/search", {"q": "口红 lipstick", "sort": "newest"})
    assert ids(mixed) == [
        str(p.pk) for p in (shelf["set"], shelf["lipstick"], shelf["gloss"], shelf["red"])
    ]
    assert mixed.json()["total"] == 4
    # Two English words are both needed; one Chinese character finds words containing it.
    assert ids(a.get("/products/search", {"q": "matte lipstick"})) == [str(shelf["lipstick"].pk)]
    assert set(ids(a.get("/products/search", {"q": "红"}))) == {
        str(shelf["red"].pk),
        str(shelf["set"].pk),
    }
    body = a.get("/products/search", {"q": "铁观音"}).json()
    assert body["total"] == 1
    hit = body["results"][0]
    assert hit["kind"] == "product" and hit["title"] == "铁观音 Oolong tea"
    assert hit["price"] == "88.00" and hit["stock"] == 12 and hit["seller"]["username"] == "teashop"


def test_filters_and_sorting(api, alice, shelf, seller, rival):
    a = api(alice)
    q = {"q": "口红 lipstick"}
    cheap = a.get("/products/search", {**q, "max_price": "100.00", "sort": "price_asc"})
    assert ids(cheap) == [str(shelf["gloss"].pk), str(shelf["red"].pk)]
    dear = a.get("/products/search", {**q, "min_price": "100", "sort": "price_desc"})
    assert ids(dear) == [str(shelf["set"].pk), str(shelf["lipstick"].pk)]
    stocked = ids(a.get("/products/search", {**q, "in_stock": "true", "sort": "newest"}))
    assert stocked == [str(p.pk) for p in (shelf["set"], shelf["lipstick"], shelf["red"])]
    assert set(ids(a.get("/products/search", {**q, "seller": "rivalshop"}))) == {
        str(shelf["set"].pk),
        str(shelf["lipstick"].pk),
    }
    assert ids(a.get("/products/search", {**q, "seller": str(seller.pk), "sort": "newest"})) == [
        str(shelf["gloss"].pk),
        str(shelf["red"].pk),
    ]
    assert ids(a.get("/products/search", {**q, "field": "beauty"})) == []
    assert len(ids(a.get("/products/search", {**q, "field": "food"}))) == 4
    # Pages: limit and offset; a page past the end is empty, with the same total.
    first = a.get("/products/search", {**q, "sort": "newest", "limit": 2}).json()
    second = a.get("/products/search", {**q, "sort": "newest", "limit": 2, "offset": 2}).json()
    assert [r["id"] for r in first["results"] + second["results"]] == [
        str(p.pk) for p in (shelf["set"], shelf["lipstick"], shelf["gloss"], shelf["red"])
    ]
    past = a.get("/products/search", {**q, "offset": 40}).json()
    assert past == {"results": [], "total": 4}


def test_best_selling_counts_units_gone_once_the_worker_counted(api, alice, shelf):
    from storefeed.catalog.tasks import refresh_sold_counts

    Product.objects.filter(pk=shelf["lipstick"].pk).update(stock=1)  # 4 of 5 gone
    Product.objects.filter(pk=shelf["red"].pk).update(stock=2)  # 1 of 3 gone
    q = {"q": "口红 lipstick", "sort": "best_selling"}
    try:
        # A sale does not write the index: until the worker counts, nothing has sold.
        newest = [str(p.pk) for p in (shelf["set"], shelf["lipstick"], shelf["gloss"])]
        assert ids(api(alice).get("/products/search", q))[:3] == newest
        refresh_sold_counts.enqueue()  # the periodic task (run at once in tests)
        assert ids(api(alice).get("/products/search", q))[:2] == [
            str(shelf["lipstick"].pk),
            str(shelf["red"].pk),
        ]
        assert ProductSearch.objects.get(product=shelf["lipstick"]).sold == 4
    finally:
        Product.objects.filter(pk=shelf["lipstick"].pk).update(stock=5)
        Product.objects.filter(pk=shelf["red"].pk).update(stock=3)


@pytest.mark.parametrize("walk_from", [1, 2_000])
def test_price_and_best_selling_orders_walk_their_index_alike(
    api, alice, shelf, monkeypatch, walk_from
):
    """On SQLite a common word walks the price (or sales) index and checks each row's words;
    a rare one sorts its matches: the same answers either way (PostgreSQL's planner picks)."""
    from storefeed.catalog import search

    monkeypatch.setattr(search, "WALK_FROM", walk_from)
    a = api(alice)
    q = {"q": "口红 lipstick"}
    cheap = a.get("/products/search", {**q, "sort": "price_asc"})
    assert ids(cheap) == [str(shelf[k].pk) for k in ("gloss", "red", "lipstick", "set")]
    assert cheap.json()["total"] == 4
    dear = ids(a.get("/products/search", {**q, "sort": "price_desc", "max_price": "150"}))
    assert dear == [str(shelf[k].pk) for k in ("lipstick", "red", "gloss")]
    stocked = ids(a.get("/products/search", {**q, "sort": "price_asc", "in_stock": "1"}))
    assert stocked == [str(shelf[k].pk) for k in ("red", "lipstick", "set")]
    assert ids(a.get("/products/search", {**q, "sort": "price_asc", "field": "beauty"})) == []
    second = a.get("/products/search", {**q, "sort": "price_asc", "limit": 2, "offset": 2})
    assert ids(second) == [str(shelf[k].pk) for k in ("lipstick", "set")]


def test_index_rows_follow_price_stock_and_variants(api, alice, shelf, seller, rival):
    """What the index row holds for filters moves in the transaction of each write."""
    a = api(alice)
    red, gloss = shelf["red"], shelf["gloss"]
    in_stock = {"q": "口红 lipstick", "in_stock": "true", "sort": "newest"}
    assert str(gloss.pk) not in ids(a.get("/products/search", in_stock))
    catalog.product_restock(account=seller, product_id=gloss.pk, quantity=2)
    assert str(gloss.pk) in ids(a.get("/products/search", in_stock))
    # A sale that empties the stock takes it out; one that leaves some writes nothing here.
    from django.db import transaction

    with transaction.atomic():
        assert catalog.stock_take(product_id=gloss.pk, quantity=1)
    assert str(gloss.pk) in ids(a.get("/products/search", in_stock))
    with transaction.atomic():
        assert catalog.stock_take(product_id=gloss.pk, quantity=1)
    assert str(gloss.pk) not in ids(a.get("/products/search", in_stock))
    with transaction.atomic():
        catalog.stock_return(product_id=gloss.pk, quantity=1)
    assert str(gloss.pk) in ids(a.get("/products/search", in_stock))
    # A new price is what the price filter sees at once.
    catalog.product_update(account=seller, product_id=red.pk, price="19.90")
    assert ids(a.get("/products/search", {"q": "口红", "max_price": "20"})) == [str(red.pk)]
    # A product priced by its variants: the lowest price, in stock while any variant is.
    kit = shelf["set"]
    variant = kit.variants.get(name="A")
    catalog.variant_update(account=rival, variant_id=variant.pk, price="9.90")
    assert ids(a.get("/products/search", {"q": "口红", "max_price": "10"})) == [str(kit.pk)]
    row = ProductSearch.objects.get(product=kit)
    assert (row.price_fen, row.in_stock, row.listed) == (990, True, True)
    with transaction.atomic():
        assert catalog.stock_take(product_id=kit.pk, variant_id=variant.pk, quantity=1)
    assert not ProductSearch.objects.get(product=kit).in_stock
    with transaction.atomic():
        catalog.stock_return(product_id=kit.pk, variant_id=variant.pk, quantity=1)
    assert ProductSearch.objects.get(product=kit).in_stock
    with transaction.atomic():
        catalog.stock_return(product_id=gloss.pk, quantity=1)  # every unit back: stock sound


def test_index_follows_edits_withdrawals_and_suspensions(api, alice, shelf, seller, staff):
    a = api(alice)
    red = shelf["red"]
    catalog.product_update(account=seller, product_id=red.pk, title="Velvet blush 腮红")
    assert str(red.pk) not in ids(a.get("/products/search", {"q": "口红"}))
    assert ids(a.get("/products/search", {"q": "blush"})) == [str(red.pk)]
    catalog.product_withdraw(account=seller, product_id=red.pk)
    assert ids(a.get("/products/search", {"q": "blush"})) == []
    catalog.product_relist(account=seller, product_id=red.pk)
    assert ids(a.get("/products/search", {"q": "腮红"})) == [str(red.pk)]
    sellers.seller_suspend(account_id=seller.pk, by=staff, reason="fakes")
    assert ids(a.get("/products/search", {"q": "腮红"})) == []
    assert ids(a.get("/products/search", {"q": "tea"})) == []
    sellers.seller_reinstate(account_id=seller.pk, by=staff, reason="cleared")
    assert ids(a.get("/products/search", {"q": "tea"})) == [str(shelf["tea"].pk)]
    assert ProductSearch.objects.count() == 5


def test_third_party_items_are_found(api, alice, seller, fake_importer):
    text = "https://detail.tmall.com/item.htm?id=6123456789"
    fake_importer.pages[text] = item_data(title="天猫 紫砂壶 teapot", price_fen=25900)
    item = catalog.external_item_resolve(account=seller, text=text)
    assert ItemSearch.objects.filter(item=item).exists()
    a = api(alice)
    hit = a.get("/products/search", {"q": "紫砂壶"}).json()["results"]
    assert [(h["id"], h["kind"], h["source"]) for h in hit] == [(str(item.pk), "external", "tmall")]
    assert ids(a.get("/products/search", {"q": "teapot", "in_stock": "true"})) == [str(item.pk)]
    assert ids(a.get("/products/search", {"q": "teapot", "max_price": "100.00"})) == []
    # An item is nobody's stock: a seller filter leaves it out.
    assert ids(a.get("/products/search", {"q": "teapot", "seller": "teashop"})) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "\x00\x01"}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "tea", "min_price": "abc"}, "min_price"),
        ({"q": "tea", "min_price": "-1"}, "min_price"),
        ({"q": "tea", "max_price": "1.999"}, "max_price"),
        ({"q": "tea", "min_price": "50", "max_price": "10"}, "min_price"),
        ({"q": "tea", "field": "astrology"}, "field"),
        ({"q": "tea", "seller": "nobody_here"}, "seller"),
        ({"q": "tea", "seller": "99999999999999999999999"}, "seller"),
    ],
)
def test_bad_input_is_a_clear_422(api, alice, shelf, params, field):
    response = api(alice).get("/products/search", params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["details"].get("field") == field or field in body["details"].get("fields", {})


@pytest.mark.parametrize(
    "params",
    [
        {"q": "tea", "sort": "cheapest"},
        {"q": "tea", "limit": "0"},
        {"q": "tea", "limit": "101"},
        {"q": "tea", "offset": "-1"},
        {"q": "tea", "in_stock": "maybe"},
    ],
)
def test_bad_parameters_are_422(api, alice, params):
    response = api(alice).get("/products/search", params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "tea*",
        "NEAR(tea oolong)",
        "tea OR lip",
        "%",
        "_",
        "'; DROP TABLE x; --",
        "AND",
        "-tea",
        "^tea",
        "tea:*",
        "口红)|(x",
        "\\",
        "\x00tea",
    ],
)
def test_operators_are_text(api, alice, shelf, q):
    response = api(alice).get("/products/search", {"q": q})
    assert response.status_code == 200, response.content
    found = set(ids(response))
    assert found <= {str(p.pk) for p in shelf.values()}
    if q in ("tea OR lip", "NEAR(tea oolong)"):  # words, all needed: no product has "or"
        assert found == set()
    if q in ("tea*", "tea:*", "\x00tea"):
        assert found == {str(shelf["tea"].pk)}


def test_needs_a_token(client, shelf):
    assert client.get("/api/shop/v1/products/search", {"q": "tea"}).status_code == 401


def test_other_sellers_products_with_same_words(api, alice, staff, shelf):
    third = make_seller("tealeaf", staff)
    newer = catalog.product_create(account=third, title="Oolong tea sampler", price="9.90", stock=4)
    found = ids(api(alice).get("/products/search", {"q": "oolong", "sort": "newest"}))
    assert found == [str(newer.pk), str(shelf["tea"].pk)]


def test_total_is_counted_up_to_a_cap(api, alice, shelf, monkeypatch):
    from storefeed.catalog import search

    monkeypatch.setattr(search, "MAX_TOTAL", 2)
    body = api(alice).get("/products/search", {"q": "口红 lipstick", "limit": 3}).json()
    assert body["total"] == 2 and len(body["results"]) == 3
