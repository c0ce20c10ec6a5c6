"""Hybrid delivery: a celebrity's posts (an account with at least CELEBRITY_FOLLOWERS
followers) are not pushed to followers' homes but pulled when a home or a list is read, by
the rules fan-out applies, and merged with what was pushed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.posts import services as posts
from storefeed.social import services as social
from storefeed.timelines import lists
from storefeed.timelines import selectors as timeline_selectors
from storefeed.timelines.selectors import home_timeline
from storefeed.timelines.store import home_store
from tests.conftest import make_user

# Every test runs with each home timeline store.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_timeline_store")]


def ids(statuses):
    return [s.pk for s in statuses]


def held_by(status, *owners):
    return home_store().holding(status.pk, [o.pk for o in owners])


@pytest.fixture(autouse=True)
def _low_threshold(settings):
    settings.CELEBRITY_FOLLOWERS = 2


@pytest.fixture
def star(db):
    """A celebrity: followed by two fans (the threshold here)."""
    account = make_user("star")
    for name in ("fan1", "fan2"):
        social.follow_create(follower=make_user(name), target=account)
    return account


@pytest.fixture
def dave(db):
    return make_user("dave")


def test_a_celebrity_post_reaches_followers_by_pull_without_a_home_entry(alice, star):
    social.follow_create(follower=alice, target=star)
    status = posts.status_create(account=star, text="hello fans")
    assert ids(home_timeline(viewer=alice)) == [status.pk]
    # Nothing was written to any follower's home; the author's own home has it.
    fans = [alice, *type(alice).objects.filter(username__in=["fan1", "fan2"])]
    assert held_by(status, *fans) == set()
    assert held_by(status, star) == {star.pk}
    assert ids(home_timeline(viewer=star)) == [status.pk]


def test_an_ordinary_account_is_still_pushed(alice, bob):
    social.follow_create(follower=alice, target=bob)
    status = posts.status_create(account=bob, text="one follower")
    assert held_by(status, alice) == {alice.pk}


def test_paging_across_pushed_and_pulled_posts(alice, bob, star):
    social.follow_create(follower=alice, target=bob)
    social.follow_create(follower=alice, target=star)
    made = []
    for i in range(7):
        made.append(posts.status_create(account=star if i % 3 else bob, text=f"n{i}").pk)
    made.append(posts.status_create(account=alice, text="mine").pk)
    newest_first = made[::-1]
    assert ids(home_timeline(viewer=alice, limit=40)) == newest_first
    seen, max_id = [], None
    while page := ids(home_timeline(viewer=alice, limit=3, max_id=max_id)):
        seen += page
        max_id = page[-1]
    assert seen == newest_first
    # since_id: the newest `limit` above it; min_id: the `limit` just above it.
    assert ids(home_timeline(viewer=alice, limit=3, since_id=made[2])) == newest_first[:3]
    assert ids(home_timeline(viewer=alice, limit=3, min_id=made[2])) == [made[5], made[4], made[3]]
    assert ids(home_timeline(viewer=alice, limit=3, max_id=made[6], since_id=made[3])) == [
        made[5],
        made[4],
    ]


def test_page_costs_one_more_query_only_when_following_a_celebrity(
    alice, carol, bob, star, settings
):
    settings.CELEBRITY_FOLLOWERS = 3  # bob, with two followers, stays ordinary
    for reader in (alice, carol):
        social.follow_create(follower=reader, target=bob)
    social.follow_create(follower=alice, target=star)
    for i in range(4):
        posts.status_create(account=bob, text=f"bob {i}")
        posts.status_create(account=star, text=f"star {i}")

    def cost(reader, limit=4):
        with CaptureQueriesContext(connection) as ctx:
            page = home_timeline(viewer=reader, limit=limit)
            for status in page:
                _ = (status.account.name, status.media_list, status.viewer_favourited)
        return len(page), len(ctx.captured_queries)

    assert cost(alice) == (4, cost(carol)[1] + 1)
    assert cost(alice, limit=8) == (8, cost(alice)[1])


def test_no_pull_without_a_followed_celebrity(alice, bob, star, monkeypatch):
    social.follow_create(follower=alice, target=bob)
    posts.status_create(account=bob, text="bob")
    posts.status_create(account=star, text="not followed")

    def refuse(**_):
        raise AssertionError("pulled for a reader who follows no celebrity")

    monkeypatch.setattr(timeline_selectors, "pulled_ids", refuse)
    assert len(home_timeline(viewer=alice)) == 1


def test_mute_and_block_hide_pulled_posts_and_reposts(alice, bob, carol, star):
    social.follow_create(follower=alice, target=star)
    social.follow_create(follower=alice, target=bob)
    by_carol = posts.status_create(account=carol, text="carol")
    repost = posts.status_reblog(account=star, status_id=by_carol.pk)
    own = posts.status_create(account=star, text="star")
    assert ids(home_timeline(viewer=alice)) == [own.pk, repost.pk]
    social.mute_create(account=alice, target=carol)
    assert ids(home_timeline(viewer=alice)) == [own.pk]
    social.mute_delete(account=alice, target=carol)
    social.mute_create(account=alice, target=star)
    assert ids(home_timeline(viewer=alice)) == []
    social.mute_delete(account=alice, target=star)
    social.block_create(account=star, target=alice)
    assert ids(home_timeline(viewer=alice)) == []


def test_reblogs_off_hides_a_celebritys_reposts(alice, carol, star):
    social.follow_create(follower=alice, target=star, show_reblogs=False)
    by_carol = posts.status_create(account=carol, text="carol")
    posts.status_reblog(account=star, status_id=by_carol.pk)
    own = posts.status_create(account=star, text="star")
    assert ids(home_timeline(viewer=alice)) == [own.pk]
    social.follow_update(follower=alice, target=star, show_reblogs=True)
    assert len(home_timeline(viewer=alice)) == 2


def test_visibility_of_pulled_posts(alice, carol, star):
    social.follow_create(follower=alice, target=star)
    private = posts.status_create(account=star, text="fans only", visibility="private")
    unlisted = posts.status_create(account=star, text="quiet", visibility="unlisted")
    to_carol = posts.status_create(account=star, text="hi @carol", visibility="direct")
    to_alice = posts.status_create(account=star, text="hi @alice", visibility="direct")
    # The direct post to alice is pushed (mentioned accounts still are); the other is not hers.
    assert ids(home_timeline(viewer=alice)) == [to_alice.pk, unlisted.pk, private.pk]
    assert ids(home_timeline(viewer=carol)) == [to_carol.pk]


def test_replies_by_a_celebrity_follow_the_fan_out_rule(alice, bob, carol, dave, star):
    social.follow_create(follower=alice, target=star)
    social.follow_create(follower=alice, target=bob)
    thread = posts.status_create(account=star, text="1/2")
    to_self = posts.status_create(account=star, text="2/2", in_reply_to_id=thread.pk)
    to_followed = posts.status_create(
        account=star, text="hi bob", in_reply_to_id=posts.status_create(account=bob, text="b").pk
    )
    to_alice = posts.status_create(
        account=star,
        text="hi alice",
        in_reply_to_id=posts.status_create(account=alice, text="a").pk,
    )
    to_stranger = posts.status_create(
        account=star, text="hi dave", in_reply_to_id=posts.status_create(account=dave, text="d").pk
    )
    page = ids(home_timeline(viewer=alice, limit=40))
    for shown in (thread, to_self, to_followed, to_alice):
        assert shown.pk in page
    assert to_stranger.pk not in page
    # Following dave later shows the reply to him, as fan-out would have for a follower of both.
    social.follow_create(follower=alice, target=dave)
    assert to_stranger.pk in ids(home_timeline(viewer=alice, limit=40))


def test_crossing_the_threshold_either_way(alice, bob, carol):
    social.follow_create(follower=alice, target=bob)
    pushed = posts.status_create(account=bob, text="one follower: pushed")
    assert held_by(pushed, alice) == {alice.pk}
    social.follow_create(follower=carol, target=bob)  # two followers: a celebrity
    pulled = posts.status_create(account=bob, text="two followers: pulled")
    assert held_by(pulled, alice, carol) == set()
    # The pushed post is in alice's home and pulled too: shown once.
    assert ids(home_timeline(viewer=alice)) == [pulled.pk, pushed.pk]
    assert ids(home_timeline(viewer=carol)) == [pulled.pk, pushed.pk]
    social.follow_delete(follower=carol, target=bob)  # back to one: pushed again
    # The posts pulled meanwhile were pushed to the remaining followers.
    assert held_by(pulled, alice) == {alice.pk}
    later = posts.status_create(account=bob, text="pushed again")
    assert held_by(later, alice) == {alice.pk}
    assert ids(home_timeline(viewer=alice)) == [later.pk, pulled.pk, pushed.pk]
    assert ids(home_timeline(viewer=carol)) == []


def test_list_with_a_celebrity_member_shows_their_posts(alice, bob, dave, star):
    social.follow_create(follower=alice, target=star)
    social.follow_create(follower=alice, target=bob)
    social.follow_create(follower=alice, target=dave)
    item = lists.list_create(owner=alice, title="stars", replies_policy="list")
    lists.list_accounts_add(owner=alice, list_id=item.pk, account_ids=[star.pk, bob.pk])
    by_bob = posts.status_create(account=bob, text="bob")
    by_star = posts.status_create(account=star, text="star")
    posts.status_create(account=dave, text="not a member")
    reply_out = posts.status_create(
        account=star, text="hi dave", in_reply_to_id=posts.status_create(account=dave, text="d").pk
    )
    newest = posts.status_create(account=star, text="again")
    assert ids(lists.list_timeline(viewer=alice, list_id=item.pk)) == [
        newest.pk,
        by_star.pk,
        by_bob.pk,
    ]
    assert reply_out.pk in ids(home_timeline(viewer=alice))
    assert ids(lists.list_timeline(viewer=alice, list_id=item.pk, limit=1, max_id=newest.pk)) == [
        by_star.pk
    ]


def test_exclusive_list_keeps_a_celebrity_out_of_home(alice, star):
    social.follow_create(follower=alice, target=star)
    item = lists.list_create(owner=alice, title="stars", exclusive=True)
    lists.list_accounts_add(owner=alice, list_id=item.pk, account_ids=[star.pk])
    status = posts.status_create(account=star, text="star")
    assert ids(home_timeline(viewer=alice)) == []
    assert ids(lists.list_timeline(viewer=alice, list_id=item.pk)) == [status.pk]


def test_deleted_celebrity_post_leaves_home(alice, star):
    social.follow_create(follower=alice, target=star)
    status = posts.status_create(account=star, text="oops")
    posts.status_delete(account=star, status_id=status.pk)
    assert ids(home_timeline(viewer=alice)) == []
