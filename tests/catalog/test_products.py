"""Products, images, variants and stock: every rule and every bad input."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from storefeed.catalog import services
from storefeed.catalog.models import Product, ProductImage, ProductStatus, Variant
from storefeed.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from storefeed.sellers import services as sellers
from storefeed.sellers.errors import NotASeller

pytestmark = pytest.mark.django_db


def test_a_seller_creates_a_product_with_images(seller, make_image):
    product = services.product_create(
        account=seller,
        title="  Oolong   tea ",
        description="Spring harvest.\nFujian.",
        price="88.50",
        stock="12",
        images=[make_image("a.jpg"), make_image("b.png", fmt="PNG")],
    )
    assert (product.title, product.price_fen, product.currency) == ("Oolong tea", 8850, "CNY")
    assert (product.stock, product.stock_added, product.status) == (12, 12, "on_sale")
    assert product.description == "Spring harvest.\nFujian."
    images = list(product.images.all())
    assert [i.position for i in images] == [0, 1]
    assert all(i.file.name and i.thumbnail.name and i.width == 64 for i in images)


def test_uploaded_media_can_be_used_as_product_images(seller, make_image):
    from storefeed.posts.services import media_create

    media = media_create(account=seller, file=make_image(), description="the tin")
    product = services.product_create(
        account=seller, title="Tea tin", price="10", media_ids=[str(media.pk)]
    )
    image = product.images.get()
    assert (image.description, image.width) == ("the tin", 64)


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("-5", "more than zero"),
        ("1.999", "at most 2 decimals"),
        ("100000000", "at most 1000000.00"),
        ("abc", "like 199.00"),
        (None, "like 199.00"),
        ("", "like 199.00"),
    ],
)
def test_bad_prices_are_refused_and_nothing_is_created(seller, price, message):
    with pytest.raises(ValidationFailed, match=message) as refused:
        services.product_create(account=seller, title="Tea", price=price, stock=1)
    assert refused.value.field == "price"
    assert not Product.objects.exists()


@pytest.mark.parametrize("stock", [-1, "-3", "1.5", 2.5, "ten", None, True, 10_000_001])
def test_bad_stock_is_refused_and_nothing_is_created(seller, stock):
    with pytest.raises(ValidationFailed) as refused:
        services.product_create(account=seller, title="Tea", price="1.00", stock=stock)
    assert refused.value.field == "stock"
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": " \x00\x07 "}, "title"),
        ({"title": "t" * 121}, "title"),
        ({"description": "d" * 5001}, "description"),
        ({"currency": "USD"}, "currency"),
    ],
)
def test_bad_titles_descriptions_and_currencies_are_refused(seller, changes, field):
    fields = {"title": "Tea", "price": "1.00", **changes}
    with pytest.raises(ValidationFailed) as refused:
        services.product_create(account=seller, **fields)
    assert refused.value.field == field
    assert not Product.objects.exists()


def test_html_and_script_in_titles_stay_plain_text(seller):
    product = services.product_create(
        account=seller,
        title="<script>alert(1)</script><b>Tea</b>",
        description='<img src=x onerror="alert(2)">',
        price="1",
    )
    # Stored as the characters typed; they are escaped wherever shown, never interpreted.
    assert product.title == "<script>alert(1)</script><b>Tea</b>"
    assert product.description == '<img src=x onerror="alert(2)">'


def test_at_most_nine_images(seller, make_image):
    with pytest.raises(ValidationFailed, match="at most 9 images; this one has 10"):
        services.product_create(
            account=seller, title="Tea", price="1", images=[make_image() for _ in range(10)]
        )
    assert not Product.objects.exists()
    assert not ProductImage.objects.exists()


def test_an_image_that_is_not_an_image_is_refused(seller):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("tea.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationFailed, match="not an image"):
        services.product_create(account=seller, title="Tea", price="1", images=[fake])
    assert not Product.objects.exists()


def test_non_sellers_and_suspended_sellers_cannot_sell(alice, seller, staff):
    with pytest.raises(NotASeller, match="Apply to the seller program"):
        services.product_create(account=alice, title="Tea", price="1")
    sellers.seller_suspend(account_id=seller.pk, by=staff, reason="Fakes")
    with pytest.raises(NotASeller, match="suspended"):
        services.product_create(account=seller, title="Tea", price="1")
    assert not Product.objects.exists()


def test_update_changes_what_is_given(seller, make_product, make_image):
    product = make_product()
    services.product_update(
        account=seller,
        product_id=product.pk,
        title="Oolong, 2026",
        price="99.00",
        stock=20,
        images=[make_image()],
    )
    product.refresh_from_db()
    assert (product.title, product.price_fen, product.stock) == ("Oolong, 2026", 9900, 20)
    assert product.stock_added == 20
    assert product.images.count() == 1


def test_update_refuses_bad_input_and_changes_nothing(seller, make_product):
    product = make_product()
    for changes in ({"price": "0"}, {"stock": -1}, {"title": "  "}, {"currency": "EUR"}):
        with pytest.raises(ValidationFailed):
            services.product_update(account=seller, product_id=product.pk, **changes)
    fresh = Product.objects.get(pk=product.pk)
    assert (fresh.title, fresh.price_fen, fresh.stock) == ("Oolong tea", 8800, 12)


def test_another_sellers_product_is_forbidden_and_unknown_is_not_found(rival, make_product):
    product = make_product()
    with pytest.raises(Forbidden):
        services.product_update(account=rival, product_id=product.pk, title="Mine now")
    with pytest.raises(Forbidden):
        services.product_withdraw(account=rival, product_id=product.pk)
    with pytest.raises(Forbidden):
        services.product_restock(account=rival, product_id=product.pk, quantity=5)
    for bad in (1, "nope"):
        with pytest.raises(NotFound):
            services.product_update(account=rival, product_id=bad, title="x")
    product.refresh_from_db()
    assert (product.title, product.stock, product.status) == ("Oolong tea", 12, "on_sale")


def test_restock_adds_and_takes_off_but_never_below_zero(seller, make_product):
    product = make_product(stock=3)
    product = services.product_restock(account=seller, product_id=product.pk, quantity=5)
    assert (product.stock, product.stock_added) == (8, 8)
    product = services.product_restock(account=seller, product_id=product.pk, quantity="-2")
    assert (product.stock, product.stock_added) == (6, 6)
    with pytest.raises(ValidationFailed, match="not 7 units"):
        services.product_restock(account=seller, product_id=product.pk, quantity=-7)
    for bad in (0, "x", 1.5):
        with pytest.raises(ValidationFailed):
            services.product_restock(account=seller, product_id=product.pk, quantity=bad)
    product.refresh_from_db()
    assert (product.stock, product.stock_added) == (6, 6)


def test_withdraw_and_relist_follow_the_state_machine(seller, make_product):
    product = make_product()
    assert services.product_withdraw(account=seller, product_id=product.pk).status == "withdrawn"
    with pytest.raises(Conflict):
        services.product_withdraw(account=seller, product_id=product.pk)
    assert services.product_relist(account=seller, product_id=product.pk).status == "on_sale"
    with pytest.raises(Conflict):
        services.product_relist(account=seller, product_id=product.pk)


def test_a_suspended_seller_may_withdraw_but_not_relist(seller, staff, make_product):
    product = make_product()
    sellers.seller_suspend(account_id=seller.pk, by=staff, reason="Fakes")
    services.product_withdraw(account=seller, product_id=product.pk)
    with pytest.raises(NotASeller):
        services.product_relist(account=seller, product_id=product.pk)
    assert Product.objects.get(pk=product.pk).status == ProductStatus.WITHDRAWN


# --- variants ------------------------------------------------------------------------------


def test_variants_hold_price_and_stock_and_the_product_shows_the_lowest_price(seller):
    product = services.product_create(
        account=seller,
        title="T-shirt",
        variants=[
            {"name": "Red / M", "price": "59.00", "stock": 3},
            {"name": "Red / L", "price": "69.00", "stock": "2"},
        ],
    )
    assert (product.has_variants, product.price_fen, product.stock) == (True, 5900, 0)
    assert [(v.name, v.price_fen, v.stock) for v in product.variants.all()] == [
        ("Red / M", 5900, 3),
        ("Red / L", 6900, 2),
    ]
    cheaper = services.variant_create(
        account=seller, product_id=product.pk, name="Blue / S", price="49.90", stock=1
    )
    product.refresh_from_db()
    assert product.price_fen == 4990
    services.variant_remove(account=seller, variant_id=cheaper.pk)
    product.refresh_from_db()
    assert product.price_fen == 5900
    assert not Variant.objects.get(pk=cheaper.pk).is_active


@pytest.mark.parametrize(
    "variants",
    [
        [{"name": "M", "price": "0", "stock": 1}],
        [{"name": "M", "price": "1", "stock": -1}],
        [{"name": "", "price": "1", "stock": 1}],
        [{"name": "M", "price": "1"}, {"name": "m", "price": "2"}],
    ],
)
def test_bad_variants_are_refused(seller, variants):
    with pytest.raises(ValidationFailed):
        services.product_create(account=seller, title="Shirt", variants=variants)
    assert not Product.objects.exists()


def test_own_stock_and_variants_do_not_mix(seller, make_product):
    with pytest.raises(ValidationFailed, match="each variant has its own stock"):
        services.product_create(
            account=seller, title="Shirt", stock=5, variants=[{"name": "M", "price": "1"}]
        )
    product = make_product(stock=4)
    with pytest.raises(ValidationFailed, match="has 4 units of its own stock"):
        services.variant_create(account=seller, product_id=product.pk, name="M", price="1")
    services.product_update(account=seller, product_id=product.pk, stock=0)
    variant = services.variant_create(
        account=seller, product_id=product.pk, name="M", price="1", stock=2
    )
    with pytest.raises(ValidationFailed, match="choose a variant"):
        services.product_restock(account=seller, product_id=product.pk, quantity=1)
    with pytest.raises(ValidationFailed, match="already has a variant"):
        services.variant_create(account=seller, product_id=product.pk, name="m", price="1")
    services.product_restock(
        account=seller, product_id=product.pk, variant_id=variant.pk, quantity=3
    )
    variant.refresh_from_db()
    assert (variant.stock, variant.stock_added) == (5, 5)


def test_variant_update_and_another_sellers_variant(seller, rival):
    product = services.product_create(
        account=seller, title="Shirt", variants=[{"name": "M", "price": "10", "stock": 1}]
    )
    variant = product.variants.get()
    services.variant_update(account=seller, variant_id=variant.pk, price="8.00", stock=7)
    variant.refresh_from_db()
    product.refresh_from_db()
    assert (variant.price_fen, variant.stock, variant.stock_added, product.price_fen) == (
        800,
        7,
        7,
        800,
    )
    with pytest.raises(Forbidden):
        services.variant_update(account=rival, variant_id=variant.pk, price="1")
    with pytest.raises(ValidationFailed):
        services.variant_update(account=seller, variant_id=variant.pk, stock=-1)
    variant.refresh_from_db()
    assert (variant.price_fen, variant.stock) == (800, 7)


# --- stock for orders ----------------------------------------------------------------------


def test_stock_take_is_one_conditional_update(seller, make_product):
    product = make_product(stock=3)
    assert services.stock_take(product_id=product.pk, quantity=2)
    assert not services.stock_take(product_id=product.pk, quantity=2)
    assert Product.objects.get(pk=product.pk).stock == 1
    assert services.stock_take(product_id=product.pk, quantity=1)
    assert not services.stock_take(product_id=product.pk, quantity=1)
    assert services.stock_return(product_id=product.pk, quantity=3)
    assert Product.objects.get(pk=product.pk).stock == 3
    for bad in (0, -1, True):
        with pytest.raises(ValidationFailed):
            services.stock_take(product_id=product.pk, quantity=bad)


def test_stock_take_on_variants(seller):
    product = services.product_create(
        account=seller, title="Shirt", variants=[{"name": "M", "price": "10", "stock": 1}]
    )
    variant = product.variants.get()
    # A product with variants sells only through a variant.
    assert not services.stock_take(product_id=product.pk, quantity=1)
    assert services.stock_take(product_id=product.pk, variant_id=variant.pk, quantity=1)
    assert not services.stock_take(product_id=product.pk, variant_id=variant.pk, quantity=1)
    assert services.stock_return(product_id=product.pk, variant_id=variant.pk, quantity=1)
    assert Variant.objects.get(pk=variant.pk).stock == 1


def test_the_database_refuses_negative_stock(make_product):
    product = make_product(stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock=F("stock") - 2)
    assert Product.objects.get(pk=product.pk).stock == 1


# --- what orders ask before taking stock ---------------------------------------------------


def test_product_for_purchase_gives_the_current_unit_price(seller, make_product):
    from storefeed.catalog.selectors import product_for_purchase

    plain = make_product()
    found = product_for_purchase(product_id=str(plain.pk))
    assert (found.unit_price_fen, found.currency, found.variant, found.seller_id) == (
        8800,
        "CNY",
        None,
        seller.pk,
    )
    shirt = services.product_create(
        account=seller,
        title="Shirt",
        variants=[{"name": "M", "price": "59", "stock": 1}, {"name": "L", "price": "69"}],
    )
    large = shirt.variants.get(name="L")
    assert product_for_purchase(product_id=shirt.pk, variant_id=large.pk).unit_price_fen == 6900


def test_product_for_purchase_refusals(seller, staff, make_product):
    from storefeed.catalog.errors import NotAvailable
    from storefeed.catalog.selectors import product_for_purchase

    plain = make_product()
    shirt = services.product_create(
        account=seller, title="Shirt", variants=[{"name": "M", "price": "59"}]
    )
    with pytest.raises(NotFound):
        product_for_purchase(product_id="nope")
    with pytest.raises(ValidationFailed, match="Choose a variant"):
        product_for_purchase(product_id=shirt.pk)
    with pytest.raises(NotFound):
        product_for_purchase(product_id=shirt.pk, variant_id=plain.pk)
    with pytest.raises(ValidationFailed, match="no variants"):
        product_for_purchase(product_id=plain.pk, variant_id=1)
    sellers.seller_suspend(account_id=seller.pk, by=staff, reason="Fakes")
    with pytest.raises(NotAvailable, match="suspended"):
        product_for_purchase(product_id=plain.pk)
    sellers.seller_reinstate(account_id=seller.pk, by=staff, reason="OK")
    services.product_withdraw(account=seller, product_id=plain.pk)
    with pytest.raises(NotAvailable, match="withdrawn"):
        product_for_purchase(product_id=plain.pk)
