"""The everyday pages at a phone's size and a desktop's, in English and Chinese, in a real
browser: every page loads without a script error or a failed request, nothing is wider than
the screen, the words are the reader's language, and the phone reaches its own pages through
the Me menu while the desktop has them in the sidebar."""

import re

import pytest
from playwright.sync_api import expect

from storefeed.accounts.models import ExpertField
from storefeed.catalog import services as catalog_services
from storefeed.orders import services as order_services
from tests.conftest import make_user
from tests.orders.conftest import PIN, address_for, make_buyer
from tests.sellers.conftest import make_seller
from tests.web_shop.test_browser_journey import sign_in

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def shop(transactional_db):
    # transactional_db empties the tables the migrations filled.
    ExpertField.objects.get_or_create(
        slug="food", defaults={"name_en": "Food", "name_zh": "美食", "position": 3}
    )
    seller = make_seller("teashop", make_user("boss", is_staff=True))
    tea = catalog_services.product_create(account=seller, title="Oolong", price="8.00", stock=9)
    status = catalog_services.product_post_create(account=seller, text="Tea!", product_ids=[tea.pk])
    fan = make_buyer(make_user("fan"), "100.00")
    address = address_for(fan)
    [order] = order_services.order_place(
        buyer=fan,
        items=[{"product_id": tea.pk, "variant_id": None, "quantity": 1}],
        address_id=address.pk,
    )
    order_services.order_pay(buyer=fan, order_id=order.pk, pin=PIN, idempotency_key="size-1")
    return {"product": tea, "status": status, "order": order}


PAGES = ["/", "/public", "/@teashop", "/notifications", "/wallet", "/orders", "/cart", "/me"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("browser_page", ["phone", "desktop"], indirect=True)
def test_the_everyday_pages_at_both_sizes_in_both_languages(browser_page, shop, language):
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    sign_in(page, "fan")
    if language != "en":
        page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    paths = [*PAGES, f"/products/{shop['product'].pk}", f"/orders/{shop['order'].pk}"]
    for path in paths:
        page.goto(path)
        body = page.locator("body")
        expect(body).not_to_have_attribute("data-testid", "page-page")
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, f"{path} is {wide}px wider than the screen"
        text = page.locator("main").inner_text()
        assert bool(CJK.search(text)) == (language != "en") or path == "/@teashop", path
    width = page.viewport_size["width"]
    page.goto("/")
    wallet_in_sidebar = page.locator('aside [data-testid="nav-wallet"]')
    if width < 720:
        expect(wallet_in_sidebar).to_be_hidden()
        page.click('[data-testid="nav-profile"]')
        expect(page.locator('[data-testid="me-menu"] [data-testid="nav-wallet"]')).to_be_visible()
    else:
        expect(wallet_in_sidebar).to_be_visible()
    assert problems == []
