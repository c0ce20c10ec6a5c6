"""Mastodon.py against `storefeed serve`: accounts. Editing one's profile (images, fields, posting
defaults), reading others' (by id, by acct, their posts through every filter, followers and
following), following with options, blocking and muting with their lists, relationships,
account search, featured tags and followed tags."""

import pytest
import requests
from mastodon import MastodonAPIError, MastodonNotFoundError

from storefeed.accounts.models import User
from storefeed.posts.models import FeaturedTag, Status, TagFollow
from storefeed.social.models import Block, Follow, Mute
from tests.clients.conftest import mastodon_for, png_bytes, settle
from tests.clients.wire import status_code


def test_update_credentials_with_images_fields_and_posting_defaults(
    masto_for, alice, bob, tmp_path
):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    before = alice_api.me()
    assert before.avatar.endswith("/static/web/img/avatar.png")
    avatar = tmp_path / "avatar.png"
    avatar.write_bytes(png_bytes((10, 120, 200), size=(400, 400)))
    header = tmp_path / "header.png"
    header.write_bytes(png_bytes((200, 120, 10), size=(1500, 500)))

    me = alice_api.account_update_credentials(
        display_name="Alice Wong",
        note="Lipstick reviews. #lipstick",
        avatar=avatar,
        header=str(header),
        locked=True,
        fields=[("Shop", "https://shop.example/alice"), ("Hours", "9 to 5 <daily>")],
        default_privacy="unlisted",
        default_sensitive=True,
        default_language="zh",
    )
    assert me.display_name == "Alice Wong"
    assert me.locked is True
    assert "Lipstick reviews." in me.note and "/tags/lipstick" in me.note
    assert [(f.name, f.value) for f in me.fields] == [
        ("Shop", "https://shop.example/alice"),
        ("Hours", "9 to 5 &lt;daily&gt;"),  # clients render values as HTML
    ]
    assert me.source.note == "Lipstick reviews. #lipstick"
    assert [(f.name, f.value) for f in me.source.fields][1] == ("Hours", "9 to 5 <daily>")
    assert (me.source.privacy, me.source.sensitive, me.source.language) == ("unlisted", True, "zh")
    for url in (me.avatar, me.header):
        assert url.startswith(alice_api.api_base_url) and "/static/" not in url
        image = requests.get(url, timeout=30)
        assert image.status_code == 200
        assert image.headers["Content-Type"].startswith("image/")
    assert me.avatar_static == me.avatar

    # The same account, as she and others read it back.
    assert alice_api.account_verify_credentials().source.privacy == "unlisted"
    seen = bob_api.account(me.id)
    assert (seen.display_name, seen.avatar, seen.locked) == ("Alice Wong", me.avatar, True)
    assert seen.source is None  # only the account's owner gets its source
    preferences = alice_api.preferences()
    assert preferences["posting:default:visibility"] == "unlisted"
    assert preferences["posting:default:sensitive"] is True
    assert preferences["posting:default:language"] == "zh"

    # A post that names no visibility or language takes her defaults (as on Mastodon).
    post = alice_api.status_post("Posted with my defaults")
    assert (post.visibility, post.language) == ("unlisted", "zh")
    assert alice_api.status_post("Public this time", visibility="public").visibility == "public"

    # Refusals name the field in Mastodon's details and change nothing.
    with pytest.raises(MastodonAPIError) as bad_privacy:
        alice_api.account_update_credentials(display_name="Changed?", default_privacy="everyone")
    assert status_code(bad_privacy) == 422
    with pytest.raises(MastodonAPIError) as bad_avatar:
        alice_api.account_update_credentials(avatar=b"not an image", avatar_mime_type="image/png")
    assert status_code(bad_avatar) == 422
    stored = User.objects.get(username="alice")
    assert stored.display_name == "Alice Wong"
    assert stored.default_visibility == "unlisted"
    assert stored.avatar.url in me.avatar


def test_profiles_and_their_posts_through_every_filter(masto_for, alice, bob, png_file, base_url):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    alice_id = alice_api.me().id
    bob_id = bob_api.me().id
    assert bob_api.account(alice_id).acct == "alice"
    assert bob_api.account_lookup("alice").id == alice_id
    assert bob_api.account_lookup("@alice").id == alice_id
    host = base_url.removeprefix("http://").split(":")[0]
    assert bob_api.account_lookup(f"alice@{host}").id == alice_id
    with pytest.raises(MastodonNotFoundError):
        bob_api.account_lookup("alice@elsewhere.example")
    with pytest.raises(MastodonNotFoundError):
        bob_api.account_lookup("nobody")

    by_bob = bob_api.status_post("Bob's shades")
    plain = alice_api.status_post("Morning #lipstick")
    photo = alice_api.status_post(
        "With a photo", media_ids=[alice_api.media_post(png_file(), description="A shade")]
    )
    reply_to_bob = alice_api.status_post("@bob nice", in_reply_to_id=by_bob.id)
    self_reply = alice_api.status_post("Thread, part 2 #lipstick", in_reply_to_id=plain.id)
    repost = alice_api.status_reblog(by_bob.id)
    alice_api.status_pin(plain.id)
    alice_api.status_pin(photo.id)

    def ids(**filters) -> list[str]:
        return [s.id for s in bob_api.account_statuses(alice_id, **filters)]

    everything = [repost.id, self_reply.id, reply_to_bob.id, photo.id, plain.id]
    assert ids() == everything
    # Replies to oneself (threads) stay, as on Mastodon.
    assert ids(exclude_replies=True) == [repost.id, self_reply.id, photo.id, plain.id]
    assert ids(exclude_reblogs=True) == everything[1:]
    assert ids(only_media=True) == [photo.id]
    assert ids(pinned=True) == [photo.id, plain.id]
    assert ids(tagged="LIPSTICK") == [self_reply.id, plain.id]
    assert ids(tagged="skincare") == []
    assert bob_api.account_statuses(alice_id, limit=2)[0].reblog.id == by_bob.id
    assert [s.pinned for s in alice_api.account_statuses(alice_id, pinned=True)] == [True, True]
    anonymous = mastodon_for(base_url)
    assert [s.id for s in anonymous.account_statuses(alice_id)] == everything

    counted = bob_api.account(alice_id)
    assert (counted.statuses_count, counted.following_count) == (5, 0)
    assert bob_api.account(bob_id).statuses_count == 1


def test_follow_with_options_block_mute_and_relationships(masto_for, alice, bob, carol):
    alice_api, bob_api, carol_api = masto_for(alice), masto_for(bob), masto_for(carol)
    alice_id, bob_id, carol_id = (api.me().id for api in (alice_api, bob_api, carol_api))

    rel = alice_api.account_follow(bob_id, reblogs=False, notify=True)
    assert (rel.following, rel.showing_reblogs, rel.notifying) == (True, False, True)
    assert alice_api.account_follow(carol_id).showing_reblogs is True
    carol_api.account_follow(alice_id)
    assert [a.acct for a in alice_api.account_following(alice_id)] == ["carol", "bob"]
    assert [a.acct for a in bob_api.account_followers(bob_id)] == ["alice"]
    assert [a.acct for a in bob_api.account_followers(alice_id)] == ["carol"]

    both = alice_api.account_relationships([carol_id, bob_id])
    assert [(r.id, r.following, r.followed_by) for r in both] == [
        (carol_id, True, True),
        (bob_id, True, False),
    ]
    assert alice_api.account_unfollow(carol_id).following is False
    assert alice_api.account_relationships(carol_id)[0].followed_by is True

    # A repost by Bob skips Alice's home (reblogs=False); his own posts reach it.
    own = bob_api.status_post("Bob's own")
    carol_post = carol_api.status_post("Carol's")
    bob_api.status_reblog(carol_post.id)
    settle()
    assert [s.id for s in alice_api.timeline_home()] == [own.id]

    # Muting hides his posts from her home and keeps the follow.
    muted = alice_api.account_mute(bob_id, notifications=False)
    assert (muted.muting, muted.muting_notifications, muted.following) == (True, False, True)
    assert [a.acct for a in alice_api.mutes()] == ["bob"]
    settle()
    assert alice_api.timeline_home() == []
    unmuted = alice_api.account_unmute(bob_id)
    assert (unmuted.muting, unmuted.following) == (False, True)
    assert alice_api.mutes() == []

    # Blocking ends follows both ways; the blocked one sees it as blocked_by.
    blocked = carol_api.account_block(alice_id)
    assert (blocked.blocking, blocked.following, blocked.followed_by) == (True, False, False)
    assert alice_api.account_relationships(carol_id)[0].blocked_by is True
    assert [a.acct for a in carol_api.blocks()] == ["alice"]
    assert alice_api.account_statuses(carol_id) == []
    with pytest.raises(MastodonAPIError):
        alice_api.status_favourite(carol_post.id)
    assert carol_api.account_unblock(alice_id).blocking is False
    assert carol_api.blocks() == []
    assert not Follow.objects.filter(follower__username="carol").exists()
    assert not Block.objects.exists()
    assert not Mute.objects.exists()

    # Account search: by name and by the words of a bio (each word a prefix), among follows
    # only, paged with offset.
    assert [a.acct for a in alice_api.account_search("car")] == ["carol"]
    for api in (bob_api, carol_api):
        api.account_update_credentials(note="Street photographer")
    assert [a.acct for a in alice_api.account_search("photo")] == ["bob", "carol"]
    assert [a.acct for a in alice_api.account_search("photo", limit=1, offset=1)] == ["carol"]
    assert [a.acct for a in alice_api.account_search("photo", following=True)] == ["bob"]
    assert alice_api.account_search("zzz") == []


def test_featured_and_followed_tags(masto_for, alice, bob):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    alice_id = alice_api.me().id
    alice_api.status_post("New #lipstick shade")
    alice_api.status_post("Another #lipstick and #skincare")

    featured = alice_api.featured_tag_create("lipstick")
    assert featured.name == "lipstick"
    assert int(featured.statuses_count) == 2  # a string, as Mastodon's
    assert featured.last_status_at is not None  # the day of the last one
    assert [t.name for t in alice_api.featured_tags()] == ["lipstick"]
    assert [t.name for t in bob_api.account_featured_tags(alice_id)] == ["lipstick"]
    assert {t.name for t in alice_api.featured_tag_suggestions()} == {"lipstick", "skincare"}
    with pytest.raises(MastodonAPIError) as twice:
        alice_api.featured_tag_create("LIPSTICK")
    assert status_code(twice) == 422
    with pytest.raises(MastodonAPIError) as bad:
        alice_api.featured_tag_create("not a tag!")
    assert status_code(bad) == 422
    with pytest.raises(MastodonNotFoundError):
        bob_api.featured_tag_delete(featured.id)  # not his
    alice_api.featured_tag_delete(featured.id)
    assert alice_api.featured_tags() == []
    assert not FeaturedTag.objects.exists()

    followed = bob_api.tag_follow("skincare")
    assert (followed.name, followed.following) == ("skincare", True)
    bob_api.tag_follow("ootd")  # a tag nobody used yet can be followed
    assert bob_api.tag("skincare").following is True
    assert alice_api.tag("skincare").following is False
    assert [t.name for t in bob_api.followed_tags()] == ["ootd", "skincare"]
    page = bob_api.followed_tags(limit=1)
    assert [t.name for t in bob_api.fetch_next(page)] == ["skincare"]
    assert bob_api.tag_unfollow("skincare").following is False
    assert [t.name for t in bob_api.followed_tags()] == ["ootd"]
    with pytest.raises(MastodonNotFoundError):
        bob_api.tag("neverused")
    assert TagFollow.objects.count() == 1
    assert Status.objects.count() == 2
