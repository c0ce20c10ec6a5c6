"""GET /api/shop/v1/insights/posts, /posts/{id} and /products: the seller's own counts, per
day on request; someone else's post is 404; bad dates are 422."""

import datetime as dt

import pytest

from storefeed.insights.models import PostDay, ProductDay
from tests.shop_api.conftest import ShopApi

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(seller, post, tea):
    today = dt.date.today()
    for back, (seen, paid, revenue) in enumerate([(40, 2, 17600), (25, 1, 8800), (10, 0, 0)]):
        day = today - dt.timedelta(days=back)
        PostDay.objects.create(
            status_id=post.pk,
            day=day,
            seller_id=seller.pk,
            impressions=seen,
            taps=seen // 5,
            orders=paid,
            paid_orders=paid,
            units=paid,
            revenue_fen=revenue,
        )
        ProductDay.objects.create(
            product_id=tea.pk, day=day, seller_id=seller.pk, impressions=seen, revenue_fen=revenue
        )
    return today


def test_posts_totals_newest_first(seller, post, shirt, history):
    from storefeed.catalog import services as catalog
    from storefeed.posts.services import status_create

    newer = catalog.product_post_create(account=seller, text="Later", product_ids=[shirt.pk])
    status_create(account=seller, text="No products here")
    answer = ShopApi(seller).get("/insights/posts")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [p["status_id"] for p in body] == [str(newer.pk), str(post.pk)]
    assert body[0]["impressions"] == 0
    assert body[1] == {
        "status_id": str(post.pk),
        "impressions": 75,
        "taps": 15,
        "carts": 0,
        "orders": 3,
        "paid_orders": 3,
        "units": 3,
        "revenue": "264.00",
        "refunded": "0.00",
    }


def test_one_post_by_day_within_the_period(seller, post, history):
    since = (history - dt.timedelta(days=1)).isoformat()
    answer = ShopApi(seller).get(
        f"/insights/posts/{post.pk}", {"since": since, "until": history.isoformat()}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["impressions"] == 65
    assert [d["date"] for d in body["days"]] == [since, history.isoformat()]
    assert [d["impressions"] for d in body["days"]] == [25, 40]
    assert body["days"][1]["revenue"] == "176.00"


def test_products(seller, tea, shirt, history):
    body = ShopApi(seller).get("/insights/products").json()
    assert [p["product_id"] for p in body] == [str(shirt.pk), str(tea.pk)]
    assert body[1]["impressions"] == 75 and body[1]["revenue"] == "264.00"
    assert body[0]["impressions"] == 0


def test_someone_elses_post_is_not_found(seller, alice, post, history):
    assert ShopApi(alice).get(f"/insights/posts/{post.pk}").status_code == 404
    assert ShopApi(alice).get("/insights/posts").json() == []
    assert ShopApi(seller).get("/insights/posts/123").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2026-03-10", "until": "2026-03-01"},
        {"since": "2024-01-01", "until": "2026-03-01"},
        {"since": "yesterday"},
        {"until": "2026-02-30"},
    ],
)
def test_bad_dates_are_refused(seller, post, query):
    answer = ShopApi(seller).get("/insights/posts", query)
    assert answer.status_code == 422
    assert answer.json()["code"] == "validation_failed"
    assert ShopApi(seller).get(f"/insights/posts/{post.pk}", query).status_code == 422
