"""Routing (streaming/route.py): who receives what, by the timelines' own rules, checked on the
router directly with readers as the hub would hand them over (tasks run inline here, so
fan-out has happened when status_create returns)."""

import json

import pytest

from storefeed.posts import services as posts
from storefeed.social import services as social
from storefeed.streaming.route import Reader, Stream, route
from storefeed.timelines import lists
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def reader(key: int, user=None, *streams: Stream) -> Reader:
    return Reader(key, user, "en", "http://testserver", frozenset(streams or [Stream("user")]))


def sent(deliveries, key: int, event: str) -> list:
    return [
        json.loads(d.payload) if event != "delete" else d.payload
        for d in deliveries
        if d.key == key and d.event == event
    ]


def ids(payloads) -> list[str]:
    return [p["id"] for p in payloads]


def test_home_stream_follows_the_home_rules(alice, bob, carol):
    dave = make_user("dave")
    for follower in (alice, carol, dave):
        social.follow_create(follower=follower, target=bob)
    social.mute_create(account=carol, target=bob)
    social.follow_update(follower=dave, target=bob, show_reblogs=False)
    stranger = make_user("stranger")
    post = posts.status_create(account=bob, text="New tea")
    repost = posts.status_reblog(account=bob, status_id=make_post(stranger).pk)
    readers = [reader(1, alice), reader(2, carol), reader(3, dave), reader(4, stranger)]
    events = [{"kind": "home", "id": post.pk}, {"kind": "home", "id": repost.pk}]
    out = route(events, readers, {})
    assert ids(sent(out, 1, "update")) == [str(post.pk), str(repost.pk)]
    assert sent(out, 1, "update")[0]["favourited"] is False  # rendered for the reader
    assert sent(out, 2, "update") == []  # muted
    assert ids(sent(out, 3, "update")) == [str(post.pk)]  # reblogs off
    assert sent(out, 4, "update") == []  # not a follower


def make_post(account, **fields):
    return posts.status_create(account=account, **{"text": "Hello", **fields})


def test_public_and_hashtag_streams(alice, bob, carol):
    social.block_create(account=carol, target=bob)
    public = make_post(bob, text="Fresh #Oolong")
    unlisted = make_post(bob, visibility="unlisted")
    reply = make_post(bob, in_reply_to_id=make_post(alice).pk)
    readers = [
        reader(1, None, Stream("public")),
        reader(2, carol, Stream("public")),
        reader(3, None, Stream("hashtag", tag="oolong")),
        reader(4, None, Stream("hashtag", tag="matcha")),
    ]
    events = [{"kind": "status.created", "id": s.pk} for s in (public, unlisted, reply)]
    out = route(events, readers, {})
    assert ids(sent(out, 1, "update")) == [str(public.pk)]
    assert sent(out, 2, "update") == []  # blocked
    assert ids(sent(out, 3, "update")) == [str(public.pk)]
    assert [d.stream for d in out if d.key == 3] == [["hashtag", "oolong"]]
    assert sent(out, 4, "update") == []


def test_list_stream_shows_its_members_only(alice, bob, carol):
    for target in (bob, carol):
        social.follow_create(follower=alice, target=target)
    tea = lists.list_create(owner=alice, title="Tea people")
    lists.list_accounts_add(owner=alice, list_id=tea.pk, account_ids=[bob.pk])
    by_bob, by_carol = make_post(bob), make_post(carol)
    readers = [reader(1, alice, Stream("list", list_id=tea.pk))]
    out = route([{"kind": "home", "id": s.pk} for s in (by_bob, by_carol)], readers, {})
    assert ids(sent(out, 1, "update")) == [str(by_bob.pk)]
    assert out[0].stream == ["list", str(tea.pk)]


def test_direct_posts_are_conversations_for_their_people_only(alice, bob, carol):
    secret = make_post(alice, text="@bob the usual?", visibility="direct")
    readers = [reader(1, bob, Stream("direct")), reader(2, carol, Stream("direct"))]
    out = route([{"kind": "status.created", "id": secret.pk}], readers, {})
    (conversation,) = sent(out, 1, "conversation")
    assert conversation["unread"] is True
    assert conversation["last_status"]["id"] == str(secret.pk)
    assert [a["username"] for a in conversation["accounts"]] == ["alice"]
    assert sent(out, 2, "conversation") == []


def test_notifications_are_sent_once(alice, bob):
    post = make_post(alice)
    notified: dict[int, int] = {alice.pk: 0}
    readers = [reader(1, alice, Stream("user:notification"))]
    posts.status_favourite(account=bob, status_id=post.pk)
    out = route([{"kind": "notification", "recipients": [alice.pk]}], readers, notified)
    (note,) = sent(out, 1, "notification")
    assert note["type"] == "favourite" and note["account"]["username"] == "bob"
    assert route([{"kind": "notification", "recipients": [alice.pk]}], readers, notified) == []


def test_deletes_reach_every_status_stream(alice):
    readers = [
        reader(1, alice),
        reader(2, None, Stream("public")),
        reader(3, None, Stream("storefeed:products")),
    ]
    out = route([{"kind": "status.deleted", "ids": [5, 6]}], readers, {})
    assert sent(out, 1, "delete") == ["5", "6"] and sent(out, 2, "delete") == ["5", "6"]
    assert sent(out, 3, "delete") == []


def test_bad_events_are_ignored(alice):
    assert route([{"kind": "nonsense"}, {"no": "kind"}], [reader(1, alice)], {}) == []


@pytest.mark.commerce
def test_a_product_change_goes_to_its_windows(alice):
    from storefeed.catalog import services as catalog
    from tests.streaming_process import make_shop

    _staff, seller, product, post = make_shop(stock=3)
    catalog.product_restock(account=seller, product_id=product.pk, quantity=50)
    readers = [
        reader(1, None, Stream("storefeed:products")),
        reader(2, None, Stream("public")),
        reader(3, None, Stream("hashtag", tag="tea")),
    ]
    out = route([{"kind": "product", "ids": [product.pk]}], readers, {})
    (card,) = sent(out, 1, "storefeed.product")
    assert (card["id"], card["stock"], card["state"]) == (str(product.pk), 53, "53 left")
    assert card["available"] is True and card["price_text"] == "¥88.00"
    assert card["status_ids"] == [str(post.pk)]
    assert sent(out, 1, "status.update") == []  # the products stream carries cards only
    (updated,) = sent(out, 2, "status.update")
    assert updated["id"] == str(post.pk)
    assert updated["products"][0]["stock"] == 53
    assert [d for d in out if d.key == 3] == []


def test_a_full_window_is_checked_id_by_id():
    """Between a window's ids the timeline may hold more posts than a page: then each id is
    asked alone, so none is missed."""
    from storefeed.streaming.route import MAX_PAGE, _shown

    timeline = list(range(1000, 1200))  # every id in range is in the timeline
    calls = []

    def page(*, max_id, since_id, limit):
        calls.append(limit)
        return [i for i in reversed(timeline) if since_id < i < max_id][:limit]

    assert _shown([1000, 1100, 1150], page) == {1000, 1100, 1150}
    assert calls == [MAX_PAGE, 1, 1, 1]
    calls.clear()
    assert _shown([1001, 1003], page) == {1001, 1003}
    assert calls == [MAX_PAGE]
