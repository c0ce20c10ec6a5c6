"""The streams apply the reader's filters as the timelines do; `filters_changed` tells the
reader's `user` streams when their filters change; `conversation` carries the reader's
conversation as GET /api/v1/conversations gives it."""

import json

import pytest

from storefeed.conversations.models import AccountConversation
from storefeed.core import events
from storefeed.filters import services as filters
from storefeed.posts import services as posts
from storefeed.social import services as social
from storefeed.streaming.route import Reader, Stream, route

pytestmark = pytest.mark.django_db


def reader(key, user, *streams):
    return Reader(key, user, "en", "http://testserver", frozenset(streams or [Stream("user")]))


def payloads(out, key, event):
    return [json.loads(d.payload) for d in out if d.key == key and d.event == event]


def test_filters_apply_to_home_and_public_streams(alice, bob, carol):
    for follower in (alice, carol):
        social.follow_create(follower=follower, target=bob)
    filters.filter_create(
        account=alice, title="tea", context=["home"], action="warn",
        keywords=[filters.KeywordChange(keyword="matcha")],
    )  # fmt: skip
    filters.filter_create(
        account=carol, title="tea", context=["home", "public"], action="hide",
        keywords=[filters.KeywordChange(keyword="matcha")],
    )  # fmt: skip
    post = posts.status_create(account=bob, text="matcha time")
    readers = [
        reader(1, alice, Stream("user"), Stream("public")),
        reader(2, carol, Stream("user"), Stream("public")),
    ]
    out = route(
        [{"kind": "home", "id": post.pk}, {"kind": "status.created", "id": post.pk}], readers, {}
    )
    [home_entity] = [d for d in out if d.key == 1 and d.stream == ["user"]]
    [public_entity] = [d for d in out if d.key == 1 and d.stream == ["public"]]
    assert json.loads(home_entity.payload)["filtered"][0]["filter"]["title"] == "tea"
    assert json.loads(public_entity.payload)["filtered"] == []  # alice filters home only
    assert payloads(out, 2, "update") == []  # hidden on both for carol


def test_filters_changed_goes_to_the_owners_user_streams(
    alice, bob, django_capture_on_commit_callbacks, settings
):
    settings.STREAMING_EVENTS = True
    sent = []
    original = events.send
    events.send = lambda body: sent.append(json.loads(body))  # type: ignore[assignment]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            filters.filter_create(account=alice, title="x", context=["home"])
    finally:
        events.send = original  # type: ignore[assignment]
    assert {"kind": "filters_changed", "account": alice.pk} in sent
    readers = [
        reader(1, alice, Stream("user"), Stream("public")),
        reader(2, alice, Stream("user:notification")),
        reader(3, bob),
    ]
    out = route([{"kind": "filters_changed", "account": alice.pk}], readers, {})
    assert [(d.key, d.stream, d.event, d.payload) for d in out] == [
        (1, ["user"], "filters_changed", None)
    ]


def test_conversation_event_is_the_readers_conversation(alice, bob):
    first = posts.status_create(account=alice, text="@bob psst", visibility="direct")
    out = route(
        [{"kind": "status.created", "id": first.pk}],
        [reader(1, bob, Stream("direct")), reader(2, alice, Stream("direct"))],
        {},
    )
    [theirs] = payloads(out, 1, "conversation")
    [mine] = payloads(out, 2, "conversation")
    assert theirs["id"] == str(AccountConversation.objects.get(account=bob).pk)
    assert theirs["unread"] is True and mine["unread"] is False
    assert [a["username"] for a in theirs["accounts"]] == ["alice"]
    assert theirs["last_status"]["id"] == str(first.pk)
