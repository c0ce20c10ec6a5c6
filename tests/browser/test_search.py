"""The search page on a phone, in Chromium: a visitor searches from the top bar (a usable
field, not a squeezed pill), sees the posts with the words marked, and switches tabs."""

import pytest
from playwright.sync_api import expect

from storefeed.posts import services as post_services
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_visitor_searches_from_the_top_bar_on_a_phone(browser_page, transactional_db):
    mei = make_user("mei", display_name="口红 Mei")
    post_services.status_create(account=mei, text="新到的哑光口红 velvet lipstick")
    page = browser_page
    page.goto("/")
    field = page.locator('[data-testid="topbar-search"]')
    box = field.bounding_box()
    assert box is not None and box["width"] > 300  # a row of its own on a 412 px phone
    field.fill("口红")
    field.press("Enter")
    expect(page.locator("body")).to_have_attribute("data-testid", "page-search")
    expect(page.locator('[data-testid="feed"] mark').first).to_have_text("口红")
    page.click('[data-testid="tab-people"]')
    expect(page.locator('[data-testid="account-row"]')).to_have_attribute("data-username", "mei")
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 412
