"""Live shop windows and the live home, in a browser: Chromium (Playwright) reads pages from
Django's live server while the streaming process (uvicorn, started here on the same test
database, reading the event table as on the embedded default) pushes changes to them."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from storefeed.catalog import services as catalog
from storefeed.orders import services as orders
from storefeed.posts import services as posts
from storefeed.social import services as social
from tests.clients.conftest import database_url
from tests.conftest import make_user
from tests.orders.conftest import PIN, address_for, make_buyer
from tests.streaming_process import make_shop, streaming_process

pytestmark = pytest.mark.browser


@pytest.fixture
def live_stream(transactional_db, settings, tmp_path, live_server):
    """The streaming process on the test database; the live server's pages point at it, on
    the live server's own host name (the session cookie is the host's, whatever the port)."""
    from django.db import connection

    with streaming_process(
        database_url(connection.settings_dict), django_settings.SECRET_KEY, tmp_path
    ) as root:
        host = urlsplit(live_server.url).hostname
        settings.STREAMING_URL = f"ws://{host}:{urlsplit(root).port}"
        yield root


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


def test_home_counts_new_posts_and_the_badge_moves(browser_page, live_stream):
    reader = make_user("reader")
    writer = make_user("writer")
    social.follow_create(follower=reader, target=writer)
    page = browser_page
    page.goto("/login")
    page.fill("#id_username", "reader")
    page.fill("#id_password", "correct-horse-9")
    with page.expect_response(re.compile(r"/api/v1/streaming/user")):
        page.click('[data-testid="login-submit"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-home")
    assert page.locator('[data-testid="new-posts"]').is_hidden()

    posts.status_create(account=writer, text="Fresh tea in the shop")
    posts.status_create(account=writer, text="And cups")
    bar = page.locator('[data-testid="new-posts"]')
    expect(bar).to_have_text("2 new posts", timeout=5000)

    mine = posts.status_create(account=reader, text="Tasting notes")
    posts.status_favourite(account=writer, status_id=mine.pk)
    expect(page.locator('[data-testid="unread-badge"]')).to_have_text("1", timeout=5000)


@pytest.mark.browser(javascript=False)
def test_pages_work_without_the_script(browser_page, live_stream, shop):
    _seller, product, post = shop
    page = browser_page
    page.goto(f"/@teashop/{post.pk}")
    card = page.locator(f'[data-testid="product-card"][data-id="{product.pk}"]').first
    expect(card.locator('[data-testid="product-state"]')).to_have_text("3 left")
    expect(card.locator('[data-testid="buy"]')).to_be_visible()
