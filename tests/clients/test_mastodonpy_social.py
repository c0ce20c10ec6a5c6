"""Mastodon.py against `storefeed serve`: what people do all day. Following a locked account and
having the request approved, posting with images and a poll, voting, liking, reposting,
replying, bookmarking, the notifications that follow, the home, public, tag and list
timelines, and paging through them with the Link headers."""

import pytest
from mastodon import MastodonAPIError

from storefeed.posts.models import MediaAttachment, PollVote, Status
from tests.clients.conftest import settle


@pytest.fixture
def alice_api(masto_for, alice):
    return masto_for(alice)


@pytest.fixture
def bob_api(masto_for, bob):
    return masto_for(bob)


@pytest.fixture
def carol_api(masto_for, carol):
    return masto_for(carol)


def test_follow_a_locked_account_and_have_the_request_approved(alice_api, bob_api, carol_api):
    bob_me = bob_api.account_update_credentials(locked=True, note="Ask first.")
    assert bob_me.locked is True
    alice_me = alice_api.me()

    rel = alice_api.account_follow(bob_me.id)
    assert (rel.following, rel.requested) == (False, True)
    assert alice_api.account_relationships(bob_me.id)[0].requested is True

    requests_ = bob_api.follow_requests()
    assert [a.acct for a in requests_] == ["alice"]
    notes = bob_api.notifications(types=["follow_request"])
    assert [(n.type, n.account.acct) for n in notes] == [("follow_request", "alice")]

    # Carol also asks; Bob rejects her and approves Alice.
    carol_api.account_follow(bob_me.id)
    bob_api.follow_request_reject(carol_api.me().id)
    rel = bob_api.follow_request_authorize(alice_me.id)
    assert rel.followed_by is True
    assert bob_api.follow_requests() == []

    alice_rel = alice_api.account_relationships(bob_me.id)[0]
    assert (alice_rel.following, alice_rel.requested) == (True, False)
    carol_rel = carol_api.account_relationships(bob_me.id)[0]
    assert (carol_rel.following, carol_rel.requested) == (False, False)
    assert [a.acct for a in bob_api.account_followers(bob_me.id)] == ["alice"]
    assert [a.acct for a in alice_api.account_following(alice_me.id)] == ["bob"]

    # Now the followers-only post reaches Alice's home, and not Carol's.
    private = bob_api.status_post("For my fans only", visibility="private")
    settle()  # the worker delivers it to the followers' home timelines
    assert [s.id for s in alice_api.timeline_home()] == [private.id]
    assert alice_api.status(private.id).visibility == "private"
    assert carol_api.timeline_home() == []


def test_post_with_two_images(alice_api, bob_api, png_file):
    first = alice_api.media_post(
        png_file("shade-1.png", (200, 30, 60)), mime_type="image/png", description="Ruby red"
    )
    second = alice_api.media_post(
        str(png_file("shade-2.png", (230, 150, 140))), description="Nude", focus=(0.5, -0.25)
    )
    assert first.type == "image"
    assert first.meta.original.width == 96
    assert first.meta.original.height == 64
    assert second.description == "Nude"
    assert first.url.startswith(alice_api.api_base_url)

    posted = alice_api.status_post(
        "Two new shades #lipstick", media_ids=[first, second], sensitive=False
    )
    assert [m.id for m in posted.media_attachments] == [first.id, second.id]
    assert [m.description for m in posted.media_attachments] == ["Ruby red", "Nude"]
    assert [t.name for t in posted.tags] == ["lipstick"]

    seen = bob_api.status(posted.id)
    assert len(seen.media_attachments) == 2
    assert alice_api.media(first.id).description == "Ruby red"
    alice_api.media_update(first.id, description="Ruby red, matte")
    assert alice_api.status(posted.id).media_attachments[0].description == "Ruby red, matte"
    assert MediaAttachment.objects.filter(status_id=int(posted.id)).count() == 2

    only_media = bob_api.account_statuses(alice_api.me().id, only_media=True)
    assert [s.id for s in only_media] == [posted.id]


def test_post_a_poll_and_vote(alice_api, bob_api, carol_api):
    poll = alice_api.make_poll(["Ruby", "Nude", "Coral"], expires_in=3600)
    posted = alice_api.status_post("Which shade next?", poll=poll)
    assert [o.title for o in posted.poll.options] == ["Ruby", "Nude", "Coral"]
    assert posted.poll.expired is False
    assert posted.poll.multiple is False

    voted = bob_api.poll_vote(posted.poll.id, [1])
    assert voted.voted is True
    assert voted.own_votes == [1]
    assert voted.votes_count == 1
    carol_api.poll_vote(posted.poll, 1)
    results = alice_api.poll(posted.poll.id)
    assert [o.votes_count for o in results.options] == [0, 2, 0]

    # One vote per account, and only for options that exist.
    with pytest.raises(MastodonAPIError) as twice:
        bob_api.poll_vote(posted.poll.id, [0])
    assert twice.value.args[1] == 422
    with pytest.raises(MastodonAPIError) as missing:
        alice_api.poll_vote(posted.poll.id, [7])
    assert missing.value.args[1] == 422
    assert PollVote.objects.count() == 2

    multi = alice_api.status_post(
        "Pick any", poll=alice_api.make_poll(["A", "B", "C"], expires_in=600, multiple=True)
    )
    assert bob_api.poll_vote(multi.poll.id, [0, 2]).own_votes == [0, 2]


def test_like_repost_reply_bookmark_and_the_notifications(alice_api, bob_api, carol_api):
    bob_api.account_follow(alice_api.me().id)
    post = alice_api.status_post("New lipstick in stock #lipstick")

    liked = bob_api.status_favourite(post.id)
    assert liked.favourited is True
    assert liked.favourites_count == 1
    reblog = bob_api.status_reblog(post.id)
    assert reblog.reblog.id == post.id
    assert reblog.reblog.reblogged is True
    reply = carol_api.status_post("@alice which shades?", in_reply_to_id=post.id)
    assert reply.in_reply_to_id == post.id
    assert reply.in_reply_to_account_id == alice_api.me().id
    assert [m.acct for m in reply.mentions] == ["alice"]
    bookmarked = carol_api.status_bookmark(post.id)
    assert bookmarked.bookmarked is True

    again = alice_api.status(post.id)
    assert (again.favourites_count, again.reblogs_count, again.replies_count) == (1, 1, 1)
    assert [a.acct for a in alice_api.status_favourited_by(post.id)] == ["bob"]
    assert [a.acct for a in alice_api.status_reblogged_by(post.id)] == ["bob"]
    context = alice_api.status_context(post.id)
    assert context.ancestors == []
    assert [s.id for s in context.descendants] == [reply.id]
    assert [s.id for s in carol_api.bookmarks()] == [post.id]
    assert [s.id for s in bob_api.favourites()] == [post.id]

    notes = alice_api.notifications()
    assert [(n.type, n.account.acct) for n in notes] == [
        ("mention", "carol"),
        ("reblog", "bob"),
        ("favourite", "bob"),
        ("follow", "bob"),
    ]
    assert notes[0].status.id == reply.id
    assert notes[1].status.id == post.id
    assert [n.type for n in alice_api.notifications(exclude_types=["follow", "mention"])] == [
        "reblog",
        "favourite",
    ]
    one = alice_api.notifications(id=notes[2].id)
    assert one.type == "favourite"
    alice_api.notifications_dismiss(notes[3].id)
    assert len(alice_api.notifications()) == 3
    alice_api.notifications_clear()
    assert alice_api.notifications() == []

    # Undo them all.
    assert bob_api.status_unfavourite(post.id).favourited is False
    assert bob_api.status_unreblog(post.id).reblogged is False
    assert carol_api.status_unbookmark(post.id).bookmarked is False
    assert carol_api.bookmarks() == []
    gone = carol_api.status_delete(reply.id)
    assert gone.text == "@alice which shades?"
    after = alice_api.status(post.id)
    assert (after.favourites_count, after.reblogs_count, after.replies_count) == (0, 0, 0)


def test_home_public_tag_and_list_timelines(alice_api, bob_api, carol_api, client_app):
    alice_me = alice_api.me()
    bob_id = bob_api.me().id
    carol_id = carol_api.me().id
    alice_api.account_follow(bob_id)
    alice_api.account_follow(carol_id)

    by_bob = bob_api.status_post("Bob's #lipstick review")
    by_carol = carol_api.status_post("Carol on #skincare")
    unlisted = carol_api.status_post("Quiet one #lipstick", visibility="unlisted")
    own = alice_api.status_post("Alice says hi")
    settle()

    home = alice_api.timeline_home()
    assert [s.id for s in home] == [own.id, unlisted.id, by_carol.id, by_bob.id]

    anonymous = client_app.client()  # no token: the public timeline is open to all
    public = anonymous.timeline_public()
    assert [s.id for s in public] == [own.id, by_carol.id, by_bob.id]
    assert [s.id for s in alice_api.timeline_public(local=True)] == [s.id for s in public]

    tagged = alice_api.timeline_hashtag("lipstick")
    assert [s.id for s in tagged] == [by_bob.id]
    assert [s.id for s in anonymous.timeline_hashtag("LIPSTICK")] == [by_bob.id]
    assert alice_api.timeline_hashtag("nothing-here") == []

    shades = alice_api.list_create("Shades")
    assert shades.title == "Shades"
    alice_api.list_accounts_add(shades.id, [bob_id])
    assert [a.acct for a in alice_api.list_accounts(shades.id)] == ["bob"]
    assert [lst.title for lst in alice_api.lists()] == ["Shades"]
    assert [lst.id for lst in alice_api.account_lists(bob_id)] == [shades.id]
    assert [s.id for s in alice_api.timeline_list(shades.id)] == [by_bob.id]
    later = bob_api.status_post("Bob again")
    settle()
    assert [s.id for s in alice_api.timeline_list(shades.id)] == [later.id, by_bob.id]

    renamed = alice_api.list_update(shades.id, title="Favourite shades")
    assert renamed.title == "Favourite shades"
    alice_api.list_accounts_delete(shades.id, [bob_id])
    assert alice_api.timeline_list(shades.id) == []
    alice_api.list_delete(shades.id)
    assert alice_api.lists() == []
    del alice_me


def test_paging_through_link_headers(alice_api, bob_api):
    alice_id = alice_api.me().id
    bob_api.account_follow(alice_id)
    posts = [alice_api.status_post(f"Post number {n}") for n in range(7)]
    newest_first = [p.id for p in reversed(posts)]
    settle()

    first = bob_api.timeline_home(limit=3)
    assert [s.id for s in first] == newest_first[:3]
    second = bob_api.fetch_next(first)
    assert [s.id for s in second] == newest_first[3:6]
    third = bob_api.fetch_next(second)
    assert [s.id for s in third] == newest_first[6:]
    assert bob_api.fetch_next(third) in (None, [])
    back = bob_api.fetch_previous(second)
    assert [s.id for s in back] == newest_first[:3]

    everything = bob_api.fetch_remaining(bob_api.account_statuses(alice_id, limit=2))
    assert [s.id for s in everything] == newest_first

    # since_id / min_id: newer than a given post, from either end.
    assert [s.id for s in bob_api.timeline_home(since_id=posts[4].id)] == newest_first[:2]
    assert [s.id for s in bob_api.timeline_home(min_id=posts[2].id, limit=2)] == [
        posts[4].id,
        posts[3].id,
    ]

    # Notifications page the same way.
    for post in posts:
        bob_api.status_favourite(post.id)
    page = alice_api.notifications(limit=4)
    assert len(page) == 4
    rest = alice_api.fetch_remaining(page)
    assert [n.type for n in rest] == ["favourite"] * 7 + ["follow"]
    assert len({n.id for n in rest}) == 8
    assert Status.objects.filter(account__username="alice").count() == 7
