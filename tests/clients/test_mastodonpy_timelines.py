"""Mastodon.py against `storefeed serve`: the timelines' parameters (public local, remote and
only_media; tag with any, all and none), bookmarks and favourites paged by their own cursors,
notifications filtered by account and type, and search v2 for accounts, statuses and hashtags."""

import pytest
from mastodon import MastodonNotFoundError

from storefeed.notifications.models import Notification
from tests.clients.conftest import mastodon_for
from tests.clients.wire import wire


def test_public_and_tag_timeline_parameters(masto_for, alice, bob, png_file, base_url):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    photo = alice_api.media_post(png_file(), description="Swatch")
    red = alice_api.status_post("Red #lipstick #matte", media_ids=[photo])
    nude = bob_api.status_post("Nude #lipstick #gloss")
    serum = bob_api.status_post("Serum #skincare")
    both = alice_api.status_post("Routine #skincare #lipstick #gloss")
    alice_api.status_post("Quiet #lipstick", visibility="unlisted")

    anonymous = mastodon_for(base_url)
    newest_first = [both.id, serum.id, nude.id, red.id]
    assert [s.id for s in anonymous.timeline_public()] == newest_first
    assert [s.id for s in anonymous.timeline_local()] == newest_first
    assert [s.id for s in alice_api.timeline_public(local=True)] == newest_first
    assert alice_api.timeline_public(remote=True) == []  # one server: nothing is remote
    assert [s.id for s in anonymous.timeline_public(only_media=True)] == [red.id]
    assert [s.id for s in anonymous.timeline_hashtag("lipstick", local=True)] == [
        both.id,
        nude.id,
        red.id,
    ]
    assert [s.id for s in anonymous.timeline_hashtag("lipstick", only_media=True)] == [red.id]
    assert anonymous.timeline_hashtag("lipstick", remote=True) == []

    def tag(name: str, **params: list[str]) -> list[str]:
        query = [(f"{key}[]", value) for key, values in params.items() for value in values]
        # Mastodon.py's timeline_hashtag does not send any[], all[] or none[].
        response = wire(alice_api, "GET", f"/api/v1/timelines/tag/{name}", params=query)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()]

    ids = {
        k: str(v.id) for k, v in {"red": red, "nude": nude, "serum": serum, "both": both}.items()
    }
    assert tag("matte", any=["skincare"]) == [ids["both"], ids["serum"], ids["red"]]
    assert tag("lipstick", all=["gloss"]) == [ids["both"], ids["nude"]]
    assert tag("lipstick", all=["gloss", "skincare"]) == [ids["both"]]
    assert tag("lipstick", none=["gloss"]) == [ids["red"]]
    assert tag("lipstick", any=["skincare"], none=["matte", "gloss"]) == [ids["serum"]]
    assert tag("nothing", any=["matte"]) == [ids["red"]]


def test_bookmarks_and_favourites_page_in_the_order_they_were_made(masto_for, alice, bob):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    posts = [bob_api.status_post(f"Bob's post {n}") for n in range(4)]
    # Liked and saved oldest post first: the lists follow the order of the actions.
    for post in (posts[0], posts[3], posts[1], posts[2]):
        alice_api.status_favourite(post.id)
        alice_api.status_bookmark(post.id)
    expected = [posts[2].id, posts[1].id, posts[3].id, posts[0].id]
    for read in (alice_api.favourites, alice_api.bookmarks):
        first = read(limit=3)
        assert [s.id for s in first] == expected[:3]
        rest = alice_api.fetch_next(first)
        assert [s.id for s in rest] == expected[3:]
        assert [s.id for s in alice_api.fetch_remaining(read(limit=1))] == expected
    assert all(s.bookmarked and s.favourited for s in alice_api.bookmarks())


def test_notifications_by_account_and_type(masto_for, alice, bob, carol):
    alice_api, bob_api, carol_api = masto_for(alice), masto_for(bob), masto_for(carol)
    alice_id = alice_api.me().id
    bob_id = bob_api.me().id
    post = alice_api.status_post("Ask me anything")
    bob_api.account_follow(alice_id)
    bob_api.status_favourite(post.id)
    reply = carol_api.status_post("A reply that mentions nobody", in_reply_to_id=post.id)
    carol_api.status_reblog(post.id)
    mention = carol_api.status_post("Hello @alice")

    from_bob = alice_api.notifications(account_id=bob_id)
    assert [n.type for n in from_bob] == ["favourite", "follow"]
    # A reply is a "mention" to Mastodon clients, and filtered as one.
    mentions = alice_api.notifications(types=["mention"])
    assert [n.status.id for n in mentions] == [mention.id, reply.id]
    assert [n.type for n in alice_api.notifications(types=["mention", "follow"])] == [
        "mention",
        "mention",
        "follow",
    ]
    assert [n.type for n in alice_api.notifications(exclude_types=["mention", "favourite"])] == [
        "reblog",
        "follow",
    ]
    assert alice_api.notifications(types=["poll"]) == []
    one = alice_api.notifications(id=from_bob[0].id)
    assert (one.type, one.account.id, one.status.id) == ("favourite", bob_id, post.id)
    assert alice_api.notifications_unread_count().count == 5

    alice_api.notifications_dismiss(one.id)
    assert [n.type for n in alice_api.notifications(account_id=bob_id)] == ["follow"]
    assert Notification.objects.filter(recipient__username="alice").count() == 4
    # Someone else's notification is not found, and stays.
    with pytest.raises(MastodonNotFoundError):
        bob_api.notifications(id=from_bob[1].id)
    with pytest.raises(MastodonNotFoundError):
        bob_api.notifications_dismiss(from_bob[1].id)
    assert Notification.objects.filter(pk=int(from_bob[1].id)).exists()


def test_search_v2_accounts_statuses_and_hashtags(masto_for, alice, bob, carol, base_url):
    alice_api, bob_api, carol_api = masto_for(alice), masto_for(bob), masto_for(carol)
    alice_api.account_update_credentials(display_name="Lipstick Alice")
    public = bob_api.status_post("Lipstick swatches #lipstick")
    private = carol_api.status_post("Lipstick secrets", visibility="private")
    bob_api.status_post("Nothing to see #lips")

    found = alice_api.search_v2("lipstick")
    assert [a.acct for a in found.accounts] == ["alice"]
    assert [s.id for s in found.statuses] == [public.id]  # not Carol's followers-only post
    assert [t.name for t in found.hashtags] == ["lipstick"]

    assert [t.name for t in alice_api.search_v2("#lip", result_type="hashtags").hashtags] == [
        "lips",
        "lipstick",
    ]
    only_accounts = alice_api.search_v2("@bob", result_type="accounts")
    assert [a.acct for a in only_accounts.accounts] == ["bob"]
    assert only_accounts.statuses == [] and only_accounts.hashtags == []
    carol_api.account_follow(alice_api.me().id)
    alice_api.account_follow(carol_api.me().id)
    statuses = alice_api.search_v2("lipstick", result_type="statuses")
    assert [s.id for s in statuses.statuses] == [private.id, public.id]
    paged = alice_api.search_v2("lipstick", result_type="statuses", limit=1, offset=1)
    assert [s.id for s in paged.statuses] == [public.id]

    anonymous = mastodon_for(base_url)
    seen = anonymous.search_v2("lipstick", resolve=False)
    assert [a.acct for a in seen.accounts] == ["alice"]
    assert seen.statuses == []  # as Mastodon: searching posts needs a signed-in account
    assert alice_api.search_v2("   ").accounts == []
