"""Issue 4's browser journey: a fan follows an expert until she is eligible, she applies, staff
approve, she puts three products on sale and posts them with a Tmall item, and the fan sees
the cards in the home timeline. Chromium through Playwright against the live test server; the
Tmall page is faked (no network)."""

import pytest
from playwright.sync_api import expect

from storefeed.accounts.models import ExpertField
from storefeed.catalog.models import PostProduct, Product
from storefeed.sellers.models import Seller
from tests.catalog.conftest import item_data
from tests.conftest import make_user

pytestmark = pytest.mark.browser

TMALL = "https://detail.tmall.com/item.htm?id=6123456789"
PASSWORD = "correct-horse-9"


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click('[data-testid="login-submit"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-home")


def test_seller_journey(browser_page, settings, fake_importer):
    settings.SELLER_MIN_FOLLOWERS = 1
    fake_importer.pages[TMALL] = item_data()
    ExpertField.objects.get_or_create(
        slug="food", defaults={"name_en": "Food", "name_zh": "美食", "position": 3}
    )
    make_user("mei", display_name="Mei Lin")
    make_user("fan", display_name="A Fan")
    make_user("staffer", is_staff=True)
    page = browser_page

    # The fan follows Mei, which makes her eligible.
    sign_in(page, "fan")
    page.goto("/@mei")
    page.click('[data-testid="follow-button"]')
    expect(page.locator('[data-testid="follow-button"]')).to_have_attribute(
        "data-state", "following"
    )

    # Mei applies.
    sign_in(page, "mei")
    page.goto("/seller/apply")
    expect(page.locator('[data-testid="eligibility"]')).to_have_attribute("data-eligible", "true")
    page.fill("#id_shop_name", "Mei's Tea")
    page.select_option("#id_field", "food")
    page.fill("#id_sells", "Oolong from Anxi")
    page.fill("#id_contact_phone", "13800138000")
    page.fill("#id_real_name", "Lin Mei")
    page.fill("#id_id_number", "110105199001011234")
    page.check("#id_agreed")
    page.click('[data-testid="apply-submit"]')
    expect(page.locator('[data-testid="application-status"]')).to_have_attribute(
        "data-state", "pending"
    )

    # Staff approve.
    sign_in(page, "staffer")
    page.goto("/staff/sellers")
    page.click('[data-testid="approve"]')
    expect(page.locator('[data-testid="messages"]')).to_contain_text("now a seller")
    assert Seller.objects.filter(account__username="mei", state="active").exists()

    # Mei puts three products on sale and posts them with a Tmall item.
    sign_in(page, "mei")
    for title, price in (("Tieguanyin", "88.00"), ("Da Hong Pao", "128.00"), ("Teapot", "59.90")):
        page.goto("/shop/products/new")
        page.fill("#id_title", title)
        page.fill("#id_price", price)
        page.fill("#id_stock", "12")
        page.click('[data-testid="product-submit"]')
        expect(page.locator('[data-testid="product-summary"]')).to_be_visible()
    assert Product.objects.count() == 3
    page.goto("/compose")
    page.click('[data-testid="product-picker"] summary')
    boxes = page.locator('[data-testid="pick-product"]')
    expect(boxes).to_have_count(3)
    for i in range(3):
        boxes.nth(i).check()
    page.fill('[data-testid="item-link"]', TMALL)
    page.click('[data-testid="item-preview"]')
    expect(page.locator('[data-testid="picked-item"]')).to_contain_text("Tmall teapot")
    expect(page.locator('[data-testid="item-link"]')).to_have_value("")  # app.js, not hx-on
    page.fill('[data-testid="compose-text"]', "New harvest, and a pot to brew it")
    page.click('[data-testid="compose-submit"]')
    expect(page.locator('[data-testid="messages"]')).to_contain_text("Posted")
    assert PostProduct.objects.count() == 4

    # The fan sees the four cards in the home timeline.
    sign_in(page, "fan")
    grid = page.locator('[data-testid="product-cards"]').first
    expect(grid).to_have_attribute("data-count", "4")
    expect(grid.locator('[data-testid="product-card"]')).to_have_count(4)
    expect(grid).to_contain_text("12 left")
    expect(grid).to_contain_text("Buy on Tmall")
