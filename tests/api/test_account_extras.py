"""Account features Mastodon clients call beyond the basics: timed mutes, private notes,
endorsements, removing a follower, several accounts at once, familiar followers. Through the
HTTP API, then the rows."""

import datetime as dt
import json

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from storefeed.notifications.models import Notification
from storefeed.posts.services import status_create
from storefeed.social.models import AccountNote, Endorsement, Follow, Mute
from storefeed.social.services import follow_create, mute_create, mutes_expire_due
from tests.api.conftest import png_upload
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _home_ids(client) -> list[str]:
    return [s["id"] for s in client.get("/api/v1/timelines/home").json()]


# Timed mutes -----------------------------------------------------------------------------


def test_a_timed_mute_applies_until_its_end_and_then_no_more(api_client, alice, bob):
    follow_create(follower=alice, target=bob)
    follow_create(follower=bob, target=alice)  # a notification from before the mute
    before = status_create(account=bob, text="before the mute")
    client = api_client(alice)
    muted = client.post(f"/api/v1/accounts/{bob.pk}/mute", {"duration": "3600"})
    assert muted.status_code == 200, muted.content
    assert muted.json()["muting"] is True
    assert muted.json()["muting_notifications"] is True
    ends = Mute.objects.get().expires_at
    assert ends is not None
    assert abs((ends - timezone.now()) - dt.timedelta(hours=1)) < dt.timedelta(seconds=10)
    listed = client.get("/api/v1/mutes").json()
    assert [(a["username"], a["mute_expires_at"]) for a in listed] == [
        ("bob", ends.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ends.microsecond // 1000:03d}Z")
    ]
    during = status_create(account=bob, text="during the mute")
    assert str(during.pk) not in _home_ids(client)
    status_create(account=bob, text="@alice during")  # not notified at all
    assert client.get("/api/v1/notifications").json() == []
    assert client.get("/api/v1/notifications/unread_count").json() == {"count": 0}

    with time_machine.travel(ends + dt.timedelta(seconds=1)):
        # Before any sweep: every read already treats the mute as over.
        rel = client.get("/api/v1/accounts/relationships", {"id[]": [str(bob.pk)]}).json()[0]
        assert rel["muting"] is False
        assert rel["muting_notifications"] is False
        assert client.get("/api/v1/mutes").json() == []
        assert str(during.pk) in _home_ids(client)
        assert [n["type"] for n in client.get("/api/v1/notifications").json()] == ["follow"]
        assert client.get("/api/v1/notifications/unread_count").json() == {"count": 1}
        after = status_create(account=bob, text="@alice after the mute")
        assert str(after.pk) in _home_ids(client)
        assert [n["type"] for n in client.get("/api/v1/notifications").json()] == [
            "mention",
            "follow",
        ]
        # The sweep deletes it and brings back what the mute took out of the home.
        assert mutes_expire_due() == 1
        assert not Mute.objects.exists()
        assert str(before.pk) in _home_ids(client)
        assert mutes_expire_due() == 0


def test_a_mute_without_duration_or_with_zero_lasts(api_client, alice, bob, carol):
    client = api_client(alice)
    client.post(f"/api/v1/accounts/{bob.pk}/mute")
    client.post(f"/api/v1/accounts/{carol.pk}/mute", {"duration": 0})
    assert list(Mute.objects.values_list("expires_at", flat=True)) == [None, None]
    assert [a["mute_expires_at"] for a in client.get("/api/v1/mutes").json()] == [None, None]
    with time_machine.travel(timezone.now() + dt.timedelta(days=300)):
        assert mutes_expire_due() == 0
        assert len(client.get("/api/v1/mutes").json()) == 2


def test_muting_again_renews_or_ends_the_timer(api_client, alice, bob):
    client = api_client(alice)
    client.post(f"/api/v1/accounts/{bob.pk}/mute", {"duration": 60})
    client.post(f"/api/v1/accounts/{bob.pk}/mute", {"duration": 7200, "notifications": "false"})
    mute = Mute.objects.get()
    assert mute.expires_at > timezone.now() + dt.timedelta(minutes=100)
    assert mute.hide_notifications is False
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        assert mutes_expire_due() == 0
        assert client.get("/api/v1/mutes").json()[0]["username"] == "bob"
    client.post(f"/api/v1/accounts/{bob.pk}/mute")
    assert Mute.objects.get().expires_at is None


def test_an_ended_mute_suppresses_no_new_notification(alice, bob):
    mute_create(account=alice, target=bob, duration=60)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        follow_create(follower=bob, target=alice)
    assert Notification.objects.filter(recipient=alice, type="follow").count() == 1


@pytest.mark.parametrize("duration", ["-1", "soon", "1.5", str(10**12), "true"])
def test_a_bad_duration_is_refused_and_nothing_changes(api_client, alice, bob, duration):
    response = api_client(alice).post(f"/api/v1/accounts/{bob.pk}/mute", {"duration": duration})
    assert response.status_code == 422, response.content
    assert "duration" in response.json()["error"]
    assert not Mute.objects.exists()


def test_relationships_cost_a_fixed_number_of_queries(api_client, alice, bob, carol):
    client = api_client(alice)
    mute_create(account=alice, target=bob, duration=60)
    follow_create(follower=alice, target=carol)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/accounts/relationships", {"id[]": [str(bob.pk)]})
    with CaptureQueriesContext(connection) as two:
        client.get("/api/v1/accounts/relationships", {"id[]": [str(bob.pk), str(carol.pk)]})
    assert len(one) == len(two)
    relationship_queries = [q for q in two if "social_follow" in q["sql"]]
    assert len(relationship_queries) == 1


def test_unmuting_brings_back_the_posts_the_mute_took_out(api_client, alice, bob):
    follow_create(follower=alice, target=bob)
    earlier = status_create(account=bob, text="earlier")
    client = api_client(alice)
    client.post(f"/api/v1/accounts/{bob.pk}/mute")
    assert str(earlier.pk) not in _home_ids(client)
    client.post(f"/api/v1/accounts/{bob.pk}/unmute")
    assert str(earlier.pk) in _home_ids(client)


def test_the_sweep_leaves_a_mute_renewed_since_it_looked(alice, bob):
    from storefeed.social.services import mute_expire

    mute_create(account=alice, target=bob, duration=60)
    mute_id = Mute.objects.get().pk
    later = timezone.now() + dt.timedelta(minutes=2)
    mute_create(account=alice, target=bob, duration=3600)
    assert mute_expire(mute_id=mute_id, now=later) is False
    assert Mute.objects.filter(pk=mute_id).exists()


# Account notes ---------------------------------------------------------------------------


def test_a_private_note_shows_only_in_its_writers_relationship(api_client, alice, bob):
    client = api_client(alice)
    noted = client.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": "Met at the tea fair"})
    assert noted.status_code == 200, noted.content
    assert noted.json()["note"] == "Met at the tea fair"
    rel = client.get("/api/v1/accounts/relationships", {"id[]": [str(bob.pk)]}).json()[0]
    assert rel["note"] == "Met at the tea fair"
    # Bob sees none about Alice; the account entity carries no note of Alice's.
    assert (
        api_client(bob)
        .get("/api/v1/accounts/relationships", {"id[]": [str(alice.pk)]})
        .json()[0]["note"]
        == ""
    )
    assert "Met at" not in client.get(f"/api/v1/accounts/{bob.pk}").content.decode()
    changed = client.post(
        f"/api/v1/accounts/{bob.pk}/note",
        data='{"comment": "Sells good oolong"}',
        content_type="application/json",
    )
    assert changed.json()["note"] == "Sells good oolong"
    assert AccountNote.objects.get().comment == "Sells good oolong"
    cleared = client.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": ""})
    assert cleared.json()["note"] == ""
    assert not AccountNote.objects.exists()
    assert (
        client.post(f"/api/v1/accounts/{alice.pk}/note", {"comment": "me"}).json()["note"] == "me"
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"comment": "x" * 2001}, 422),
        ('{"comment": ["a"]}', 422),
        ('{"comment": {"a": 1}}', 422),
    ],
)
def test_a_bad_note_is_refused_and_the_old_one_stays(api_client, alice, bob, body, status):
    client = api_client(alice)
    client.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": "kept"})
    if isinstance(body, str):
        response = client.post(
            f"/api/v1/accounts/{bob.pk}/note", data=body, content_type="application/json"
        )
    else:
        response = client.post(f"/api/v1/accounts/{bob.pk}/note", body)
    assert response.status_code == status, response.content
    assert "error" in response.json()
    assert AccountNote.objects.get().comment == "kept"


def test_notes_need_write_accounts_and_a_real_account(api_client, anon, alice, bob):
    url = f"/api/v1/accounts/{bob.pk}/note"
    assert anon.post(url, {"comment": "x"}).status_code == 401
    assert api_client(alice, scopes="read write:follows").post(url).status_code == 403
    assert api_client(alice, scopes="write:accounts").post(url, {"comment": "x"}).status_code == 200
    assert api_client(alice).post("/api/v1/accounts/42/note", {"comment": "x"}).status_code == 404
    assert AccountNote.objects.count() == 1


# Endorsements ----------------------------------------------------------------------------


def test_endorse_a_followed_account_and_unendorse_it(api_client, anon, alice, bob, carol):
    follow_create(follower=alice, target=bob)
    follow_create(follower=alice, target=carol)
    client = api_client(alice)
    endorsed = client.post(f"/api/v1/accounts/{bob.pk}/endorse")
    assert endorsed.status_code == 200, endorsed.content
    assert endorsed.json()["endorsed"] is True
    assert client.post(f"/api/v1/accounts/{carol.pk}/pin").json()["endorsed"] is True
    assert client.post(f"/api/v1/accounts/{bob.pk}/endorse").json()["endorsed"] is True  # again
    assert Endorsement.objects.count() == 2
    mine = client.get("/api/v1/endorsements")
    assert [a["username"] for a in mine.json()] == ["carol", "bob"]
    public = anon.get(f"/api/v1/accounts/{alice.pk}/endorsements")
    assert [a["username"] for a in public.json()] == ["carol", "bob"]
    first = client.get("/api/v1/endorsements", {"limit": 1})
    assert [a["username"] for a in first.json()] == ["carol"]
    newest = Endorsement.objects.get(target=carol).pk
    assert f"max_id={newest}" in first["Link"]
    rest = client.get("/api/v1/endorsements", {"max_id": newest})
    assert [a["username"] for a in rest.json()] == ["bob"]
    rel = client.get("/api/v1/accounts/relationships", {"id[]": [str(bob.pk)]}).json()[0]
    assert rel["endorsed"] is True
    assert client.post(f"/api/v1/accounts/{bob.pk}/unendorse").json()["endorsed"] is False
    assert client.post(f"/api/v1/accounts/{carol.pk}/unpin").json()["endorsed"] is False
    assert client.post(f"/api/v1/accounts/{carol.pk}/unpin").status_code == 200  # again
    assert client.get("/api/v1/endorsements").json() == []
    assert not Endorsement.objects.exists()


def test_only_a_followed_account_can_be_endorsed(api_client, alice, bob):
    client = api_client(alice)
    refused = client.post(f"/api/v1/accounts/{bob.pk}/endorse")
    assert refused.status_code == 422
    assert "Follow @bob" in refused.json()["error"]
    assert client.post(f"/api/v1/accounts/{alice.pk}/endorse").status_code == 422
    assert client.post("/api/v1/accounts/42/endorse").status_code == 404
    assert not Endorsement.objects.exists()


def test_unfollowing_or_blocking_ends_the_endorsement(api_client, alice, bob, carol):
    follow_create(follower=alice, target=bob)
    follow_create(follower=alice, target=carol)
    client = api_client(alice)
    client.post(f"/api/v1/accounts/{bob.pk}/endorse")
    client.post(f"/api/v1/accounts/{carol.pk}/endorse")
    client.post(f"/api/v1/accounts/{bob.pk}/unfollow")
    api_client(carol).post(f"/api/v1/accounts/{alice.pk}/block")
    assert client.get("/api/v1/endorsements").json() == []
    assert not Endorsement.objects.exists()


def test_endorsements_need_their_scopes(api_client, anon, alice, bob):
    follow_create(follower=alice, target=bob)
    url = f"/api/v1/accounts/{bob.pk}/endorse"
    assert anon.post(url).status_code == 401
    assert api_client(alice, scopes="read write:follows").post(url).status_code == 403
    assert anon.get("/api/v1/endorsements").status_code == 401
    assert api_client(alice, scopes="write").get("/api/v1/endorsements").status_code == 403
    assert api_client(alice, scopes="write:accounts").post(url).status_code == 200
    assert anon.get("/api/v1/accounts/42/endorsements").status_code == 404


# Removing a follower ---------------------------------------------------------------------


def test_remove_a_follower_as_if_they_had_unfollowed(api_client, alice, bob, carol):
    follow_create(follower=bob, target=alice)
    follow_create(follower=carol, target=alice)
    private = status_create(account=alice, text="for my fans", visibility="private")
    bob_client = api_client(bob)
    assert str(private.pk) in _home_ids(bob_client)
    client = api_client(alice)
    removed = client.post(f"/api/v1/accounts/{bob.pk}/remove_from_followers")
    assert removed.status_code == 200, removed.content
    assert removed.json()["followed_by"] is False
    assert not Follow.objects.filter(follower=bob, target=alice).exists()
    assert Follow.objects.filter(follower=carol, target=alice).exists()
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.followers_count, bob.following_count) == (1, 0)
    assert str(private.pk) not in _home_ids(bob_client)
    assert bob_client.get(f"/api/v1/statuses/{private.pk}").status_code == 404
    # Again: nothing to remove, not an error.
    assert client.post(f"/api/v1/accounts/{bob.pk}/remove_from_followers").status_code == 200
    alice.refresh_from_db()
    assert alice.followers_count == 1


def test_remove_from_followers_refusals(api_client, anon, alice, bob):
    follow_create(follower=bob, target=alice)
    url = f"/api/v1/accounts/{bob.pk}/remove_from_followers"
    assert anon.post(url).status_code == 401
    assert api_client(alice, scopes="read write:accounts").post(url).status_code == 403
    client = api_client(alice)
    assert client.get(url).status_code == 405
    assert client.post(f"/api/v1/accounts/{alice.pk}/remove_from_followers").status_code == 422
    assert client.post("/api/v1/accounts/42/remove_from_followers").status_code == 404
    assert Follow.objects.filter(follower=bob, target=alice).exists()


# Several accounts at once, familiar followers ---------------------------------------------


def test_several_accounts_at_once(api_client, anon, alice, bob, carol):
    asked = {"id[]": [str(carol.pk), "nope", str(alice.pk), "42", str(carol.pk)]}
    with CaptureQueriesContext(connection) as queries:
        found = anon.get("/api/v1/accounts", asked)
    assert found.status_code == 200, found.content
    assert [a["username"] for a in found.json()] == ["carol", "alice"]
    assert found.json()[0]["followers_count"] == 0
    # One query (besides the rate limit's counter, core.limits, which every API call makes).
    assert len([q for q in queries if "limitcounter" not in q["sql"]]) == 1
    assert anon.get("/api/v1/accounts").json() == []
    bob.is_active = False
    bob.save()
    assert anon.get("/api/v1/accounts", {"id[]": [str(bob.pk)]}).json() == []
    # Registration still answers POST on the same path (with no CSRF check: a token's call).
    browserless = Client(enforce_csrf_checks=True)
    assert browserless.post("/api/v1/accounts", {"username": "x"}).status_code == 401
    assert anon.put("/api/v1/accounts").status_code == 405


def test_too_many_accounts_at_once_is_refused(api_client, anon, alice):
    many = {"id[]": [str(i) for i in range(1, 42)]}
    for path in ("/api/v1/accounts", "/api/v1/accounts/familiar_followers"):
        refused = api_client(alice).get(path, many)
        assert refused.status_code == 422
        assert "at most 40" in refused.json()["error"]
    assert anon.get("/api/v1/accounts", {"id": "[1]"}).json() == []  # not an id: no account


def test_familiar_followers_one_entry_per_account(api_client, alice, bob, carol):
    dave, erin = make_user("dave"), make_user("erin")
    # Alice follows Bob and Carol; both follow Dave, Bob follows Erin; nobody Alice follows
    # follows Alice herself.
    for follower, target in [
        (alice, bob),
        (alice, carol),
        (bob, dave),
        (carol, dave),
        (bob, erin),
        (dave, erin),  # Alice does not follow Dave: not familiar
    ]:
        follow_create(follower=follower, target=target)
    client = api_client(alice, scopes="read:follows")
    asked = {"id[]": [str(dave.pk), str(alice.pk), "42", str(erin.pk), str(dave.pk)]}
    with CaptureQueriesContext(connection) as queries:
        found = client.get("/api/v1/accounts/familiar_followers", asked)
    assert found.status_code == 200
    assert [(e["id"], [a["username"] for a in e["accounts"]]) for e in found.json()] == [
        (str(dave.pk), ["carol", "bob"]),
        (str(alice.pk), []),
        (str(erin.pk), ["bob"]),
    ]
    with CaptureQueriesContext(connection) as fewer:
        client.get("/api/v1/accounts/familiar_followers", {"id[]": [str(dave.pk)]})
    assert len(fewer) == len(queries)


def test_familiar_followers_read_ids_from_a_json_body_too(api_client, alice, bob, carol):
    follow_create(follower=alice, target=bob)
    follow_create(follower=bob, target=carol)
    body = json.dumps({"id": [str(carol.pk)]})
    found = api_client(alice).generic(
        "GET", "/api/v1/accounts/familiar_followers", body, content_type="application/json"
    )
    assert [[a["username"] for a in e["accounts"]] for e in found.json()] == [["bob"]]
    broken = api_client(alice).generic(
        "GET", "/api/v1/accounts/familiar_followers", "{", content_type="application/json"
    )
    assert broken.status_code == 400


# Full addresses with the local domain -----------------------------------------------------


def test_lookup_by_full_address_with_the_local_domain(anon, alice, settings):
    settings.SITE_URL = "https://shop.example"
    for acct in (
        "alice@testserver",
        "@alice@TestServer",
        "acct:alice@testserver",
        "alice@shop.example",
        "ALICE@shop.example.",
    ):
        looked = anon.get("/api/v1/accounts/lookup", {"acct": acct})
        assert looked.status_code == 200, acct
        assert looked.json()["id"] == str(alice.pk)
    for acct in ("alice@elsewhere.example", "@testserver", "alice@", "acct:"):
        missing = anon.get("/api/v1/accounts/lookup", {"acct": acct})
        assert missing.status_code == 404, acct
    with_port = anon.get(
        "/api/v1/accounts/lookup", {"acct": "alice@localhost:8000"}, HTTP_HOST="localhost:8000"
    )
    assert with_port.json()["id"] == str(alice.pk)
    bare = anon.get(
        "/api/v1/accounts/lookup", {"acct": "alice@localhost"}, HTTP_HOST="localhost:8000"
    )
    assert bare.json()["id"] == str(alice.pk)


def test_search_by_full_address_with_the_local_domain(api_client, alice, bob):
    make_user("alicia")
    client = api_client(bob)
    found = client.get("/api/v1/accounts/search", {"q": "alice@testserver"})
    assert [a["username"] for a in found.json()][:1] == ["alice"]
    found = client.get("/api/v1/accounts/search", {"q": "@alice@testserver"})
    assert [a["username"] for a in found.json()][:1] == ["alice"]
    assert client.get("/api/v1/accounts/search", {"q": "alice@elsewhere.example"}).json() == []


# bot, discoverable, hide_collections -------------------------------------------------------


def test_account_flags_are_stored_and_shown(api_client, anon, alice):
    client = api_client(alice)
    me = client.get("/api/v1/accounts/verify_credentials").json()
    assert (me["bot"], me["discoverable"], me["hide_collections"]) == (False, True, False)
    changed = client.patch(
        "/api/v1/accounts/update_credentials",
        data=json.dumps({"bot": True, "discoverable": False, "hide_collections": "true"}),
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["bot"], body["discoverable"], body["hide_collections"]) == (True, False, True)
    assert (body["source"]["discoverable"], body["source"]["hide_collections"]) == (False, True)
    alice.refresh_from_db()
    assert (alice.bot, alice.discoverable, alice.hide_collections) == (True, False, True)
    # Others see it at once (the account's cached rendering moved with it).
    public = anon.get(f"/api/v1/accounts/{alice.pk}").json()
    assert (public["bot"], public["discoverable"], public["hide_collections"]) == (
        True,
        False,
        True,
    )
    # A form body, and leaving a flag out leaves it alone.
    client.patch(
        "/api/v1/accounts/update_credentials",
        "bot=false",
        content_type="application/x-www-form-urlencoded",
    )
    alice.refresh_from_db()
    assert (alice.bot, alice.discoverable, alice.hide_collections) == (False, False, True)


@pytest.mark.parametrize("flag", ["bot", "discoverable", "hide_collections"])
def test_a_flag_that_is_not_a_boolean_changes_nothing(api_client, alice, flag):
    response = api_client(alice).patch(
        "/api/v1/accounts/update_credentials",
        data=json.dumps({flag: "perhaps", "display_name": "Changed"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert flag in response.json()["error"]
    alice.refresh_from_db()
    assert (alice.bot, alice.discoverable, alice.hide_collections) == (False, True, False)
    assert alice.display_name == "Alice"


def test_hidden_collections_are_listed_to_their_owner_only(api_client, anon, alice, bob, carol):
    follow_create(follower=bob, target=alice)
    follow_create(follower=alice, target=carol)
    follow_create(follower=bob, target=carol)
    follow_create(follower=carol, target=alice)
    owner = api_client(alice)
    owner.post("/api/v1/accounts/update_credentials", {"hide_collections": "true"})
    for path in ("followers", "following"):
        url = f"/api/v1/accounts/{alice.pk}/{path}"
        assert anon.get(url).json() == []
        assert api_client(bob).get(url).json() == []
        assert owner.get(url).json() != []
    profile = anon.get(f"/api/v1/accounts/{alice.pk}").json()
    assert (profile["followers_count"], profile["following_count"]) == (2, 1)
    # Bob follows Carol, who follows Alice; Alice hides her followers, so none are familiar.
    familiar = api_client(bob).get("/api/v1/accounts/familiar_followers", {"id[]": [str(alice.pk)]})
    assert familiar.json() == [{"id": str(alice.pk), "accounts": []}]
    owner.post("/api/v1/accounts/update_credentials", {"hide_collections": "false"})
    familiar = api_client(bob).get("/api/v1/accounts/familiar_followers", {"id[]": [str(alice.pk)]})
    assert [a["username"] for a in familiar.json()[0]["accounts"]] == ["carol"]
    assert [a["username"] for a in anon.get(f"/api/v1/accounts/{alice.pk}/followers").json()] == [
        "carol",
        "bob",
    ]


# /api/v1/profile ---------------------------------------------------------------------------


def test_the_profile_endpoint_reads_and_changes_the_raw_profile(api_client, anon, alice):
    client = api_client(alice)
    got = client.get("/api/v1/profile")
    assert got.status_code == 200, got.content
    assert got.json()["id"] == str(alice.pk)
    assert (got.json()["avatar"], got.json()["header"]) == (None, None)
    changed = client.patch(
        "/api/v1/profile",
        data=json.dumps(
            {
                "note": "Tea & *cakes* https://example.com",
                "bot": True,
                "hide_collections": True,
                "fields_attributes": [{"name": "Shop", "value": "<b>open</b>"}],
            }
        ),
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    profile = changed.json()
    assert profile["note"] == "Tea & *cakes* https://example.com"  # as entered, not HTML
    assert profile["fields"] == [{"name": "Shop", "value": "<b>open</b>", "verified_at": None}]
    assert (profile["bot"], profile["hide_collections"], profile["discoverable"]) == (
        True,
        True,
        True,
    )
    assert "<a " in anon.get(f"/api/v1/accounts/{alice.pk}").json()["note"]
    refused = client.patch(
        "/api/v1/profile",
        data=json.dumps({"locked": "maybe", "display_name": "Not saved"}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    alice.refresh_from_db()
    assert (alice.display_name, alice.locked) == ("Alice", False)
    assert anon.get("/api/v1/profile").status_code == 401
    assert api_client(alice, scopes="read:accounts").get("/api/v1/profile").status_code == 200
    assert api_client(alice, scopes="read:accounts").patch("/api/v1/profile").status_code == 403


def test_removing_the_avatar_and_the_header(api_client, alice, django_capture_on_commit_callbacks):
    client = api_client(alice)
    with_images = client.patch(
        "/api/v1/profile",
        data=encode_multipart(BOUNDARY, {"avatar": png_upload(), "header": png_upload("h.png")}),
        content_type=MULTIPART_CONTENT,
    )
    assert with_images.status_code == 200, with_images.content
    assert with_images.json()["avatar"] is not None
    alice.refresh_from_db()
    storage, avatar_name = alice.avatar.storage, alice.avatar.name
    assert storage.exists(avatar_name)
    with django_capture_on_commit_callbacks(execute=True):
        gone = client.delete("/api/v1/profile/avatar")
    assert gone.status_code == 200, gone.content
    assert not storage.exists(avatar_name)
    assert gone.json()["avatar"].endswith("/static/web/img/avatar.png")
    assert "source" in gone.json()
    alice.refresh_from_db()
    assert not alice.avatar
    assert alice.header
    assert client.delete("/api/v1/profile/header").status_code == 200
    alice.refresh_from_db()
    assert not alice.header
    assert client.delete("/api/v1/profile/header").status_code == 200  # none left: not an error
    assert client.get("/api/v1/profile").json()["avatar"] is None
