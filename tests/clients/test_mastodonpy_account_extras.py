"""Mastodon.py against `storefeed serve`: timed mutes, account notes, endorsements, removing
a follower, several accounts at once and familiar followers, as an app calls them."""

import datetime as dt
from urllib.parse import urlsplit

from django.utils import timezone

from storefeed.social.models import Mute
from tests.clients.conftest import png_bytes, settle


def test_a_timed_mute_ends(masto_for, alice, bob):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    bob_id = bob_api.me().id
    alice_api.account_follow(bob_id)
    post = bob_api.status_post("While you were away")
    muted = alice_api.account_mute(bob_id, duration=600)
    assert muted.muting is True
    [listed] = alice_api.mutes()
    assert listed.acct == "bob"
    left = listed.mute_expires_at - timezone.now()
    assert dt.timedelta(minutes=9) < left <= dt.timedelta(minutes=10)
    settle()
    assert alice_api.timeline_home() == []

    # Its end comes (the row says so; the server reads the clock): the mute is over at once.
    Mute.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert alice_api.account_relationships(bob_id)[0].muting is False
    assert alice_api.mutes() == []
    alice_api.account_unmute(bob_id)  # not an error after the end either
    settle()  # unmuting brings his posts back into her home
    assert [s.id for s in alice_api.timeline_home()] == [post.id]


def test_a_private_note(masto_for, alice, bob):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    bob_id = bob_api.me().id
    rel = alice_api.account_note_set(bob_id, "Ships fast, answers late")
    assert rel.note == "Ships fast, answers late"
    assert alice_api.account_relationships(bob_id)[0].note == "Ships fast, answers late"
    assert bob_api.account_relationships(alice_api.me().id)[0].note == ""
    assert alice_api.account_note_set(bob_id, "").note == ""


def test_endorse_pin_and_the_endorsement_lists(masto_for, alice, bob, carol):
    alice_api = masto_for(alice)
    bob_id, carol_id = masto_for(bob).me().id, masto_for(carol).me().id
    alice_api.account_follow(bob_id)
    alice_api.account_follow(carol_id)
    assert alice_api.account_pin(carol_id).endorsed is True
    # endorse/unendorse are Mastodon 4.4's names; the server says 4.3, so the version check
    # (which would refuse them) is switched off for them.
    alice_api.version_check_mode = "none"
    assert alice_api.account_endorse(bob_id).endorsed is True
    assert [a.acct for a in alice_api.endorsements()] == ["bob", "carol"]
    assert alice_api.account_relationships(bob_id)[0].endorsed is True
    assert alice_api.account_unendorse(bob_id).endorsed is False
    assert alice_api.account_unpin(carol_id).endorsed is False
    assert alice_api.endorsements() == []


def test_remove_a_follower(masto_for, alice, bob):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    alice_id, bob_id = alice_api.me().id, bob_api.me().id
    bob_api.account_follow(alice_id)
    rel = alice_api.account_remove_from_followers(bob_id)
    assert rel.followed_by is False
    assert alice_api.account_followers(alice_id) == []
    assert bob_api.account_relationships(alice_id)[0].following is False


def test_several_accounts_and_familiar_followers(masto_for, alice, bob, carol):
    alice_api, bob_api, carol_api = masto_for(alice), masto_for(bob), masto_for(carol)
    alice_id, bob_id, carol_id = (api.me().id for api in (alice_api, bob_api, carol_api))
    assert [a.acct for a in alice_api.accounts([carol_id, bob_id])] == ["carol", "bob"]
    alice_api.account_follow(bob_id)
    bob_api.account_follow(carol_id)
    familiar = alice_api.account_familiar_followers([carol_id, alice_id])
    assert [(f.id, [a.acct for a in f.accounts]) for f in familiar] == [
        (carol_id, ["bob"]),
        (alice_id, []),
    ]


def test_lookup_and_search_by_full_address(masto_for, alice, bob):
    bob_api = masto_for(bob)
    host = urlsplit(bob_api.api_base_url).hostname
    alice_id = masto_for(alice).me().id
    assert bob_api.account_lookup(f"alice@{host}").id == alice_id
    assert [a.id for a in bob_api.account_search(f"@alice@{host}")][:1] == [alice_id]
    assert bob_api.account_search("alice@elsewhere.example") == []


def test_bot_discoverable_and_hidden_collections(masto_for, alice, bob):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    bob_api.account_follow(alice_api.me().id)
    me = alice_api.account_update_credentials(bot=True, discoverable=False, hide_collections=True)
    assert (me.bot, me.discoverable, me.hide_collections) == (True, False, True)
    seen = bob_api.account(me.id)
    assert (seen.bot, seen.discoverable, seen.hide_collections) == (True, False, True)
    assert bob_api.account_followers(me.id) == []
    assert [a.acct for a in alice_api.account_followers(me.id)] == ["bob"]


def test_remove_the_avatar_and_the_header(masto_for, alice, tmp_path):
    alice_api = masto_for(alice)
    avatar = tmp_path / "me.png"
    avatar.write_bytes(png_bytes((10, 120, 200), size=(200, 200)))
    header = tmp_path / "header.png"
    header.write_bytes(png_bytes((200, 120, 10), size=(900, 300)))
    me = alice_api.account_update_credentials(avatar=avatar, header=header)
    assert "/avatars/" in me.avatar
    assert alice_api.account_delete_avatar().avatar.endswith("/static/web/img/avatar.png")
    assert alice_api.account_delete_header().header.endswith("/static/web/img/header.png")
    alice.refresh_from_db()
    assert (bool(alice.avatar), bool(alice.header)) == (False, False)
