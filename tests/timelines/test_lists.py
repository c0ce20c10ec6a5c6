"""List timelines: replies as the list's `replies_policy` says, and `exclusive` lists keeping
their members out of the home (Mastodon's rules)."""

import pytest

from storefeed.posts import services as posts
from storefeed.social import services as social
from storefeed.timelines import lists
from storefeed.timelines.selectors import home_timeline
from tests.conftest import make_user

# Every test runs with each home timeline store.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_timeline_store")]


def ids(statuses):
    return {s.pk for s in statuses}


@pytest.fixture
def thread(alice, bob, carol):
    """alice follows bob, carol and dave; her list holds bob and carol. bob posts, answers
    himself, carol (a member), dave (followed, not a member), alice (the owner) and erin
    (not followed). Returns the list and the posts by name."""
    dave, erin = make_user("dave"), make_user("erin")
    for target in (bob, carol, dave):
        social.follow_create(follower=alice, target=target)
    item = lists.list_create(owner=alice, title="Friends")
    lists.list_accounts_add(owner=alice, list_id=item.pk, account_ids=[bob.pk, carol.pk])

    def reply(to):
        parent = posts.status_create(account=to, text="parent")
        return posts.status_create(account=bob, text="answer", in_reply_to_id=parent.pk).pk

    made = {"post": posts.status_create(account=bob, text="hello").pk}
    made["self"] = posts.status_create(account=bob, text="more", in_reply_to_id=made["post"]).pk
    made |= {
        "to_member": reply(carol),
        "to_followed": reply(dave),
        "to_owner": reply(alice),
        "to_stranger": reply(erin),
    }
    return item, made


@pytest.mark.parametrize(
    ("policy", "shown"),
    [
        ("followed", {"post", "self", "to_member", "to_followed", "to_owner"}),
        ("list", {"post", "self", "to_member", "to_owner"}),
        ("none", {"post", "self", "to_owner"}),
    ],
)
def test_replies_policy(alice, thread, policy, shown):
    item, made = thread
    lists.list_update(owner=alice, list_id=item.pk, replies_policy=policy)
    listed = ids(lists.list_timeline(viewer=alice, list_id=item.pk, limit=40))
    assert {name for name, pk in made.items() if pk in listed} == shown
    # Besides bob's: carol's post that he answered (she is a member too), nothing else.
    assert len(listed) == len(shown) + 1


def test_a_reply_to_the_owner_reaches_the_owners_home(alice, thread):
    _item, made = thread
    home = ids(home_timeline(viewer=alice, limit=40))
    assert made["to_owner"] in home
    assert made["to_stranger"] not in home


def test_an_exclusive_list_keeps_its_members_out_of_home(alice, bob, carol):
    social.follow_create(follower=alice, target=bob)
    social.follow_create(follower=alice, target=carol)
    item = lists.list_create(owner=alice, title="Bob only", exclusive=True)
    lists.list_accounts_add(owner=alice, list_id=item.pk, account_ids=[bob.pk])
    by_bob = posts.status_create(account=bob, text="bob")
    by_carol = posts.status_create(account=carol, text="carol")
    assert ids(home_timeline(viewer=alice)) == {by_carol.pk}
    assert ids(lists.list_timeline(viewer=alice, list_id=item.pk)) == {by_bob.pk}
    # Someone else's repost of a member's post is not the member's, so the home shows it.
    reblog = posts.status_reblog(account=carol, status_id=by_bob.pk)
    assert ids(home_timeline(viewer=alice)) == {by_carol.pk, reblog.pk}
    # Exclusive no more: the member's posts come back, none were lost.
    lists.list_update(owner=alice, list_id=item.pk, exclusive=False)
    assert ids(home_timeline(viewer=alice)) == {by_bob.pk, by_carol.pk, reblog.pk}


def test_an_ordinary_list_leaves_the_home_alone(alice, bob):
    social.follow_create(follower=alice, target=bob)
    item = lists.list_create(owner=alice, title="Bob")
    lists.list_accounts_add(owner=alice, list_id=item.pk, account_ids=[bob.pk])
    by_bob = posts.status_create(account=bob, text="bob")
    assert ids(home_timeline(viewer=alice)) == {by_bob.pk}
    assert ids(lists.list_timeline(viewer=alice, list_id=item.pk)) == {by_bob.pk}


def test_a_list_leaves_out_reposts_of_accounts_followed_with_reblogs_off(alice, bob, carol):
    social.follow_create(follower=alice, target=bob)
    item = lists.list_create(owner=alice, title="Bob")
    lists.list_accounts_add(owner=alice, list_id=item.pk, account_ids=[bob.pk])
    reblog = posts.status_reblog(
        account=bob, status_id=posts.status_create(account=carol, text="x").pk
    )
    assert ids(lists.list_timeline(viewer=alice, list_id=item.pk)) == {reblog.pk}
    social.follow_update(follower=alice, target=bob, show_reblogs=False)
    assert ids(lists.list_timeline(viewer=alice, list_id=item.pk)) == set()


def test_unfollowing_or_blocking_takes_the_account_off_ones_lists(alice, bob, carol):
    for target in (bob, carol):
        social.follow_create(follower=alice, target=target)
    social.follow_create(follower=bob, target=alice)
    mine = lists.list_create(owner=alice, title="Friends")
    lists.list_accounts_add(owner=alice, list_id=mine.pk, account_ids=[bob.pk, carol.pk])
    his = lists.list_create(owner=bob, title="Mine")
    lists.list_accounts_add(owner=bob, list_id=his.pk, account_ids=[alice.pk])

    social.follow_delete(follower=alice, target=carol)
    assert [a.username for a in lists.list_members(owner=alice, list_id=mine.pk)] == ["bob"]

    social.block_create(account=alice, target=bob)  # ends the follows both ways
    assert lists.list_members(owner=alice, list_id=mine.pk) == []
    assert lists.list_members(owner=bob, list_id=his.pk) == []
