"""A seller's product images in a real browser on a phone: chosen (or dropped) into a picker
that shows them in order, moved and removed there, and saved in that order."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from storefeed.accounts.models import ExpertField
from storefeed.catalog.models import Product
from tests.conftest import make_user
from tests.sellers.conftest import make_seller
from tests.web_shop.test_browser_journey import sign_in

pytestmark = pytest.mark.browser

SIZES = {"red": (300, 200), "green": (200, 300), "blue": (250, 250)}


def test_images_are_saved_in_the_order_the_picker_shows(browser_page, tmp_path):
    # transactional_db (the browser's) empties the tables the migrations filled.
    ExpertField.objects.get_or_create(
        slug="food", defaults={"name_en": "Food", "name_zh": "美食", "position": 3}
    )
    make_seller("teashop", make_user("boss", is_staff=True))
    paths = []
    for colour, size in SIZES.items():
        path = tmp_path / f"{colour}.png"
        Image.new("RGB", size, colour).save(path, "PNG")
        paths.append(str(path))
    page = browser_page
    sign_in(page, "teashop")
    page.goto("/shop/products/new")
    expect(page.locator('[data-testid="drop-zone"]')).to_be_visible()
    page.set_input_files("input[data-image-picker]", paths)
    picked = page.locator('[data-testid="picked-image"]')
    expect(picked).to_have_count(3)
    picked.nth(2).locator('[data-move="earlier"]').click()  # blue before green
    expect(picked.nth(1).locator("img")).to_have_attribute("alt", "blue.png")
    picked.nth(0).locator('[data-move="remove"]').click()  # no red
    expect(picked).to_have_count(2)
    expect(picked.nth(0).locator('[data-move="earlier"]')).to_be_disabled()
    page.fill("#id_title", "Three teas")
    page.fill("#id_price", "12.00")
    page.fill("#id_stock", "5")
    page.click('[data-testid="product-submit"]')
    expect(page.locator('[data-testid="messages"]')).to_be_visible()
    product = Product.objects.get(title="Three teas")
    assert [(i.width, i.height) for i in product.images.all()] == [(250, 250), (200, 300)]
