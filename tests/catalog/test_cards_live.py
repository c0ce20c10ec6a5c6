"""Product cards in cached timeline pages stay live: price, stock, withdrawal and a seller's
suspension show on the very next read (API home page, both cache backends)."""

import pytest

from storefeed.catalog import services as catalog
from storefeed.core import parts
from storefeed.sellers import services as sellers
from storefeed.social import services as social
from tests.catalog.conftest import make_product  # noqa: F401 (fixture)
from tests.parts.conftest import api_for, each_cache  # noqa: F401 (fixtures)
from tests.sellers.conftest import seller, staff  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(seller, make_product, bob, api_for):
    """bob follows the seller, who posted a tea; returns a function reading its card."""
    tea = make_product(title="Oolong tea", price="88.00", stock=12)
    social.follow_create(follower=bob, target=seller)
    post = catalog.product_post_create(account=seller, text="New in!", product_ids=[tea.pk])
    reader = api_for(bob)

    def read() -> dict:
        page = reader.get("/api/v1/timelines/home").json()
        parts.clear_local()  # the next read goes through the shared cache too
        return next(s for s in page if s["id"] == str(post.pk))["products"][0]

    read.product = tea  # type: ignore[attr-defined]
    return read


def test_stock_and_price_changes_show_at_once(each_cache, seller, card):
    assert (card()["stock"], card()["price"]) == (12, "88.00")
    catalog.product_update(account=seller, product_id=card.product.pk, stock=3, price="79.50")
    seen = card()
    assert (seen["stock"], seen["price"], seen["available"]) == (3, "79.50", True)
    assert catalog.stock_take(product_id=card.product.pk, quantity=3)
    seen = card()
    assert (seen["stock"], seen["available"]) == (0, False)


def test_withdrawal_and_suspension_show_at_once(each_cache, seller, staff, card):
    assert card()["available"] is True
    sellers.seller_suspend(account_id=seller.pk, by=staff, reason="counterfeits")
    assert card()["available"] is False
    sellers.seller_reinstate(account_id=seller.pk, by=staff, reason="cleared")
    assert card()["available"] is True
    catalog.product_withdraw(account=seller, product_id=card.product.pk)
    assert card()["available"] is False
