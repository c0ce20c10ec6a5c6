"""What a follow's options do to the follower: `notify` (a "status" notification for each new
post) and `show_reblogs` (reposts kept out of the home), at fan-out and when read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.notifications.models import Notification
from storefeed.posts import services as posts
from storefeed.social import services as social
from storefeed.timelines import lists
from storefeed.timelines import services as timelines
from storefeed.timelines.selectors import home_timeline
from storefeed.timelines.store import home_store
from tests.conftest import make_user

# Every test runs with each home timeline store.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_timeline_store")]


def ids(statuses):
    return [s.pk for s in statuses]


def home_rows(owner):
    """What the store holds for `owner`, before any filter of the reader."""
    return set(home_store().page(owner.pk, limit=10_000))


def status_notes(recipient):
    return list(
        Notification.objects.filter(recipient=recipient, type="status")
        .order_by("id")
        .values_list("actor__username", "status_id")
    )


# notify ----------------------------------------------------------------------------------


def test_a_new_post_notifies_the_followers_who_asked(alice, bob, carol):
    social.follow_create(follower=alice, target=bob, notify=True)
    social.follow_create(follower=carol, target=bob)
    status = posts.status_create(account=bob, text="news")
    assert status_notes(alice) == [("bob", status.pk)]
    assert status_notes(carol) == []
    assert status_notes(bob) == []


def test_a_reply_to_oneself_notifies_but_not_a_reply_to_someone_else(alice, bob, carol):
    social.follow_create(follower=alice, target=bob, notify=True)
    social.follow_create(follower=alice, target=carol)
    first = posts.status_create(account=bob, text="1/2")
    thread = posts.status_create(account=bob, text="2/2", in_reply_to_id=first.pk)
    by_carol = posts.status_create(account=carol, text="carol's")
    reply = posts.status_create(account=bob, text="hi carol", in_reply_to_id=by_carol.pk)
    assert status_notes(alice) == [("bob", first.pk), ("bob", thread.pk)]
    # The reply still reaches alice's home (she follows both): only the notification is left out.
    assert reply.pk in ids(home_timeline(viewer=alice))


def test_a_repost_does_not_notify(alice, bob, carol):
    social.follow_create(follower=alice, target=bob, notify=True)
    original = posts.status_create(account=carol, text="carol's")
    posts.status_reblog(account=bob, status_id=original.pk)
    assert status_notes(alice) == []


def test_a_direct_post_notifies_a_subscriber_it_mentions(alice, bob, carol):
    # As in Mastodon: a direct post reaches the homes of those it mentions, and among them
    # the subscribers hear of it as a new post too.
    social.follow_create(follower=alice, target=bob, notify=True)
    social.follow_create(follower=carol, target=bob, notify=True)
    status = posts.status_create(account=bob, text="psst @alice", visibility="direct")
    assert status_notes(alice) == [("bob", status.pk)]
    assert status_notes(carol) == []


def test_muting_or_hiding_notifications_stops_them(alice, bob, carol):
    social.follow_create(follower=alice, target=bob, notify=True)
    social.follow_create(follower=carol, target=bob, notify=True)
    social.mute_create(account=alice, target=bob, hide_notifications=False)
    social.mute_create(account=carol, target=bob, hide_notifications=True)
    posts.status_create(account=bob, text="anyone?")
    assert status_notes(alice) == []
    assert status_notes(carol) == []


def test_fan_out_run_twice_notifies_once_and_leaves_the_notification_alone(alice, bob):
    social.follow_create(follower=alice, target=bob, notify=True)
    status = posts.status_create(account=bob, text="once")
    Notification.objects.filter(type="status").update(read=True)
    before = Notification.objects.get(type="status")
    timelines.status_fan_out(status_id=status.pk)
    after = Notification.objects.get(type="status")
    assert (after.pk, after.read) == (before.pk, True)


def test_turning_notify_on_later_applies_to_later_posts(alice, bob):
    social.follow_create(follower=alice, target=bob)
    earlier = posts.status_create(account=bob, text="before")
    social.follow_update(follower=alice, target=bob, notify=True)
    later = posts.status_create(account=bob, text="after")
    social.follow_update(follower=alice, target=bob, notify=False)
    posts.status_create(account=bob, text="after again")
    assert status_notes(alice) == [("bob", later.pk)]
    assert earlier.pk not in [pk for _name, pk in status_notes(alice)]


# show_reblogs ----------------------------------------------------------------------------


def test_reblogs_off_keeps_reposts_out_but_not_posts(alice, bob, carol):
    social.follow_create(follower=alice, target=bob, show_reblogs=False)
    original = posts.status_create(account=carol, text="carol's")
    posts.status_reblog(account=bob, status_id=original.pk)
    own = posts.status_create(account=bob, text="bob's own")
    assert ids(home_timeline(viewer=alice)) == [own.pk]


def test_reblogs_off_leaves_reposts_out_of_the_backfill(alice, bob, carol):
    original = posts.status_create(account=carol, text="carol's")
    reblog = posts.status_reblog(account=bob, status_id=original.pk)
    own = posts.status_create(account=bob, text="bob's own")
    social.follow_create(follower=alice, target=bob, show_reblogs=False)
    assert home_rows(alice) == {own.pk}
    # With reblogs on, the backfill brings the repost too.
    social.follow_create(follower=carol, target=bob)
    assert home_rows(carol) == {original.pk, reblog.pk, own.pk}


def test_turning_reblogs_off_hides_reposts_already_delivered_and_keeps_pages_full(alice, bob):
    authors = [make_user(f"author{i}") for i in range(3)]
    social.follow_create(follower=alice, target=bob)
    own = [posts.status_create(account=bob, text=f"bob {i}").pk for i in range(3)]
    reposts = [
        posts.status_reblog(account=bob, status_id=posts.status_create(account=a, text="x").pk).pk
        for a in authors
    ]
    assert set(reposts) <= set(ids(home_timeline(viewer=alice)))
    social.follow_update(follower=alice, target=bob, show_reblogs=False)
    assert ids(home_timeline(viewer=alice, limit=3)) == own[::-1]
    social.follow_update(follower=alice, target=bob, show_reblogs=True)
    assert ids(home_timeline(viewer=alice, limit=3)) == reposts[::-1]


def test_the_filters_cost_no_extra_query(alice, bob, carol):
    social.follow_create(follower=alice, target=bob)
    social.follow_create(follower=alice, target=carol)
    for i in range(3):
        posts.status_create(account=bob, text=f"bob {i}")
        posts.status_create(account=carol, text=f"carol {i}")

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            page = home_timeline(viewer=alice)
        return len(ctx.captured_queries), len(page)

    plain_queries, plain_len = cost()
    social.follow_update(follower=alice, target=carol, show_reblogs=False)
    social.mute_create(account=alice, target=make_user("dave"))
    social.block_create(account=make_user("erin"), target=alice)
    exclusive = lists.list_create(owner=alice, title="Bob", exclusive=True)
    lists.list_accounts_add(owner=alice, list_id=exclusive.pk, account_ids=[bob.pk])
    filtered_queries, filtered_len = cost()
    assert filtered_len == plain_len - 3
    assert filtered_queries == plain_queries
