"""The Redis home timeline store as the site runs it: chosen by a setting, no more queries
per page than the database store, and homes refilled by `storefeed timelines_rebuild`
after switching. (The store's own contract is test_store_contract.py.)"""

import io
import os
import subprocess
import sys

import pytest
import redis
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.posts import services as posts
from storefeed.social import services as social
from storefeed.timelines.redis_store import RedisTimelineStore
from storefeed.timelines.selectors import home_timeline
from storefeed.timelines.store import DatabaseTimelineStore, home_store
from tests.conftest import make_user
from tests.mastodon.conftest import Api
from tests.timelines.test_home import _fill_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def use_redis(redis_url, settings):
    """Switch the site to the Redis store (on the flushed test database)."""

    def switch() -> None:
        settings.TIMELINE_STORE = "redis"
        settings.REDIS_URL = redis_url

    redis.Redis.from_url(redis_url).flushdb()
    return switch


def ids(statuses):
    return [s.pk for s in statuses]


def test_the_setting_chooses_the_store(use_redis):
    assert isinstance(home_store(), DatabaseTimelineStore)
    use_redis()
    assert isinstance(home_store(), RedisTimelineStore)
    assert home_store() is home_store()  # one client (and connection pool) per process


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("redis", "STOREFEED_TIMELINE_STORE=redis needs STOREFEED_REDIS_URL."),
        ("memcached", "STOREFEED_TIMELINE_STORE must be database or redis."),
    ],
)
def test_a_bad_store_setting_is_refused_at_start(value, message, tmp_path):
    env = {**os.environ, "STOREFEED_TIMELINE_STORE": value, "STOREFEED_VAR_DIR": str(tmp_path)}
    env.pop("STOREFEED_REDIS_URL", None)
    ran = subprocess.run(
        [sys.executable, "-c", "import storefeed.config.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode != 0
    assert message in ran.stderr


def test_a_home_page_from_redis_costs_no_more_queries(alice, use_redis, make_image):
    _fill_home(alice, 24, make_image)

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            page = home_timeline(viewer=alice, limit=30)
            for status in page:  # touch what a page renders
                shown = status.reblog_of or status
                _ = (shown.account.name, shown.media_list, shown.viewer_favourited)
                _ = shown.quote_of.account.name if shown.quote_of else None
        return len(page), len(ctx.captured_queries)

    database_n, database_q = cost()
    use_redis()
    call_command("timelines_rebuild", "alice", stdout=io.StringIO())
    redis_n, redis_q = cost()
    assert redis_n >= database_n > 20
    assert redis_q <= database_q, f"database: {database_q} queries, Redis: {redis_q}"


def test_rebuild_refills_homes_after_switching(alice, bob, carol, use_redis, capsys):
    social.follow_create(follower=alice, target=bob)
    social.follow_create(follower=alice, target=carol, show_reblogs=False)
    mine = posts.status_create(account=alice, text="mine")
    bobs = posts.status_create(account=bob, text="bob's")
    carols_repost = posts.status_reblog(account=carol, status_id=bobs.pk)
    carols = posts.status_create(account=carol, text="carol's")
    to_alice = posts.status_create(account=bob, text="psst @alice", visibility="direct")
    reply_to_carol = posts.status_create(account=bob, text="hi", in_reply_to_id=carols.pk)
    dave = make_user("dave")
    reply_to_stranger = posts.status_create(
        account=bob, text="hi", in_reply_to_id=posts.status_create(account=dave, text="d").pk
    )
    before = {user.username: ids(home_timeline(viewer=user, limit=40)) for user in (alice, bob)}
    assert before["alice"] == [reply_to_carol.pk, to_alice.pk, carols.pk, bobs.pk, mine.pk]
    assert carols_repost.pk not in before["alice"]

    use_redis()
    assert ids(home_timeline(viewer=alice)) == []  # a new store starts empty
    call_command("timelines_rebuild")
    call_command("timelines_rebuild")  # again: nothing doubles
    after = {user.username: ids(home_timeline(viewer=user, limit=40)) for user in (alice, bob)}
    assert after == before
    assert reply_to_stranger.pk in after["bob"]
    assert capsys.readouterr().out.splitlines()[-1].startswith("rebuilt 4 homes")
    # And the Redis store carries on from there: new posts are pushed to it.
    later = posts.status_create(account=bob, text="later")
    assert ids(home_timeline(viewer=alice, limit=1)) == [later.pk]


def test_a_redis_that_is_down_makes_homes_slower_not_failing(alice, bob, carol, settings):
    social.follow_create(follower=alice, target=bob)
    social.follow_create(follower=alice, target=carol, show_reblogs=False)
    mine = posts.status_create(account=alice, text="mine")
    bobs = posts.status_create(account=bob, text="bob's")
    posts.status_reblog(account=carol, status_id=bobs.pk)  # reblogs off: not shown
    posts.status_create(account=make_user("dave"), text="not followed")
    assert ids(home_timeline(viewer=alice)) == [bobs.pk, mine.pk]
    settings.TIMELINE_STORE = "redis"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    assert ids(home_timeline(viewer=alice)) == [bobs.pk, mine.pk]
    assert ids(home_timeline(viewer=alice, max_id=bobs.pk)) == [mine.pk]
    response = Api(alice).get("/api/v1/timelines/home")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == [str(bobs.pk), str(mine.pk)]


def test_rebuild_replaces_homes_of_the_earlier_redis_layout(alice, use_redis, redis_url):
    client = redis.Redis.from_url(redis_url)
    client.zadd(f"storefeed:home:{alice.pk}", {"00000000000000000001:2:": 0})
    client.sadd("storefeed:held:00000000000000000001", alice.pk)
    use_redis()
    mine = posts.status_create(account=alice, text="mine")
    out = io.StringIO()
    call_command("timelines_rebuild", stdout=out)
    assert out.getvalue().splitlines()[0] == "dropped 2 keys of the earlier Redis layout"
    assert client.keys("storefeed:h*") == []
    assert ids(home_timeline(viewer=alice)) == [mine.pk]
