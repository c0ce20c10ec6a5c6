"""Buying as people do it (issue 14), in Chromium: a fan buys a scarf from its card in a post,
choosing a colour, at a checkout that says the wallet is short, tops up there, comes back and
pays with the PIN; the order keeps the post it came from. The seller ships it with a carrier;
the fan sees the tracking link, and reading the notification clears the badge. Every time on
the order is in the reader's zone. Phone in English, desktop in Chinese (the other pairing is
in test_everyday.py)."""

import pytest
from playwright.sync_api import expect

from storefeed.accounts.models import ExpertField
from storefeed.catalog import services as catalog_services
from storefeed.orders.models import Order, OrderEvent
from tests.browser.test_everyday import CHINESE, ENGLISH, Watch, local_minute
from tests.conftest import make_user
from tests.orders.conftest import PIN, address_for, make_buyer
from tests.posts.conftest import image_file
from tests.sellers.conftest import make_seller
from tests.web_shop.test_browser_journey import sign_in

pytestmark = pytest.mark.commerce

WORDS = {
    "en": {"buy": "Buy", "topped_up": "Topped up.", "paid": "Paid!"},
    "zh-hans": {"buy": "购买", "topped_up": "充值成功。", "paid": "付款成功！"},
}


@pytest.fixture
def scarf(transactional_db):
    # transactional_db empties the tables the migrations filled: a seller applies in a field.
    ExpertField.objects.get_or_create(
        slug="food", defaults={"name_en": "Food", "name_zh": "美食", "position": 3}
    )
    seller = make_seller("silkshop", make_user("boss", is_staff=True))
    product = catalog_services.product_create(
        account=seller,
        title="Silk scarf",
        description="Hand-rolled edges",
        images=[image_file("front.jpg", (640, 480)), image_file("back.jpg", (640, 480))],
        variants=[
            {"name": "Red", "price": "120.00", "stock": 5},
            {"name": "Blue", "price": "130.00", "stock": 5},
        ],
    )
    status = catalog_services.product_post_create(
        account=seller, text="Spring silk", product_ids=[product.pk]
    )
    fan = make_buyer(make_user("fan", display_name="A Fan"), "50.00")
    address_for(fan)
    return {"product": product, "status": status, "fan": fan}


@pytest.mark.parametrize(
    ("browser_page", "language", "zone"),
    [
        pytest.param("phone", "en", "UTC", marks=ENGLISH, id="phone-en"),
        pytest.param("phone", "zh-hans", "Asia/Shanghai", marks=CHINESE, id="phone-zh"),
        pytest.param("desktop", "zh-hans", "Asia/Shanghai", marks=CHINESE, id="desktop-zh"),
        pytest.param("desktop", "en", "UTC", marks=ENGLISH, id="desktop-en"),
    ],
    indirect=["browser_page"],
)
def test_buy_from_a_card_top_up_pay_and_follow_the_parcel(browser_page, scarf, language, zone):
    page = browser_page
    watch = Watch(page)
    words = WORDS[language]
    status = scarf["status"]

    # From the card in the seller's post: a product with colours asks which one first.
    sign_in(page, "fan")
    page.goto("/@silkshop")
    card = page.locator(f'[data-status-id="{status.pk}"] [data-testid="product-card"]').first
    expect(card.locator('[data-testid="buy"]')).to_have_text(words["buy"])
    card.locator('[data-testid="buy"]').click()
    expect(page.locator("body")).to_have_attribute("data-testid", "page-product")
    watch.fits()
    watch.in_language(language, '[data-testid="buy-form"]')
    # Its photos open in the viewer, as a post's do, not as a bare file in a new tab.
    page.locator('[data-testid="product-gallery"] a').first.click()
    viewer = page.locator('[data-testid="image-viewer"]')
    expect(viewer.locator(".viewer-count")).to_have_text("1 / 2")
    viewer.locator(".viewer-next").click()
    expect(viewer.locator(".viewer-count")).to_have_text("2 / 2")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    assert len(page.context.pages) == 1
    blue = scarf["product"].variants.get(name="Blue")
    choice = page.locator(f'[data-testid="variant-select"] option[value="{blue.pk}"]')
    expect(choice).to_contain_text("Blue · ¥130.00")
    page.select_option('[data-testid="variant-select"]', str(blue.pk))
    page.click('[data-testid="buy-form"] [data-testid="buy"]')

    # Checkout: ¥50.00 in the wallet, ¥80.00 short; top up here, and come back here.
    expect(page.locator("body")).to_have_attribute("data-testid", "page-checkout")
    expect(page.locator('[data-testid="topup-step"]')).to_contain_text("80.00")
    expect(page.locator('[data-testid="topup-amount"]')).to_have_value("80.00")
    watch.fits()
    watch.in_language(language)
    page.click('[data-testid="topup-submit"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-checkout")
    expect(page.locator('[data-testid="messages"]')).to_contain_text(words["topped_up"])
    expect(page.locator('[data-testid="topup-step"]')).to_have_count(0)
    expect(page.locator('[data-testid="checkout-form"]')).to_contain_text("Blue")
    page.fill('[data-testid="checkout-form"] input[name="pin"]', PIN)
    page.click('[data-testid="checkout-form"] [data-testid="pay"]')

    expect(page.locator("body")).to_have_attribute("data-testid", "page-order")
    expect(page.locator('[data-testid="after-pay"]')).to_contain_text(words["paid"])
    watch.fits()
    order = Order.objects.get(buyer=scarf["fan"])
    assert order.state == "paid"
    [item] = order.items.all()
    assert (item.variant_name, item.source_status_id) == ("Blue", status.pk)

    # The seller ships with SF Express.
    sign_in(page, "silkshop")
    page.goto("/shop/orders")
    ship = page.locator(f'[data-testid="order"][data-id="{order.pk}"] [data-testid="ship-form"]')
    ship.locator('[data-testid="carrier"]').select_option("sf")
    ship.locator('input[name="tracking_number"]').fill("SF1234567890")
    ship.locator('[data-testid="ship"]').click()
    # Shipped, it leaves the list of orders to ship.
    expect(page.locator('[data-testid="messages"]')).to_be_visible()
    expect(page.locator(f'[data-testid="order"][data-id="{order.pk}"]')).to_have_count(0)
    order.refresh_from_db()
    assert (order.state, order.carrier, order.tracking_number) == ("shipped", "sf", "SF1234567890")
    watch.fits()

    # The fan is told; the order links to the carrier's tracking page; reading clears the badge.
    sign_in(page, "fan")
    badge = page.locator('[data-testid="unread-badge"]')
    expect(badge.first).to_be_visible()
    page.goto(f"/orders/{order.pk}")
    tracking = page.locator('[data-testid="tracking-link"]')
    expect(tracking).to_contain_text("SF1234567890")
    assert "SF1234567890" in (tracking.get_attribute("href") or "")
    # The history's times are the reader's.
    shipped = OrderEvent.objects.filter(order=order, to_state="shipped").get()
    expect(page.locator('[data-testid="events"]')).to_contain_text(
        local_minute(shipped.created_at, zone)
    )
    watch.fits()
    watch.in_language(language)
    page.locator('[data-testid="nav-notifications"]').first.click()
    expect(page.locator("body")).to_have_attribute("data-testid", "page-notifications")
    expect(page.locator('[data-testid="notification"]').first).to_contain_text("SF1234567890")
    expect(badge).to_have_count(0)

    assert watch.problems == []
