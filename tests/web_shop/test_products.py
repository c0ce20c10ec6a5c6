"""Product management for sellers (create, edit, restock, withdraw and relist, variants, up to
nine images), refused for everyone else; bad input gets a message and changes nothing."""

import pytest

from storefeed.catalog.models import Product, Variant
from tests.web_shop.conftest import image_upload, page_errors

pytestmark = pytest.mark.django_db

NEW = {"title": "Oolong tea", "description": "From Anxi", "price": "88.50", "stock": "12"}


def test_a_seller_creates_a_product_with_images(seller, seller_client):
    response = seller_client.post(
        "/shop/products/new", {**NEW, "images": [image_upload("a.jpg"), image_upload("b.jpg")]}
    )
    assert response.status_code == 302
    product = Product.objects.get(seller=seller)
    assert (product.title, product.price_fen, product.stock) == ("Oolong tea", 8850, 12)
    assert product.images.count() == 2
    listing = seller_client.get("/shop/products").content.decode()
    assert "Oolong tea" in listing
    assert "¥88.50" in listing
    assert "12 left" in listing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"price": "0"}, "more than zero"),
        ({"price": "-3"}, "more than zero"),
        ({"price": "1.999"}, "at most 2 decimals"),
        ({"price": "99999999999"}, "can be at most"),
        ({"price": "cheap"}, "like 199.00"),
        ({"stock": "-1"}, ""),
        ({"stock": "many"}, "whole number"),
        ({"title": ""}, "required"),
    ],
)
def test_bad_products_are_refused_and_nothing_is_saved(seller_client, change, message):
    response = seller_client.post("/shop/products/new", {**NEW, **change})
    assert response.status_code == 400
    assert message in page_errors(response)
    assert page_errors(response)
    assert not Product.objects.exists()


def test_ten_images_are_refused(seller_client):
    images = [image_upload(f"{i}.jpg") for i in range(10)]
    response = seller_client.post("/shop/products/new", {**NEW, "images": images})
    assert response.status_code == 400
    assert "at most 9 images" in page_errors(response)
    assert not Product.objects.exists()


def test_script_in_a_title_is_shown_as_text(seller_client):
    seller_client.post("/shop/products/new", {**NEW, "title": "<script>alert(1)</script>Tea"})
    product = Product.objects.get()
    page = seller_client.get(f"/products/{product.pk}").content.decode()
    assert "<script>alert(1)" not in page


def test_non_sellers_cannot_manage_products(alice, alice_client, client):
    assert alice_client.get("/shop/products").status_code == 403
    assert alice_client.get("/shop/products/new").status_code == 403
    response = alice_client.post("/shop/products/new", NEW)
    assert response.status_code == 403
    assert not Product.objects.exists()
    assert client.get("/shop/products").status_code == 302


def test_another_sellers_product_is_not_editable(rival, client_for, make_product):
    product = make_product()
    rival_client = client_for(rival)
    assert rival_client.get(f"/shop/products/{product.pk}").status_code == 404
    rival_client.post(f"/shop/products/{product.pk}/withdraw")
    rival_client.post(f"/shop/products/{product.pk}/restock", {"quantity": "5"})
    rival_client.post(f"/shop/products/{product.pk}", {"title": "Mine now", "price": "1.00"})
    product.refresh_from_db()
    assert (product.title, product.status, product.stock) == ("Oolong tea", "on_sale", 12)


def test_edit_restock_withdraw_and_relist(seller_client, make_product):
    product = make_product()
    page = seller_client.get(f"/shop/products/{product.pk}")
    assert page.status_code == 200
    assert 'value="88.00"' in page.content.decode()
    seller_client.post(
        f"/shop/products/{product.pk}", {"title": "Tieguanyin", "description": "", "price": "99"}
    )
    seller_client.post(f"/shop/products/{product.pk}/restock", {"quantity": "8"})
    product.refresh_from_db()
    assert (product.title, product.price_fen, product.stock) == ("Tieguanyin", 9900, 20)
    seller_client.post(f"/shop/products/{product.pk}/withdraw")
    product.refresh_from_db()
    assert product.status == "withdrawn"
    assert "withdrawn" in seller_client.get(f"/products/{product.pk}").content.decode()
    seller_client.post(f"/shop/products/{product.pk}/relist")
    product.refresh_from_db()
    assert product.status == "on_sale"


@pytest.mark.parametrize(
    ("quantity", "message"), [("", "whole number"), ("-50", ""), ("abc", "whole number")]
)
def test_bad_restocks_change_nothing(seller_client, make_product, quantity, message):
    product = make_product()
    response = seller_client.post(
        f"/shop/products/{product.pk}/restock", {"quantity": quantity}, follow=True
    )
    shown = " ".join(str(m) for m in response.context["messages"])
    assert shown
    assert message in shown
    product.refresh_from_db()
    assert product.stock == 12


def test_a_bad_price_on_edit_is_refused(seller_client, make_product):
    product = make_product()
    response = seller_client.post(
        f"/shop/products/{product.pk}", {"title": "Tea", "description": "", "price": "0"}
    )
    assert response.status_code == 400
    assert "more than zero" in page_errors(response)
    product.refresh_from_db()
    assert (product.title, product.price_fen) == ("Oolong tea", 8800)


def test_variants_are_added_restocked_and_removed(seller_client, make_product):
    product = make_product(stock=0)
    seller_client.post(
        f"/shop/products/{product.pk}/variants", {"name": "Red / M", "price": "120", "stock": "3"}
    )
    seller_client.post(
        f"/shop/products/{product.pk}/variants",
        {"name": "Blue / L", "price": "99.90", "stock": "1"},
    )
    product.refresh_from_db()
    assert product.has_variants
    assert product.price_fen == 9990
    red = Variant.objects.get(name="Red / M")
    seller_client.post(
        f"/shop/products/{product.pk}/restock", {"quantity": "2", "variant_id": str(red.pk)}
    )
    red.refresh_from_db()
    assert red.stock == 5
    page = seller_client.get(f"/products/{product.pk}").content.decode()
    assert 'data-testid="variant-select"' in page
    assert "from ¥99.90" in page
    seller_client.post(f"/shop/variants/{red.pk}/update", {"name": "Red / M", "price": "130"})
    red.refresh_from_db()
    assert red.price_fen == 13000
    seller_client.post(f"/shop/variants/{red.pk}/remove", {"product_id": product.pk})
    red.refresh_from_db()
    assert not red.is_active


def test_a_duplicate_or_free_variant_is_refused(seller_client, make_product):
    product = make_product(stock=0)
    seller_client.post(
        f"/shop/products/{product.pk}/variants", {"name": "Red", "price": "10", "stock": "1"}
    )
    response = seller_client.post(
        f"/shop/products/{product.pk}/variants",
        {"name": "red", "price": "10", "stock": "1"},
        follow=True,
    )
    assert "already has a variant" in response.content.decode()
    response = seller_client.post(
        f"/shop/products/{product.pk}/variants",
        {"name": "Blue", "price": "0", "stock": "1"},
        follow=True,
    )
    assert "more than zero" in response.content.decode()
    assert Variant.objects.count() == 1
