"""Impressions, taps and adds to cart: counted where they happen, once per viewer and day,
never the seller's own or a bot's, rolled up by the worker into counts that say nothing of
who; with the database buffer and with Redis."""

import datetime as dt

import pytest
import redis
import time_machine

from storefeed.insights import counting
from storefeed.insights.models import Event, PostDay, ProductDay, Seen
from storefeed.insights.rollup import insights_rollup
from tests.insights.conftest import browser
from tests.mastodon.conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def buffer(request, settings, redis_url) -> str:
    settings.INSIGHTS_BUFFER = request.param
    if request.param == "redis":
        settings.REDIS_URL = redis_url
        redis.Redis.from_url(redis_url).flushdb()
        counting._Redis.failed_at = -counting.RESTING
    return request.param


def impressions(status_id: int, day: dt.date | None = None) -> int:
    row = PostDay.objects.filter(status_id=status_id, day=day or dt.date.today()).first()
    return row.impressions if row else 0


def test_each_viewer_counts_once_a_day_and_the_seller_and_bots_not_at_all(
    buffer, seller, fans, post, tea, shirt
):
    alice, bob, carol = fans
    for _ in range(3):
        browser(alice).get("/")  # the home timeline, three times
    browser(alice).get(f"/@{seller.username}/{post.pk}")  # the post page
    browser(bob).get(f"/@{seller.username}")  # the profile
    browser(seller).get("/")  # the seller's own view
    browser(carol, agent="Googlebot/2.1 (+http://www.google.com/bot.html)").get("/")
    browser(carol, agent="").get("/")
    assert PostDay.objects.count() == 0  # nothing until the worker rolls up
    insights_rollup()
    assert impressions(post.pk) == 2
    row = PostDay.objects.get(status_id=post.pk)
    assert row.seller_id == seller.pk
    for product in (tea, shirt):
        assert ProductDay.objects.get(product_id=product.pk).impressions == 2
    # Again: whole counts, so a second run (or a rerun) changes nothing; a new viewer adds one.
    insights_rollup()
    assert impressions(post.pk) == 2
    Api(seller).get("/api/v1/timelines/home", HTTP_USER_AGENT="Tusky/25.0")  # own, in an app
    Api(alice).get("/api/v1/timelines/home", HTTP_USER_AGENT="Tusky/25.0")  # alice again
    insights_rollup()
    assert impressions(post.pk) == 2
    Api(carol).get("/api/v1/timelines/home", HTTP_USER_AGENT="Tusky/25.0")
    insights_rollup()
    assert impressions(post.pk) == 3


def test_a_visitor_and_the_public_timelines_count(buffer, seller, post):
    browser().get("/public")
    browser(agent="Mozilla/5.0 (iPhone) Safari/604.1").get("/api/v1/timelines/public")
    insights_rollup()
    assert impressions(post.pk) == 2


def test_the_same_viewer_tomorrow_is_counted_again(buffer, seller, fans, post):
    alice = fans[0]
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)):
        browser(alice).get("/")
        insights_rollup()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        browser(alice).get("/")
        insights_rollup()
    assert impressions(post.pk, dt.date(2026, 3, 1)) == 1
    assert impressions(post.pk, dt.date(2026, 3, 2)) == 1


def test_the_buffer_holds_no_account_id(seller, fans, post, settings):
    settings.INSIGHTS_BUFFER = "database"
    browser(fans[0]).get("/")
    (seen,) = Seen.objects.all()
    assert seen.viewer not in {u.pk for u in fans}
    assert seen.viewer == counting.viewer_key(None, seen.day, fans[0].pk)


def test_old_days_leave_the_database_buffer(seller, fans, post, settings):
    settings.INSIGHTS_BUFFER = "database"
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)):
        browser(fans[0]).get("/")
        insights_rollup()
    with time_machine.travel(dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC)):
        browser(fans[1]).get("/")
        insights_rollup()
    assert set(Seen.objects.values_list("day", flat=True)) == {dt.date(2026, 3, 4)}
    assert impressions(post.pk, dt.date(2026, 3, 1)) == 1


@pytest.mark.redis
def test_redis_down_costs_counts_never_the_page(seller, fans, post, settings):
    settings.INSIGHTS_BUFFER = "redis"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    counting._Redis.failed_at = -counting.RESTING
    response = browser(fans[0]).get("/")
    assert response.status_code == 200
    assert "New tea and shirts" in response.content.decode()


def test_taps_count_cards_opened_from_a_post(seller, fans, post, tea):
    alice, bob, carol = fans
    browser(alice).get(f"/products/{tea.pk}?from={post.pk}")
    browser(bob).get(f"/products/{tea.pk}?from={post.pk}")
    browser(bob).get(f"/products/{tea.pk}")  # not from a post
    browser(seller).get(f"/products/{tea.pk}?from={post.pk}")  # the seller's own
    browser(carol, agent="curl/8.5").get(f"/products/{tea.pk}?from={post.pk}")
    browser(carol).get(f"/products/{tea.pk}?from=12345")  # no such post
    browser(carol).get(f"/products/{tea.pk}?from=x")
    assert Event.objects.count() == 2
    insights_rollup()
    assert Event.objects.count() == 0
    assert PostDay.objects.get(status_id=post.pk).taps == 2
    assert ProductDay.objects.get(product_id=tea.pk).taps == 2
    insights_rollup()
    assert PostDay.objects.get(status_id=post.pk).taps == 2


def test_adds_to_cart_count_for_the_product_and_the_post(seller, fans, post, tea):
    alice, bob, _ = fans
    browser(alice).post("/cart/add", {"product_id": tea.pk, "from": str(post.pk)})
    browser(bob).post("/cart/add", {"product_id": tea.pk})
    insights_rollup()
    assert PostDay.objects.get(status_id=post.pk).carts == 1
    assert ProductDay.objects.get(product_id=tea.pk).carts == 2


def test_pages_wait_in_memory_until_the_process_writes_them_out(seller, fans, post, settings):
    settings.INSIGHTS_BUFFER = "database"
    settings.INSIGHTS_FLUSH_SECONDS = 3600  # the thread would write them in an hour
    counting.flush()
    alice, bob, _ = fans
    for _ in range(3):
        browser(alice).get("/")
    browser(bob).get("/")
    assert Seen.objects.count() == 0  # nothing written on the request
    assert counting.flush() == 4
    assert Seen.objects.count() == 2  # alice's three identical pages written once
    browser(bob).get("/")
    insights_rollup()  # the rollup writes out its own process's pages first
    assert impressions(post.pk) == 2


def test_counting_adds_no_query_to_a_timeline_page(seller, fans, post, settings):
    """The page already knows which posts carry cards and who wrote them; the impressions wait
    in memory, so a counted read runs exactly the queries of an uncounted one (a bot's)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.INSIGHTS_BUFFER = "database"
    settings.INSIGHTS_FLUSH_SECONDS = 3600
    counting.flush()
    alice = fans[0]
    api = Api(alice)
    counts = {}
    for agent in ("Tusky/25.0", "Googlebot/2.1"):
        client = browser(alice, agent)
        api.get("/api/v1/timelines/home", HTTP_USER_AGENT=agent)  # warm
        with CaptureQueriesContext(connection) as api_queries:
            answer = api.get("/api/v1/timelines/home", HTTP_USER_AGENT=agent)
        assert answer.status_code == 200
        client.get("/")
        with CaptureQueriesContext(connection) as web_queries:
            client.get("/")
        counts[agent] = (len(api_queries), len(web_queries))
    assert counts["Tusky/25.0"] == counts["Googlebot/2.1"]
    assert counting.flush() > 0  # and the counted reads were kept


def test_a_third_party_items_buy_redirect_is_a_tap_for_the_post(seller, fans, tmall_item):
    from storefeed.catalog import services as catalog

    post = catalog.product_post_create(
        account=seller, text="Masks I rebuy", external_item_ids=[tmall_item.pk]
    )
    page = browser(fans[0]).get(f"/items/{tmall_item.pk}?from={post.pk}").content.decode()
    assert f"/items/{tmall_item.pk}/go?from={post.pk}" in page
    assert browser(fans[0]).get(f"/items/{tmall_item.pk}/go?from={post.pk}").status_code == 302
    insights_rollup()
    assert PostDay.objects.get(status_id=post.pk).taps == 1
