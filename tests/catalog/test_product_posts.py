"""Product posts: up to nine cards, live stock and state, reposts, and the home timeline's cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.catalog import selectors, services
from storefeed.catalog.errors import TooManyItems
from storefeed.catalog.models import PostProduct
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.posts import services as posts
from storefeed.posts.models import Status
from storefeed.posts.selectors import status_for_viewer, statuses_hydrate
from storefeed.sellers import services as sellers
from storefeed.sellers.errors import NotASeller
from storefeed.social import services as social
from storefeed.timelines.selectors import home_timeline
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def cards_of(status, viewer=None):
    return statuses_hydrate(viewer=viewer, ids=[status.pk])[0].product_cards


def test_a_post_carries_products_then_items_in_the_order_chosen(seller, make_product, tmall_item):
    a, b, c = make_product("A"), make_product("B"), make_product("C")
    status = services.product_post_create(
        account=seller,
        text="New season #tea",
        product_ids=[str(c.pk), a.pk, b.pk],
        external_item_ids=[tmall_item.pk],
    )
    assert status.content.startswith("<p>New season")
    links = list(PostProduct.objects.filter(status=status).order_by("position"))
    assert [(link.position, link.product_id, link.external_item_id) for link in links] == [
        (0, c.pk, None),
        (1, a.pk, None),
        (2, b.pk, None),
        (3, None, tmall_item.pk),
    ]
    cards = cards_of(status)
    assert [(card.kind, card.title) for card in cards] == [
        ("product", "C"),
        ("product", "A"),
        ("product", "B"),
        ("external", "Tmall teapot"),
    ]
    product_card, item_card = cards[0], cards[3]
    assert (product_card.price_fen, product_card.stock, product_card.state) == (8800, 12, "12 left")
    assert product_card.available
    assert product_card.url == f"/products/{c.pk}"
    assert product_card.buy_url == f"/products/{c.pk}/buy"
    assert (product_card.source, product_card.seller_username) == ("storefeed", "teashop")
    assert product_card.price_display == "¥88.00"
    assert (item_card.stock, item_card.source, item_card.source_label) == (None, "tmall", "Tmall")
    assert item_card.buy_url == f"/items/{tmall_item.pk}/go"
    assert item_card.checked_at is not None


def test_a_tenth_card_is_refused_and_nothing_is_posted(seller, make_product, tmall_item):
    products = [make_product(f"P{i}") for i in range(9)]
    with pytest.raises(TooManyItems) as refused:
        services.product_post_create(
            account=seller,
            text="Everything",
            product_ids=[p.pk for p in products],
            external_item_ids=[tmall_item.pk],
        )
    assert "at most 9 products and items together; this one has 10" in refused.value.message
    assert refused.value.code == "too_many_items"
    assert not Status.objects.exists()
    assert not PostProduct.objects.exists()
    # Nine is fine.
    status = services.product_post_create(
        account=seller, text="Nine", product_ids=[p.pk for p in products]
    )
    assert len(cards_of(status)) == 9


def test_another_sellers_product_is_forbidden_and_nothing_is_posted(seller, rival, make_product):
    theirs = make_product("Rival tea", account=rival)
    mine = make_product("Mine")
    with pytest.raises(Forbidden, match=r"Rival tea.*belongs to another seller"):
        services.product_post_create(account=seller, text="Look", product_ids=[mine.pk, theirs.pk])
    assert not Status.objects.exists()


def test_a_withdrawn_product_cannot_go_into_a_new_post(seller, make_product):
    product = make_product("Old tea")
    services.product_withdraw(account=seller, product_id=product.pk)
    with pytest.raises(ValidationFailed, match=r"Old tea.*withdrawn"):
        services.product_post_create(account=seller, text="Look", product_ids=[product.pk])
    assert not Status.objects.exists()


def test_non_sellers_and_suspended_sellers_cannot_post_products(
    alice, seller, staff, make_product, tmall_item
):
    product = make_product()
    with pytest.raises(NotASeller):
        services.product_post_create(account=alice, text="Look", external_item_ids=[tmall_item.pk])
    sellers.seller_suspend(account_id=seller.pk, by=staff, reason="Fakes")
    with pytest.raises(NotASeller, match="suspended"):
        services.product_post_create(account=seller, text="Look", product_ids=[product.pk])
    assert not Status.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"product_ids": []}, ValidationFailed),
        ({"product_ids": ["abc"]}, ValidationFailed),
        ({"product_ids": [123456]}, NotFound),
        ({"external_item_ids": [98765]}, NotFound),
        ({"product_ids": "twice"}, ValidationFailed),
        ({"text": ""}, ValidationFailed),
        ({"visibility": "everyone"}, ValidationFailed),
    ],
)
def test_bad_product_posts_are_refused_and_nothing_is_posted(seller, make_product, fields, error):
    product = make_product()
    if fields.get("product_ids") == "twice":
        fields = {"product_ids": [product.pk, product.pk]}
    with pytest.raises(error):
        services.product_post_create(
            account=seller, **{"text": "Look", "product_ids": [product.pk], **fields}
        )
    assert not Status.objects.exists()
    assert not PostProduct.objects.exists()


def test_the_same_idempotency_key_posts_once(seller, make_product):
    product = make_product()
    first = services.product_post_create(
        account=seller, text="Once", product_ids=[product.pk], idempotency_key="k1"
    )
    again = services.product_post_create(
        account=seller, text="Once", product_ids=[product.pk], idempotency_key="k1"
    )
    assert again.pk == first.pk
    assert Status.objects.count() == 1


def test_cards_show_stock_and_state_as_they_are_now(seller, staff, make_product, alice):
    product = make_product(stock=2)
    status = services.product_post_create(account=seller, text="Two left", product_ids=[product.pk])
    services.stock_take(product_id=product.pk, quantity=1)
    services.product_update(account=seller, product_id=product.pk, price="70.00")
    card = cards_of(status, alice)[0]
    assert (card.stock, card.state, card.price_fen) == (1, "1 left", 7000)
    services.stock_take(product_id=product.pk, quantity=1)
    card = cards_of(status, alice)[0]
    assert (card.available, card.state) == (False, "sold out")
    services.product_restock(account=seller, product_id=product.pk, quantity=5)
    sellers.seller_suspend(account_id=seller.pk, by=staff, reason="Fakes")
    card = cards_of(status, alice)[0]
    assert (card.available, card.state) == (False, "seller suspended")
    sellers.seller_reinstate(account_id=seller.pk, by=staff, reason="OK")
    services.product_withdraw(account=seller, product_id=product.pk)
    card = cards_of(status, alice)[0]
    assert (card.available, card.state) == (False, "withdrawn")


def test_a_variant_products_card_sums_its_variants(seller):
    product = services.product_create(
        account=seller,
        title="Shirt",
        variants=[
            {"name": "M", "price": "59", "stock": 3},
            {"name": "L", "price": "69", "stock": 4},
        ],
    )
    status = services.product_post_create(account=seller, text="Shirts", product_ids=[product.pk])
    card = cards_of(status)[0]
    assert (card.stock, card.price_fen, card.has_variants, card.state) == (7, 5900, True, "7 left")


def test_a_repost_keeps_the_cards_and_credits_the_original_seller(seller, make_product, alice):
    product = make_product()
    status = services.product_post_create(account=seller, text="Buy", product_ids=[product.pk])
    reblog = posts.status_reblog(account=alice, status_id=status.pk)
    shown = statuses_hydrate(viewer=alice, ids=[reblog.pk])[0]
    assert [c.id for c in shown.product_cards] == [product.pk]
    assert shown.product_cards[0].seller_username == "teashop"
    assert [c.id for c in shown.reblog_of.product_cards] == [product.pk]


def test_ordinary_posts_have_no_cards(alice):
    status = posts.status_create(account=alice, text="Just a post")
    assert cards_of(status) == []


def test_a_home_page_of_nine_product_posts_costs_what_a_plain_page_costs(
    seller, make_product, tmall_item, staff
):
    from tests.sellers.conftest import with_followers

    fan, plain_fan = make_user("fan"), make_user("plainfan")
    writer = with_followers(make_user("writer"), 0)
    social.follow_create(follower=fan, target=seller)
    social.follow_create(follower=plain_fan, target=writer)
    products = [make_product(f"P{i}") for i in range(8)]
    for n in range(5):
        services.product_post_create(
            account=seller,
            text=f"Drop {n}",
            product_ids=[p.pk for p in products],
            external_item_ids=[tmall_item.pk],
        )
        posts.status_create(account=writer, text=f"Plain {n}")

    def cost(viewer, limit=20):
        with CaptureQueriesContext(connection) as queries:
            page = home_timeline(viewer=viewer, limit=limit)
            cards = [card.state for status in page for card in status.product_cards]
        return len(queries), len(page), len(cards)

    with_cards, plain = cost(fan), cost(plain_fan)
    assert with_cards[1:] == (5, 45)
    assert plain[1:] == (5, 0)
    assert with_cards[0] == plain[0]
    # Nor does a longer page of product posts cost more than a short one.
    short = cost(fan, limit=2)
    assert short[1:] == (2, 18)
    assert short[0] == with_cards[0]


def test_status_for_viewer_then_hydrate_is_the_path_a_thread_takes(seller, make_product):
    product = make_product()
    status = services.product_post_create(account=seller, text="Thread", product_ids=[product.pk])
    found = status_for_viewer(viewer=None, status_id=status.pk)
    assert cards_of(found)[0].id == product.pk


def test_shop_page_lists_products_on_sale_and_product_posts(seller, make_product, alice):
    on_sale, withdrawn = make_product("On sale"), make_product("Gone")
    services.product_withdraw(account=seller, product_id=withdrawn.pk)
    status = services.product_post_create(account=seller, text="Shop", product_ids=[on_sale.pk])
    posts.status_create(account=seller, text="Not a product post")
    private = services.product_post_create(
        account=seller, text="Fans only", product_ids=[on_sale.pk], visibility="private"
    )
    shop = selectors.shop_page(viewer=alice, account=seller)
    assert shop.is_open
    assert [p.title for p in shop.products] == ["On sale"]
    assert shop.products[0].card.state == "12 left"
    assert [s.pk for s in shop.posts] == [status.pk]
    assert private.pk in [s.pk for s in selectors.shop_product_posts(viewer=seller, seller=seller)]
    managed = selectors.seller_products(seller=seller, include_withdrawn=True)
    assert [p.title for p in managed] == ["Gone", "On sale"]
    assert managed[0].card.state == "withdrawn"


def test_product_detail(seller, make_image):
    product = services.product_create(
        account=seller,
        title="Shirt",
        images=[make_image()],
        variants=[{"name": "M", "price": "59", "stock": 3}],
    )
    detail = selectors.product_detail(product_id=product.pk)
    assert detail.card.image_url.startswith("/media/products/")
    assert [v.name for v in detail.variants] == ["M"]
    assert len(detail.images) == 1
    with pytest.raises(NotFound):
        selectors.product_detail(product_id="x")
