"""Impressions counted where the first version did not: the API's single status, search
results and trends, each reporting its posts once, as the home does."""

import pytest

from storefeed.discovery.trends import trends_refresh
from storefeed.insights.models import PostDay
from storefeed.insights.rollup import insights_rollup
from storefeed.posts.services import status_create, status_reblog
from tests.mastodon.conftest import Api

pytestmark = pytest.mark.django_db

APP = "Tusky/25.0"


def impressions(status_id: int) -> int:
    row = PostDay.objects.filter(status_id=status_id).first()
    return row.impressions if row else 0


def test_the_api_single_status_counts_and_a_repost_counts_its_post(seller, fans, post):
    alice, bob, _carol = fans
    Api(alice).get(f"/api/v1/statuses/{post.pk}", HTTP_USER_AGENT=APP)
    Api(alice).get(f"/api/v1/statuses/{post.pk}", HTTP_USER_AGENT=APP)  # the same viewer
    repost = status_reblog(account=bob, status_id=post.pk)
    Api(bob).get(f"/api/v1/statuses/{repost.pk}", HTTP_USER_AGENT=APP)
    Api(seller).get(f"/api/v1/statuses/{post.pk}", HTTP_USER_AGENT=APP)  # the seller's own
    insights_rollup()
    assert impressions(post.pk) == 2


def test_a_post_without_cards_reports_nothing(seller, fans):
    plain = status_create(account=seller, text="just words")
    Api(fans[0]).get(f"/api/v1/statuses/{plain.pk}", HTTP_USER_AGENT=APP)
    insights_rollup()
    assert not PostDay.objects.filter(status_id=plain.pk).exists()


def test_search_results_count(seller, fans, post):
    found = Api(fans[0]).get(
        "/api/v2/search", {"q": "tea", "type": "statuses"}, HTTP_USER_AGENT=APP
    )
    assert [s["id"] for s in found.json()["statuses"]] == [str(post.pk)]
    insights_rollup()
    assert impressions(post.pk) == 1


def test_trends_count(seller, fans, post):
    alice, bob, carol = fans
    for fan in (alice, bob, carol):
        Api(fan).post(f"/api/v1/statuses/{post.pk}/favourite")
    trends_refresh()
    trending = Api(bob).get("/api/v1/trends/statuses", HTTP_USER_AGENT=APP).json()
    assert str(post.pk) in [s["id"] for s in trending]
    insights_rollup()
    assert impressions(post.pk) == 1
