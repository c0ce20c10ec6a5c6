"""Bad input through the shop API (issue 10): loose money and stock, odd ids, text that cannot
be stored, bodies that are not one JSON object, and the JSON answers of every path under /api/
(404, 405, 413). Each is refused in the error shape and changes nothing."""

import pytest
from django.test import Client

from storefeed.catalog.models import Product
from storefeed.orders.models import Address
from tests.shop_api.conftest import ADDRESS, BASE, snapshot

LOOSE_MONEY = [
    "1e3",
    "1_000.00",
    "+1.00",
    " 1.00",
    ".5",
    "1.",
    "١٢.٠٠",
    "１２.００",
    "1,000.00",
    "-1.00",
]
LOOSE_STOCK = ["٣", "+3", "３", "²", " 3", "3.0", "1e3", "1_0"]


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response.content
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    if code is not None:
        assert body["code"] == code
    return body


@pytest.mark.parametrize("price", LOOSE_MONEY)
def test_loose_money_is_refused_as_a_price(api, seller, product, price):
    client = api(seller)
    before = snapshot()
    body = _error(client.post("/products", {"title": "Tea", "price": price, "stock": 1}), 422)
    assert body["details"]["field"] == "price"
    body = _error(client.patch(f"/products/{product.pk}", {"price": price}), 422)
    assert body["details"]["field"] == "price"
    assert snapshot() == before


@pytest.mark.parametrize("amount", LOOSE_MONEY)
def test_loose_money_is_refused_as_a_top_up(api, alice, amount):
    before = snapshot()
    body = _error(api(alice).post("/wallet/topups", {"amount": amount}, key="k1"), 422)
    assert body["details"]["field"] == "amount"
    assert snapshot() == before


@pytest.mark.parametrize("stock", LOOSE_STOCK)
def test_loose_counts_are_refused_as_stock(api, seller, product, stock):
    client = api(seller)
    before = snapshot()
    body = _error(client.post("/products", {"title": "Tea", "price": "1.00", "stock": stock}), 422)
    assert body["details"]["field"] == "stock"
    _error(client.patch(f"/products/{product.pk}", {"stock": stock}), 422)
    _error(client.post(f"/products/{product.pk}/restock", {"quantity": stock}), 422)
    assert snapshot() == before


def test_plain_money_and_counts_still_work(api, seller, product):
    client = api(seller)
    made = client.post("/products", {"title": "Tea", "price": "12.5", "stock": "3"})
    assert made.status_code == 201, made.content
    assert (made.json()["price"], made.json()["stock"]) == ("12.50", 3)
    numbers = client.post("/products", {"title": "Cup", "price": 7, "stock": 4})
    assert (numbers.json()["price"], numbers.json()["stock"]) == ("7.00", 4)
    restocked = client.post(f"/products/{product.pk}/restock", {"quantity": "-2"})
    assert restocked.json()["stock"] == 10


@pytest.mark.parametrize("bad", ["²", "①", "٣", str(2**63), "9" * 30, "-1", "0"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/products/{}"),
        ("patch", "/products/{}"),
        ("delete", "/products/{}"),
        ("get", "/addresses/{}"),
        ("get", "/orders/{}"),
        ("get", "/external_items/{}"),
        ("get", "/accounts/{}/products"),
    ],
)
def test_odd_ids_in_paths_are_refused(api, buyer, bad, method, path):
    response = getattr(api(buyer), method)(path.format(bad))
    assert response.status_code in (404, 422), response.content
    _error(response, response.status_code)


@pytest.mark.parametrize("bad", ["²", str(2**63), "abc"])
def test_odd_ids_in_bodies_are_refused(api, buyer, product, bad):
    before = snapshot()
    response = api(buyer).post("/cart/items", {"product_id": bad, "quantity": 1})
    _error(response, response.status_code)
    assert response.status_code in (404, 422)
    response = api(buyer).post("/orders", {"address_id": bad}, key="k")
    assert response.status_code in (404, 422), response.content
    assert snapshot() == before


@pytest.mark.parametrize("quantity", LOOSE_STOCK)
def test_loose_quantities_are_refused(api, buyer, product, quantity):
    before = snapshot()
    body = _error(
        api(buyer).post("/cart/items", {"product_id": str(product.pk), "quantity": quantity}), 422
    )
    assert body["details"]["field"] == "quantity"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "raw", "field"),
    [
        ("/products", '{"title": "Tea \\ud800", "price": "1.00", "stock": 1}', "title"),
        (
            "/products",
            '{"title": "Tea", "description": "a\\u0000b", "price": "1.00"}',
            "description",
        ),
        (
            "/products",
            '{"title": "T", "price": "1.00", "variants": [{"name": "\\udc00", "price": "1.00"}]}',
            "variants[][name]",
        ),
    ],
)
def test_unstorable_text_in_products_is_422_naming_the_field(api, seller, path, raw, field):
    before = snapshot()
    body = _error(api(seller).post(path, raw=raw), 422, "validation_failed")
    assert body["details"]["field"] == field
    assert Product.objects.count() == 0
    assert snapshot() == before


@pytest.mark.parametrize("field", ["recipient", "street", "city", "phone"])
def test_unstorable_text_in_addresses_is_422_naming_the_field(api, alice, field):
    import json

    raw = json.dumps({**ADDRESS, field: "x"}).replace('"x"', '"x\\ud800"')
    body = _error(api(alice).post("/addresses", raw=raw), 422, "validation_failed")
    assert body["details"]["field"] == field
    assert not Address.objects.exists()


def test_deeply_nested_json_is_400(api, alice):
    body = _error(
        api(alice).post("/addresses", raw="[" * 50_000 + "]" * 50_000), 400, "bad_request"
    )
    assert "JSON" in body["error"]
    nested = '{"recipient": ' + "[" * 100 + "]" * 100 + "}"
    _error(api(alice).post("/addresses", raw=nested), 400, "bad_request")
    assert not Address.objects.exists()


@pytest.mark.parametrize("raw", ["[1]", '"text"', "null", "3", "[]", "true"])
def test_a_body_that_is_not_an_object_is_400(api, alice, seller, product, raw):
    _error(api(alice).post("/addresses", raw=raw), 400, "bad_request")
    before = Product.objects.values().get(pk=product.pk)
    _error(
        api(seller).client.patch(
            f"{BASE}/products/{product.pk}", raw, content_type="application/json"
        ),
        400,
    )
    assert Product.objects.values().get(pk=product.pk) == before
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=xx",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ],
)
def test_a_multipart_or_form_body_is_400(api, alice, content_type):
    client = api(alice).client
    broken = b'--xx\r\nContent-Disposition: form-data; name="recipient"\r\n\r\nWang'
    _error(client.post(f"{BASE}/addresses", broken, content_type=content_type), 400, "bad_request")
    _error(
        client.post(
            f"{BASE}/wallet/topups", broken, content_type=content_type, HTTP_IDEMPOTENCY_KEY="k"
        ),
        400,
    )
    assert not Address.objects.exists()


@pytest.mark.parametrize("raw", ["", "{}"])
def test_an_empty_patch_of_another_sellers_product_is_403(api, rival, product, raw):
    client = api(rival).client
    before = Product.objects.values().get(pk=product.pk)
    response = client.patch(f"{BASE}/products/{product.pk}", raw, content_type="application/json")
    _error(response, 403, "forbidden")
    assert Product.objects.values().get(pk=product.pk) == before


def test_an_empty_patch_of_ones_own_product_changes_nothing(api, seller, product):
    before = Product.objects.values().get(pk=product.pk)
    assert api(seller).patch(f"/products/{product.pk}", {}).status_code == 200
    assert Product.objects.values().get(pk=product.pk) == before


# Every path under /api/ answers JSON -------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/shop/v1/nope", "/api/shop/v2/products", "/api/shop/v1/products/1/nope"]
)
def test_an_unknown_shop_path_is_a_json_404(api, alice, path):
    _error(api(alice).client.get(path), 404, "not_found")
    _error(Client().post(path, "{}", content_type="application/json"), 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v9/statuses", "/api/nope", "/api/v1/statuses/1/nope"]
)
def test_an_unknown_mastodon_path_is_a_json_404(path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


def test_a_method_an_operation_does_not_take_is_a_json_405(api, alice):
    response = api(alice).client.put(f"{BASE}/addresses", "{}", content_type="application/json")
    _error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"] and "POST" in response["Allow"]
    mastodon = Client().put("/api/v1/instance")
    assert mastodon.status_code == 405 and mastodon.json() == {"error": "Method not allowed"}


def test_an_oversized_body_is_a_json_413(api, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = '{"recipient": "' + "x" * 2000 + '"}'
    _error(api(alice).post("/addresses", raw=big), 413, "too_large")
    from tests.mastodon.conftest import Api

    mastodon = Api(alice).client.post(
        "/api/v1/statuses", '{"status": "' + "x" * 2000 + '"}', content_type="application/json"
    )
    assert mastodon.status_code == 413
    assert mastodon.json() == {"error": "Request body too large"}
    assert not Address.objects.exists()


def test_a_server_error_under_api_is_json(api, seller, monkeypatch):
    from storefeed.catalog import selectors
    from storefeed.posts import selectors as post_selectors

    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "seller_products", boom)
    monkeypatch.setattr(post_selectors, "status_for_viewer", boom)
    shop = api(seller).client
    shop.raise_request_exception = False
    _error(shop.get(f"{BASE}/products"), 500, "server_error")
    mastodon = Client(raise_request_exception=False).get("/api/v1/statuses/1")
    assert mastodon.status_code == 500
    assert mastodon.json() == {"error": "Internal server error"}


def test_the_json_errors_speak_the_readers_language(api, alice):
    response = api(alice).client.put(
        f"{BASE}/addresses", "{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert _error(response, 405)["error"] == "此处不支持该请求方法。"
    nested = api(alice).client.post(
        f"{BASE}/addresses", "[]", content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert _error(nested, 400)["error"] == "请求体必须是一个 JSON 对象。"
