"""Live shop windows in a browser: a post page's product card changes, without a reload, when a
sale, a restock or a withdrawal happens elsewhere (Chromium through Playwright, Django's live
server, the streaming process on the same test database; see test_live.py)."""

import re

import pytest
from playwright.sync_api import expect

from storefeed.catalog import services as catalog
from storefeed.orders import services as orders
from tests.conftest import make_user
from tests.orders.conftest import PIN, address_for, make_buyer
from tests.streaming_process import make_shop

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(transactional_db):
    _staff, seller, product, post = make_shop(stock=3)
    return seller, product, post


def test_a_sale_changes_the_card_on_an_open_post_page(browser_page, live_stream, shop):
    seller, product, post = shop
    buyer = make_buyer(make_user("fan"))
    address = address_for(buyer)
    page = browser_page
    with page.expect_response(re.compile(r"/api/v1/streaming/storefeed/products")):
        page.goto(f"/@teashop/{post.pk}")
    card = page.locator(f'[data-testid="product-card"][data-id="{product.pk}"]').first
    expect(card.locator('[data-testid="product-state"]')).to_have_text("3 left")

    orders.order_buy(
        buyer=buyer, product_id=product.pk, address_id=address.pk, pin=PIN, idempotency_key="b1"
    )
    expect(card.locator('[data-testid="product-state"]')).to_have_text("2 left", timeout=5000)

    catalog.product_restock(account=seller, product_id=product.pk, quantity=50)
    expect(card.locator('[data-testid="product-state"]')).to_have_text("52 left", timeout=5000)

    catalog.product_withdraw(account=seller, product_id=product.pk)
    expect(card.locator('[data-testid="product-state"]')).to_have_text("withdrawn", timeout=5000)
    expect(card).to_have_class(re.compile(r"\bunavailable\b"))
    expect(card.locator('[data-testid="buy"]')).to_have_count(0)


@pytest.mark.browser(javascript=False)
def test_pages_work_without_the_script(browser_page, live_stream, shop):
    _seller, product, post = shop
    page = browser_page
    page.goto(f"/@teashop/{post.pk}")
    card = page.locator(f'[data-testid="product-card"][data-id="{product.pk}"]').first
    expect(card.locator('[data-testid="product-state"]')).to_have_text("3 left")
    expect(card.locator('[data-testid="buy"]')).to_be_visible()
