"""Product cards under posts on the web pages show price, stock and state as they are now:
the posts' other fragments are cached (web/fragments.py), the cards are read live, on both
cache levels and both shared caches (process memory and Redis)."""

import pytest

from storefeed.catalog import services as catalog_services
from storefeed.catalog.models import Product
from storefeed.posts.services import status_create
from storefeed.sellers import services as seller_services
from storefeed.social.services import follow_create
from tests.web.conftest import article, each_cache, reads  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(make_product):
    return make_product(title="Oolong tea", price="88.00", stock=12)


@pytest.fixture
def card(alice, seller, product, alice_client):
    """A post of the product by the seller on alice's home; card() is that post's HTML on her
    home, read twice (see tests.web.conftest.reads)."""
    follow_create(follower=alice, target=seller)
    status = catalog_services.product_post_create(
        account=seller, text="New tea", product_ids=[product.pk]
    )
    return lambda: [article(body, status.pk) for body in reads(alice_client, "/")]


def test_a_price_or_stock_change_shows_at_once(each_cache, seller, product, card):
    assert all("¥88.00" in html and "12 left" in html for html in card())
    catalog_services.product_update(account=seller, product_id=product.pk, price="99.00")
    for html in card():
        assert "¥99.00" in html
        assert "¥88.00" not in html
    catalog_services.product_restock(account=seller, product_id=product.pk, quantity=-9)
    for html in card():
        assert "3 left" in html
        assert 'data-testid="buy"' in html


def test_a_sold_out_product_shows_at_once(each_cache, product, card):
    card()
    Product.objects.filter(pk=product.pk).update(stock=0)  # as the last sale leaves it
    for html in card():
        assert "sold out" in html
        assert 'data-testid="buy"' not in html


def test_a_withdrawn_product_shows_at_once(each_cache, seller, product, card):
    card()
    catalog_services.product_withdraw(account=seller, product_id=product.pk)
    for html in card():
        assert "withdrawn" in html
        assert 'data-testid="buy"' not in html
    catalog_services.product_relist(account=seller, product_id=product.pk)
    assert all('data-testid="buy"' in html for html in card())


def test_a_sellers_suspension_shows_at_once(each_cache, seller, staff, card):
    card()
    seller_services.seller_suspend(account_id=seller.pk, by=staff, reason="Fake tea")
    for html in card():
        assert "seller suspended" in html
        assert 'data-testid="buy"' not in html
    seller_services.seller_reinstate(account_id=seller.pk, by=staff, reason="Real tea after all")
    assert all("12 left" in html and 'data-testid="buy"' in html for html in card())


def test_the_menu_and_composer_show_a_new_seller_and_staff_at_once(alice, staff, client_for):
    from tests.sellers.conftest import APPLICATION, with_followers

    client = client_for(alice)
    page = client.get("/").content.decode()
    assert 'data-testid="nav-apply"' in page
    assert 'data-testid="nav-review"' not in page
    assert 'data-testid="product-picker"' not in page
    with_followers(alice, 1000)
    application = seller_services.seller_application_submit(account=alice, **APPLICATION)
    seller_services.seller_application_approve(application_id=application.pk, by=staff)
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    page = client.get("/").content.decode()
    assert 'data-testid="nav-products"' in page
    assert 'data-testid="nav-review"' in page
    assert 'data-testid="product-picker"' in page


def test_a_quote_of_a_product_post_keeps_its_cards(
    each_cache, alice, bob, seller, product, alice_client
):
    original = catalog_services.product_post_create(
        account=seller, text="New tea", product_ids=[product.pk]
    )
    quote = status_create(account=bob, text="Try this one", quote_of_id=original.pk)
    follow_create(follower=alice, target=bob)
    for body in reads(alice_client, "/"):
        html = article(body, quote.pk)
        assert 'data-testid="quoted-status"' in html
        assert "¥88.00" in html and "12 left" in html
    catalog_services.product_update(account=seller, product_id=product.pk, price="99.00")
    assert all("¥99.00" in article(body, quote.pk) for body in reads(alice_client, "/"))
