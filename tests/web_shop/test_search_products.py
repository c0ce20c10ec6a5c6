"""The search page's products tab: cards with the words marked, filters, pages, and what
drops out (withdrawn products, suspended sellers)."""

import re

import pytest
from django.conf import settings

from storefeed.catalog import services as catalog
from storefeed.sellers import services as sellers
from tests.catalog.conftest import item_data

pytestmark = pytest.mark.django_db


def card_ids(body: str) -> list[str]:
    return re.findall(r'data-testid="product-card" data-kind="\w+" data-id="(\d+)"', body)


@pytest.fixture
def shelf(make_product, rival):
    return {
        "red": make_product("哑光口红 Velvet red", "99.00", 3),
        "gloss": make_product("Lip gloss lipstick", "59.00", 0),
        "rival": make_product("口红套装", "199.00", 5, account=rival),
    }


def test_products_tab_marks_words_and_filters(client, shelf, fake_importer):
    text = "https://detail.tmall.com/item.htm?id=6123456789"
    fake_importer.pages[text] = item_data(title="天猫口红礼盒", price_fen=15900)
    item = catalog.external_item_resolve(account=shelf["red"].seller, text=text)
    response = client.get("/search", {"q": "口红", "tab": "products", "sort": "price_asc"})
    assert response.status_code == 200
    body = response.content.decode()
    assert card_ids(body) == [str(shelf["red"].pk), str(item.pk), str(shelf["rival"].pk)]
    assert "哑光<mark>口红</mark> Velvet red" in body
    assert 'data-testid="result-count">3 products' in body
    assert 'data-testid="product-filters"' in body
    cheap = client.get(
        "/search",
        {"q": "口红 lipstick", "tab": "products", "max_price": "100", "sort": "price_desc"},
    )
    assert card_ids(cheap.content.decode()) == [str(shelf["red"].pk), str(shelf["gloss"].pk)]
    stocked = client.get(
        "/search", {"q": "口红 lipstick", "tab": "products", "in_stock": "1", "sort": "newest"}
    )
    assert str(shelf["gloss"].pk) not in card_ids(stocked.content.decode())
    food = card_ids(
        client.get("/search", {"q": "口红", "tab": "products", "field": "food"}).content.decode()
    )
    assert set(food) == {str(shelf["red"].pk), str(shelf["rival"].pk)}  # items have no field


def test_withdrawn_and_suspended_drop_out(client, shelf, seller, staff):
    catalog.product_withdraw(account=seller, product_id=shelf["red"].pk)
    body = client.get("/search", {"q": "口红", "tab": "products"}).content.decode()
    assert card_ids(body) == [str(shelf["rival"].pk)]
    sellers.seller_suspend(account_id=shelf["rival"].seller_id, by=staff, reason="fakes")
    body = client.get("/search", {"q": "口红", "tab": "products"}).content.decode()
    assert card_ids(body) == []
    assert "No products found" in body


def test_pages_of_products(client, make_product):
    made = [make_product(f"Teapot {n}", "10.00", 1) for n in range(25)]
    first = client.get(
        "/search", {"q": "teapot", "tab": "products", "sort": "newest"}
    ).content.decode()
    assert card_ids(first) == [str(p.pk) for p in reversed(made)][:20]
    link = (
        re.search(r'href="([^"]+)" data-testid="next-page"', first).group(1).replace("&amp;", "&")
    )
    assert "offset=20" in link and "q=teapot" in link and "sort=newest" in link
    second = client.get("/search" + link).content.decode()
    assert card_ids(second) == [str(p.pk) for p in reversed(made)][20:]
    past = client.get("/search", {"q": "teapot", "tab": "products", "offset": "100"})
    assert past.status_code == 200 and card_ids(past.content.decode()) == []


@pytest.mark.parametrize(
    "params",
    [
        {"min_price": "abc"},
        {"min_price": "50", "max_price": "10"},
        {"field": "astrology"},
        {"sort": "cheapest"},
        {"offset": "-1"},
    ],
)
def test_bad_filters_are_explained(client, shelf, params):
    response = client.get("/search", {"q": "口红", "tab": "products", **params})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="filter-error"' in body or 'class="field-error"' in body


def test_products_tab_in_chinese(client, shelf):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get("/search", {"q": "口红", "tab": "products"}).content.decode()
    assert ">商品</a>" in body and "只看有货" in body and "2 件商品" in body


def test_a_capped_count_says_so(client, shelf, monkeypatch):
    from storefeed.catalog import search

    monkeypatch.setattr(search, "MAX_TOTAL", 2)
    body = client.get("/search", {"q": "口红 lipstick", "tab": "products"}).content.decode()
    assert 'data-testid="result-count">2+ products' in body
