"""The home timeline: who sees what, and what a page costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.posts import services as posts
from storefeed.social import services as social
from storefeed.timelines.selectors import home_timeline
from storefeed.timelines.store import home_store
from tests.conftest import make_user

# Every test runs with each home timeline store.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_timeline_store")]


def ids(statuses):
    return [s.pk for s in statuses]


def test_home_has_own_and_followed_posts_newest_first(alice, bob, carol):
    social.follow_create(follower=alice, target=bob)
    mine = posts.status_create(account=alice, text="mine")
    theirs = posts.status_create(account=bob, text="bob's")
    stranger = posts.status_create(account=carol, text="not followed")
    page = ids(home_timeline(viewer=alice))
    assert page == [theirs.pk, mine.pk]
    assert stranger.pk not in page


def test_follow_backfills_and_unfollow_removes(alice, bob):
    older = posts.status_create(account=bob, text="before the follow")
    social.follow_create(follower=alice, target=bob)
    assert ids(home_timeline(viewer=alice)) == [older.pk]
    social.follow_delete(follower=alice, target=bob)
    assert ids(home_timeline(viewer=alice)) == []


def test_visibility_in_home(alice, bob, carol):
    social.follow_create(follower=alice, target=bob)
    private = posts.status_create(account=bob, text="fans", visibility="private")
    direct_to_carol = posts.status_create(account=bob, text="hi @carol", visibility="direct")
    assert ids(home_timeline(viewer=alice)) == [private.pk]
    assert ids(home_timeline(viewer=carol)) == [direct_to_carol.pk]


def test_reposts_reach_followers_and_replies_only_shared_followers(alice, bob, carol):
    social.follow_create(follower=alice, target=bob)
    original = posts.status_create(account=carol, text="carol's")
    reblog = posts.status_reblog(account=bob, status_id=original.pk)
    reply_to_carol = posts.status_create(account=bob, text="nice", in_reply_to_id=original.pk)
    page = home_timeline(viewer=alice)
    assert ids(page) == [reblog.pk]
    assert page[0].reblog_of.pk == original.pk
    social.follow_create(follower=alice, target=carol)
    later = posts.status_create(account=bob, text="again", in_reply_to_id=original.pk)
    assert later.pk in ids(home_timeline(viewer=alice))
    assert reply_to_carol.pk not in ids(home_timeline(viewer=alice))


def test_block_and_mute_hide_posts_and_reposts(alice, bob, carol):
    social.follow_create(follower=alice, target=bob)
    social.follow_create(follower=alice, target=carol)
    by_carol = posts.status_create(account=carol, text="carol")
    reblog = posts.status_reblog(account=bob, status_id=by_carol.pk)
    own = posts.status_create(account=bob, text="bob")
    social.mute_create(account=alice, target=carol)
    assert ids(home_timeline(viewer=alice)) == [own.pk]
    social.mute_delete(account=alice, target=carol)
    social.block_create(account=alice, target=bob)
    assert reblog.pk not in ids(home_timeline(viewer=alice))
    assert own.pk not in ids(home_timeline(viewer=alice))


def test_deleted_posts_leave_home(alice, bob):
    social.follow_create(follower=alice, target=bob)
    status = posts.status_create(account=bob, text="oops")
    posts.status_delete(account=bob, status_id=status.pk)
    assert ids(home_timeline(viewer=alice)) == []


def test_deleting_takes_posts_out_of_every_home_that_holds_them(alice, bob, carol):
    # Asked of the store itself: a page would hide a deleted status anyway.
    social.follow_create(follower=alice, target=bob)
    social.follow_create(follower=carol, target=alice)
    original = posts.status_create(account=bob, text="bob's")
    repost = posts.status_reblog(account=alice, status_id=original.pk)
    direct = posts.status_create(account=bob, text="psst @carol", visibility="direct")
    unreposted = posts.status_reblog(
        account=alice, status_id=posts.status_create(account=bob, text="b").pk
    )
    everyone = [alice.pk, bob.pk, carol.pk]
    store = home_store()
    assert store.holding(original.pk, everyone) == {alice.pk, bob.pk}
    assert store.holding(repost.pk, everyone) == {alice.pk, carol.pk}
    assert store.holding(direct.pk, everyone) == {bob.pk, carol.pk}
    assert store.holding(unreposted.pk, everyone) == {alice.pk, carol.pk}
    posts.status_delete(account=bob, status_id=original.pk)  # its repost goes with it
    posts.status_delete(account=bob, status_id=direct.pk)
    posts.status_unreblog(account=alice, status_id=unreposted.reblog_of.pk)
    for status in (original, repost, direct, unreposted):
        assert store.holding(status.pk, everyone) == set()


def test_cursor_pagination(alice):
    made = [posts.status_create(account=alice, text=f"n{i}").pk for i in range(5)]
    first = ids(home_timeline(viewer=alice, limit=2))
    assert first == made[::-1][:2]
    second = ids(home_timeline(viewer=alice, limit=2, max_id=first[-1]))
    assert second == made[::-1][2:4]
    newer = ids(home_timeline(viewer=alice, limit=2, min_id=made[0]))
    assert newer == [made[2], made[1]]


def _fill_home(viewer, count, make_image):
    authors = [make_user(f"author{i}") for i in range(3)]
    for author in authors:
        social.follow_create(follower=viewer, target=author)
    for i in range(count):
        author = authors[i % 3]
        media = [posts.media_create(account=author, file=make_image()).pk for _ in range(2)]
        status = posts.status_create(
            account=author, text=f"post {i} @{viewer.username} #tag{i}", media_ids=media
        )
        posts.status_favourite(account=viewer, status_id=status.pk)
        if i % 2:
            posts.status_reblog(account=authors[(i + 1) % 3], status_id=status.pk)
        if i % 3 == 0:
            quoted = posts.status_create(account=author, text="quote", quote_of_id=status.pk)
            posts.status_bookmark(account=viewer, status_id=quoted.pk)


def test_home_page_queries_do_not_grow_with_page_size(alice, make_image):
    _fill_home(alice, 24, make_image)

    def cost(limit):
        with CaptureQueriesContext(connection) as ctx:
            page = home_timeline(viewer=alice, limit=limit)
            for status in page:  # touch what a page renders
                shown = status.reblog_of or status
                _ = (shown.account.name, shown.media_list, shown.viewer_favourited)
                _ = shown.quote_of.account.name if shown.quote_of else None
        return len(page), len(ctx.captured_queries)

    small_n, small_q = cost(3)
    big_n, big_q = cost(30)
    assert big_n > small_n * 5
    assert big_q == small_q, f"{small_q} queries for {small_n} posts, {big_q} for {big_n}"


def test_repost_of_a_post_already_in_home_is_not_repeated(alice, bob, carol):
    social.follow_create(follower=alice, target=bob)
    social.follow_create(follower=alice, target=carol)
    original = posts.status_create(account=carol, text="carol's")
    posts.status_reblog(account=bob, status_id=original.pk)
    assert ids(home_timeline(viewer=alice)) == [original.pk]
