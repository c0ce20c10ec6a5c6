"""The hot list: folded in by the worker from recent activity (never on read), with time decay,
one account counting once per item, reasons in the reader's language, staff hiding."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.discovery import tasks
from storefeed.discovery.models import Trend, TrendContribution, TrendHide
from storefeed.discovery.trends import trends_refresh
from storefeed.posts.services import status_create, status_favourite, status_reblog
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["id"] for s in response.json()]


def test_trends_are_computed_by_the_worker_not_on_read(clock, anon, expert_factory, crowd):
    author = expert_factory("lipstick_li", "beauty")
    post = status_create(account=author, text="New shade #口红")
    for fan in crowd(3):
        status_reblog(account=fan, status_id=post.pk)
    # Nothing is computed when read: the endpoint answers from rows the worker writes.
    assert anon.get("/api/v1/trends/statuses").json() == []
    clock.shift(dt.timedelta(seconds=30))
    tasks.refresh_trends.enqueue()  # what the beat enqueues every minute (run inline here)
    assert _ids(anon.get("/api/v1/trends/statuses")) == [str(post.pk)]
    entry = anon.get("/api/v1/trends/statuses").json()[0]
    assert entry["trend_reason"] == "3 reposts in the last 2 hours"
    assert ("storefeed.discovery.tasks.refresh_trends", 60) in settings.PERIODIC_TASKS


def test_trends_update_within_a_minute_of_new_activity(clock, anon, expert_factory, crowd):
    author = expert_factory("gadget_gu", "tech")
    first = status_create(account=author, text="first")
    second = status_create(account=author, text="second")
    fans = crowd(4)
    status_favourite(account=fans[0], status_id=first.pk)
    trends_refresh()
    assert _ids(anon.get("/api/v1/trends/statuses")) == [str(first.pk)]
    clock.shift(dt.timedelta(seconds=20))
    for fan in fans:
        status_reblog(account=fan, status_id=second.pk)
    clock.shift(dt.timedelta(seconds=40))  # the next beat, a minute after the last run
    tasks.refresh_trends.enqueue()
    assert _ids(anon.get("/api/v1/trends/statuses")) == [str(second.pk), str(first.pk)]


def test_one_account_counts_once_per_item(clock, anon, alice, crowd):
    loud = make_user("loud")
    spammed = status_create(account=alice, text="spammed")
    liked = status_create(account=alice, text="liked by two")
    status_favourite(account=loud, status_id=spammed.pk)
    status_reblog(account=loud, status_id=spammed.pk)
    for n in range(5):
        status_create(account=loud, text=f"reply {n}", in_reply_to_id=spammed.pk)
    for fan in crowd(2):
        status_favourite(account=fan, status_id=liked.pk)
    trends_refresh()
    assert TrendContribution.objects.filter(item_id=spammed.pk).count() == 1
    assert _ids(anon.get("/api/v1/trends/statuses")) == [str(liked.pk), str(spammed.pk)]
    # A second run over the same activity counts nothing again.
    before = dict(Trend.objects.values_list("item_id", "score"))
    clock.shift(dt.timedelta(seconds=1))
    assert trends_refresh() == 0
    assert dict(Trend.objects.values_list("item_id", "score")) == before


def test_a_deleted_post_leaves_at_once_and_its_rows_at_the_next_run(clock, anon, alice, crowd):
    from storefeed.posts.services import status_delete

    post = status_create(account=alice, text="soon gone")
    kept = status_create(account=alice, text="kept")
    for fan in crowd(2):
        status_favourite(account=fan, status_id=post.pk)
        status_favourite(account=fan, status_id=kept.pk)
    trends_refresh()
    status_delete(account=alice, status_id=post.pk)
    assert _ids(anon.get("/api/v1/trends/statuses")) == [str(kept.pk)]
    clock.shift(dt.timedelta(minutes=1))
    trends_refresh()
    assert not Trend.objects.filter(item_id=post.pk).exists()
    assert not TrendContribution.objects.filter(item_id=post.pk).exists()


def test_own_likes_do_not_count_and_private_posts_never_trend(clock, anon, alice, bob):
    from storefeed.social.services import follow_create

    own = status_create(account=alice, text="my own")
    status_favourite(account=alice, status_id=own.pk)
    follow_create(follower=bob, target=alice)
    private = status_create(account=alice, text="friends only", visibility="private")
    status_create(account=bob, text="hi", in_reply_to_id=private.pk, visibility="private")
    status_favourite(account=bob, status_id=private.pk)
    trends_refresh()
    assert anon.get("/api/v1/trends/statuses").json() == []


def test_older_activity_decays(clock, anon, alice, crowd):
    old = status_create(account=alice, text="big this morning")
    for fan in crowd(3, "early"):
        status_reblog(account=fan, status_id=old.pk)
    trends_refresh()
    assert _ids(anon.get("/api/v1/trends/statuses")) == [str(old.pk)]
    clock.shift(dt.timedelta(hours=6))
    new = status_create(account=alice, text="just now")
    status_reblog(account=make_user("late"), status_id=new.pk)
    trends_refresh()
    # 3 reposts six hours ago (three half-lives: worth 3/8 of one) < 1 repost now.
    assert _ids(anon.get("/api/v1/trends/statuses")) == [str(new.pk), str(old.pk)]
    # The morning's reason now counts the whole day.
    reasons = {s["id"]: s["trend_reason"] for s in anon.get("/api/v1/trends/statuses").json()}
    assert reasons[str(old.pk)] == "3 reposts in the last 24 hours"
    clock.shift(dt.timedelta(days=2))
    trends_refresh()
    assert anon.get("/api/v1/trends/statuses").json() == []
    assert not Trend.objects.exists() and not TrendContribution.objects.exists()


def test_tags_trend_overall_and_per_field_with_history(clock, anon, expert_factory, crowd):
    for n in range(3):
        expert_factory(f"beauty{n}", "beauty")
    for user in [*crowd(2), *[expert_factory(f"b{n}", "beauty") for n in range(2)]]:
        status_create(account=user, text="#口红 of the day")
    techie = expert_factory("techie", "tech")
    status_create(account=techie, text="#gadgets")
    status_create(account=techie, text="#gadgets again")  # the same account counts once
    trends_refresh()
    overall = anon.get("/api/v1/trends/tags").json()
    assert [t["name"] for t in overall] == ["口红", "gadgets"]
    assert overall[0]["reason"] == "4 people posted about it in the last 2 hours"
    today = overall[0]["history"][0]
    assert today == {"day": str(int(dt.datetime(2026, 11, 20, tzinfo=dt.UTC).timestamp())),
                     "uses": "4", "accounts": "4"}  # fmt: skip
    assert len(overall[0]["history"]) == 7
    tech = anon.get("/api/v1/trends/tags", {"field": "tech"}).json()
    assert [t["name"] for t in tech] == ["gadgets"]
    beauty = anon.get("/api/v1/trends", {"field": "beauty"}).json()
    assert [t["name"] for t in beauty] == ["口红"]
    assert anon.get("/api/v1/trends/tags", {"field": "nope"}).status_code == 422
    assert anon.get("/api/v1/trends/tags", {"limit": "x"}).status_code == 422
    assert anon.get("/api/v1/trends/tags", {"offset": "5"}).json() == []


def test_reasons_follow_the_readers_language(clock, anon, alice, crowd):
    post = status_create(account=alice, text="热门")
    for fan in crowd(2):
        status_reblog(account=fan, status_id=post.pk)
    trends_refresh()
    zh = anon.get("/api/v1/trends/statuses", headers={"Accept-Language": "zh-hans"}).json()
    assert zh[0]["trend_reason"] == "近2小时转发 2 次"
    # Mastodon's `lang` comes before Accept-Language (Mastodon.py sends it); unknown: ignored.
    lang = anon.get("/api/v1/trends/statuses", {"lang": "zh"}).json()
    assert lang[0]["trend_reason"] == "近2小时转发 2 次"
    unknown = anon.get("/api/v1/trends/statuses", {"lang": "xx-nope"}).json()
    assert unknown[0]["trend_reason"] == "2 reposts in the last 2 hours"


def test_staff_hide_an_entry_everywhere(clock, anon, client_for, expert_factory, crowd):
    author = expert_factory("lipstick_li", "beauty")
    post = status_create(account=author, text="too hot #hot")
    for fan in crowd(2):
        status_reblog(account=fan, status_id=post.pk)
    trends_refresh()
    staff = make_user("staffer", is_staff=True)
    assert str(post.pk) in anon.get("/hot").content.decode()
    fan = client_for(make_user("nosy"))
    refused = fan.post("/hot/hide", {"kind": "status", "item_id": post.pk})
    assert refused.status_code == 403 and not TrendHide.objects.exists()
    bad = client_for(staff).post("/hot/hide", {"kind": "planet", "item_id": post.pk})
    assert bad.status_code == 302 and not TrendHide.objects.exists()
    done = client_for(staff).post("/hot/hide", {"kind": "status", "item_id": post.pk})
    assert done.status_code == 302
    assert anon.get("/api/v1/trends/statuses").json() == []
    assert anon.get("/api/v1/trends/statuses", {"field": "beauty"}).json() == []
    # The worker keeps scoring it; it stays hidden.
    trends_refresh()
    assert anon.get("/api/v1/trends/statuses").json() == []
    assert [t["name"] for t in anon.get("/api/v1/trends/tags").json()] == ["hot"]


def test_blocked_and_muted_authors_are_left_out_for_the_reader(
    clock, api_client, alice, bob, crowd
):
    from storefeed.social.services import block_create, mute_create

    by_alice = status_create(account=alice, text="alice's")
    by_bob = status_create(account=bob, text="bob's")
    for fan in crowd(2):
        status_reblog(account=fan, status_id=by_alice.pk)
        status_reblog(account=fan, status_id=by_bob.pk)
    trends_refresh()
    reader = make_user("reader")
    client = api_client(reader)
    assert set(_ids(client.get("/api/v1/trends/statuses"))) == {str(by_alice.pk), str(by_bob.pk)}
    mute_create(account=reader, target=alice)
    block_create(account=bob, target=reader)
    assert client.get("/api/v1/trends/statuses").json() == []


def test_trend_reads_cost_a_fixed_number_of_queries(clock, anon, alice, crowd):
    fans = crowd(6)
    for n in range(6):
        post = status_create(account=alice, text=f"post {n} #tag{n}")
        for fan in fans[: n + 1]:
            status_favourite(account=fan, status_id=post.pk)
    trends_refresh()
    anon.get("/api/v1/trends/statuses")  # warm the cached parts
    counts = {}
    for path, limit in [("tags", 2), ("tags", 6), ("statuses", 2), ("statuses", 6)]:
        with CaptureQueriesContext(connection) as queries:
            response = anon.get(f"/api/v1/trends/{path}", {"limit": limit})
        assert len(response.json()) == limit
        # Not counted: the rate limit's counter (core.limits), which every API call makes.
        counts[(path, limit)] = len(
            [q for q in queries.captured_queries if "limitcounter" not in q["sql"].lower()]
        )
    assert counts[("tags", 2)] == counts[("tags", 6)] <= 2
    assert counts[("statuses", 2)] == counts[("statuses", 6)] <= 4


@pytest.mark.urls("tests.accounts.admin_urls")
def test_staff_hide_and_show_entries_in_the_admin(clock, client_for, alice, crowd):
    post = status_create(account=alice, text="admin me")
    for fan in crowd(2):
        status_favourite(account=fan, status_id=post.pk)
    trends_refresh()
    boss = client_for(make_user("boss", is_staff=True, is_superuser=True))
    trend = Trend.objects.get(item_id=post.pk, field_id=0)
    assert boss.get("/admin/discovery/trend/").status_code == 200
    response = boss.post(
        "/admin/discovery/trend/",
        {"action": "hide", "_selected_action": [trend.pk]},
        follow=True,
    )
    assert "1 entry hidden." in response.content.decode()
    hide = TrendHide.objects.get()
    assert (hide.kind, hide.item_id, hide.hidden_by.username) == ("status", post.pk, "boss")
    boss.post(f"/admin/discovery/trendhide/{hide.pk}/delete/", {"post": "yes"})
    assert not TrendHide.objects.exists()


def test_posts_of_a_suspended_account_leave_the_trends_at_once(clock, anon, alice, bob, crowd):
    from storefeed.accounts.models import User

    loud = status_create(account=alice, text="alice's")
    quiet = status_create(account=bob, text="bob's")
    fans = crowd(3)
    for fan in fans:
        status_favourite(account=fan, status_id=loud.pk)
    status_favourite(account=fans[0], status_id=quiet.pk)
    trends_refresh()
    assert _ids(anon.get("/api/v1/trends/statuses")) == [str(loud.pk), str(quiet.pk)]
    User.objects.filter(pk=alice.pk).update(is_active=False)  # suspended by staff
    # Before the next run: read without her post.
    assert _ids(anon.get("/api/v1/trends/statuses")) == [str(quiet.pk)]
    clock.shift(dt.timedelta(seconds=60))
    trends_refresh()
    assert _ids(anon.get("/api/v1/trends/statuses")) == [str(quiet.pk)]
