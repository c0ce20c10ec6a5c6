"""On a phone (no sidebar) the "Me" tab opens a menu reaching every page of one's own that a
desktop's sidebar reaches: cart, orders, wallet, addresses, bookmarks, follow requests,
settings."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import make_user
from tests.web_shop.test_browser_journey import sign_in

MENU = {
    "nav-bookmarks": "/bookmarks",
    "nav-follow-requests": "/follow_requests",
    "nav-wallet": "/wallet",
    "nav-orders": "/orders",
    "nav-cart": "/cart",
    "nav-addresses": "/addresses",
    "nav-settings": "/settings",
}


@pytest.mark.django_db
def test_the_me_page_links_every_own_page(alice_client):
    page = alice_client.get("/me").content.decode()
    for testid, href in MENU.items():
        assert f'href="{href}" data-testid="{testid}"' in page, testid
    assert 'data-testid="logout"' in page
    assert 'href="/me" class="tab active" data-testid="nav-profile"' in page


@pytest.mark.django_db
def test_the_me_page_needs_a_sign_in(client):
    response = client.get("/me")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.browser
def test_a_phone_reaches_the_wallet_and_addresses_through_me(browser_page):
    make_user("fan")
    page = browser_page
    sign_in(page, "fan")
    assert page.viewport_size["width"] < 500
    expect(page.locator('[data-testid="nav-wallet"]').first).to_be_hidden()  # no sidebar
    page.click('[data-testid="nav-profile"]')
    menu = page.locator('[data-testid="me-menu"]')
    for testid in MENU:
        expect(menu.locator(f'[data-testid="{testid}"]')).to_be_visible()
    menu.locator('[data-testid="nav-addresses"]').click()
    expect(page).to_have_url(re.compile(r"/addresses$"))
