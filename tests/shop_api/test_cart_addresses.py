"""Address book and cart endpoints."""

import pytest

from storefeed.orders.models import Address, CartItem
from tests.shop_api.conftest import ADDRESS, variants_of


def test_address_book_crud(api, alice):
    client = api(alice)
    first = client.post("/addresses", ADDRESS)
    assert first.status_code == 201, first.content
    assert first.json()["is_default"] is True
    second = client.post("/addresses", {**ADDRESS, "city": "Shanghai", "is_default": True})
    assert second.json()["is_default"] is True
    listed = client.get("/addresses").json()
    assert [a["city"] for a in listed] == ["Shanghai", "Beijing"]
    changed = client.patch(f"/addresses/{first.json()['id']}", {"street": "2 Wangfujing"})
    assert changed.json()["street"] == "2 Wangfujing"
    assert changed.json()["city"] == "Beijing"
    assert client.get(f"/addresses/{first.json()['id']}").json() == changed.json()
    assert client.delete(f"/addresses/{second.json()['id']}").status_code == 204
    assert client.get("/addresses").json()[0]["is_default"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [({"recipient": ""}, "recipient"), ({"phone": "call me"}, "phone"), ({"street": ""}, "street")],
)
def test_bad_addresses_are_refused_and_nothing_is_stored(api, alice, change, field):
    response = api(alice).post("/addresses", {**ADDRESS, **change})
    assert response.status_code == 422
    assert response.json()["details"]["field"] == field
    assert not Address.objects.exists()


def test_someone_elses_address_is_404_and_untouched(api, alice, bob):
    theirs = api(bob).post("/addresses", ADDRESS).json()
    client = api(alice)
    assert client.get(f"/addresses/{theirs['id']}").status_code == 404
    assert client.patch(f"/addresses/{theirs['id']}", {"city": "X"}).status_code == 404
    assert client.delete(f"/addresses/{theirs['id']}").status_code == 404
    assert Address.objects.get().city == "Beijing"


def test_cart_add_change_remove(api, alice, product, sized):
    client = api(alice)
    large = variants_of(sized)["Large"]
    added = client.post("/cart/items", {"product_id": str(product.pk), "quantity": 2})
    assert added.status_code == 201, added.content
    client.post("/cart/items", {"product_id": str(sized.pk), "variant_id": str(large.pk)})
    cart = client.get("/cart").json()
    assert [(i["title"], i["quantity"], i["line_total"]) for i in cart["items"]] == [
        ("Oolong tea", 2, "176.00"),
        ("Tea towel", 1, "29.90"),
    ]
    assert cart["total"] == "205.90"
    assert cart["items"][1]["variant_name"] == "Large"
    line = cart["items"][0]["id"]
    assert client.patch(f"/cart/items/{line}", {"quantity": 5}).json()["total"] == "469.90"
    after = client.delete(f"/cart/items/{line}").json()
    assert [i["title"] for i in after["items"]] == ["Tea towel"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"quantity": 0}, 422, "quantity"),
        ({"quantity": 10000}, 422, "quantity"),
        ({"quantity": -1}, 422, "quantity"),
        ({"quantity": "two"}, 422, "quantity"),
    ],
)
def test_bad_cart_quantities_are_refused(api, alice, product, body, status, field):
    response = api(alice).post("/cart/items", {"product_id": str(product.pk), **body})
    assert response.status_code == status
    assert response.json()["details"]["field"] == field
    assert not CartItem.objects.exists()


def test_cart_refuses_withdrawn_own_and_unknown_products(api, alice, seller, product, sized):
    api(seller).delete(f"/products/{product.pk}")
    withdrawn = api(alice).post("/cart/items", {"product_id": str(product.pk)})
    assert withdrawn.status_code == 409
    assert withdrawn.json()["code"] == "not_available"
    own = api(seller).post(
        "/cart/items",
        {"product_id": str(sized.pk), "variant_id": str(variants_of(sized)["Small"].pk)},
    )
    assert own.status_code == 403
    no_variant = api(alice).post("/cart/items", {"product_id": str(sized.pk)})
    assert no_variant.status_code == 422
    assert no_variant.json()["details"]["field"] == "variant_id"
    assert api(alice).post("/cart/items", {"product_id": "987654"}).status_code == 404
    assert not CartItem.objects.exists()


def test_someone_elses_cart_line_is_404(api, alice, bob, product):
    line = api(bob).post("/cart/items", {"product_id": str(product.pk)}).json()["items"][0]
    assert api(alice).patch(f"/cart/items/{line['id']}", {"quantity": 3}).status_code == 404
    assert api(alice).delete(f"/cart/items/{line['id']}").status_code == 404
    assert CartItem.objects.get().quantity == 1
