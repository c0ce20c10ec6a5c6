"""Every order line carries the post it came from: through the card, the product page opened
from it (variants included), the cart, and a repost (the original post is credited and the
reposter recorded)."""

import re

import pytest

from storefeed.orders.models import Order, OrderItem
from storefeed.posts.services import status_reblog
from storefeed.social.services import follow_create
from tests.insights.conftest import PIN, browser

pytestmark = pytest.mark.django_db


def buy_now(client, product, source, key: str, **extra):
    """Buy on the product's checkout page with the PIN (`source` the post it came from)."""
    form = {"source": str(source), "quantity": "1", "pin": PIN, "idempotency_key": key}
    return client.post(f"/products/{product.pk}/buy", {**form, "address_id": "", **extra})


def card_link(body: str, product_id: int) -> str:
    found = re.search(rf'href="(/products/{product_id}\?from=\d+)"', body)
    assert found, "no card link to the product"
    return found.group(1)


def test_a_variant_bought_from_the_card_credits_the_post(seller, buyer, post, shirt):
    follow_create(follower=buyer, target=seller)
    client = browser(buyer)
    home = client.get("/").content.decode()
    link = card_link(home, shirt.pk)
    assert link.endswith(f"?from={post.pk}")
    # Buy on the card of a product with variants sends the buyer to choose one, keeping the post.
    chooser = client.get(f"/products/{shirt.pk}/buy?from={post.pk}")
    assert chooser.status_code == 302
    assert chooser["Location"] == f"/products/{shirt.pk}?from={post.pk}"
    page = client.get(chooser["Location"]).content.decode()
    assert f'<input type="hidden" name="from" value="{post.pk}">' in page
    m = shirt.variants.get(name="M")
    checkout = client.get(f"/products/{shirt.pk}/buy", {"variant_id": m.pk, "from": post.pk})
    assert checkout.status_code == 200
    response = buy_now(client, shirt, post.pk, "k-variant", variant_id=m.pk)
    assert response.status_code == 302
    item = OrderItem.objects.get(order__buyer=buyer)
    assert (item.variant_id, item.source_status_id, item.reposter_id) == (m.pk, post.pk, None)


def test_the_cart_keeps_the_post_through_to_the_order(seller, buyer, post, shirt):
    client = browser(buyer)
    m = shirt.variants.get(name="M")
    client.post(
        "/cart/add",
        {"product_id": shirt.pk, "variant_id": m.pk, "quantity": "2", "from": str(post.pk)},
    )
    response = client.post(
        "/cart", {"pin": PIN, "idempotency_key": "k-cart", "address_id": ""}, follow=False
    )
    assert response.status_code == 302
    item = OrderItem.objects.get(order__buyer=buyer)
    assert (item.source_status_id, item.quantity) == (post.pk, 2)


def test_a_repost_credits_the_original_and_records_the_reposter(seller, buyer, bob, post, tea):
    repost = status_reblog(account=bob, status_id=post.pk)
    follow_create(follower=buyer, target=bob)
    client = browser(buyer)
    home = client.get("/").content.decode()
    # Bob's repost in the buyer's home: its cards name the repost, so the order knows who.
    assert card_link(home, tea.pk).endswith(f"?from={repost.pk}")
    response = buy_now(client, tea, repost.pk, "k-repost")
    assert response.status_code == 302
    item = OrderItem.objects.get(order__buyer=buyer)
    assert (item.source_status_id, item.reposter_id) == (post.pk, bob.pk)


def test_a_post_that_does_not_carry_the_product_is_not_credited(seller, buyer, tea, shirt):
    from storefeed.catalog import services as catalog

    other = catalog.product_post_create(account=seller, text="Only shirts", product_ids=[shirt.pk])
    client = browser(buyer)
    buy_now(client, tea, other.pk, "k-other")
    order = Order.objects.get(buyer=buyer)
    assert order.items.get().source_status_id is None
