"""Accounts through the Mastodon API: registration, credentials, profiles, statuses, the
social graph, and every bad input answered in Mastodon's shape (never a 500)."""

import pytest
from django.test import Client

from storefeed.accounts.models import User
from storefeed.posts.services import media_create, status_create, status_pin, status_reblog
from storefeed.social.models import Block, Follow, FollowRequest, Mute
from storefeed.social.services import block_create, follow_create, mute_create
from tests.api.conftest import png_upload

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "mei_lin",
    "email": "mei@example.com",
    "password": "plum-orchard-47",
    "agreement": "true",
    "locale": "zh",
}


# Registration --------------------------------------------------------------------------


def test_register_returns_a_token_that_works_at_once(api_client):
    app = api_client(None, scopes="read write", app_scopes="read write follow")
    response = app.post("/api/v1/accounts", GOOD)
    assert response.status_code == 200, response.content
    entity = response.json()
    assert entity["token_type"] == "Bearer"
    assert entity["scope"] == "read write follow"
    assert isinstance(entity["created_at"], int)
    me = Client(headers={"Authorization": f"Bearer {entity['access_token']}"}).get(
        "/api/v1/accounts/verify_credentials"
    )
    assert me.status_code == 200
    assert me.json()["username"] == "mei_lin"
    assert User.objects.get(username="mei_lin").check_password("plum-orchard-47")


def test_register_takes_json(api_client):
    response = api_client(None).post(
        "/api/v1/accounts", {**GOOD, "agreement": True}, content_type="application/json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"username": "alice"}, "username", "ERR_TAKEN"),
        ({"username": "ALICE"}, "username", "ERR_TAKEN"),
        ({"username": "has space"}, "username", "ERR_INVALID"),
        ({"username": ""}, "username", "ERR_BLANK"),
        ({"username": "admin"}, "username", "ERR_RESERVED"),
        ({"email": "not-an-email"}, "email", "ERR_INVALID"),
        ({"email": "alice@example.com"}, "email", "ERR_TAKEN"),
        ({"password": "short"}, "password", "ERR_TOO_SHORT"),
        ({"password": "password123"}, "password", "ERR_INVALID"),
        ({"password": ""}, "password", "ERR_BLANK"),
        ({"agreement": "false"}, "agreement", "ERR_ACCEPTED"),
    ],
)
def test_register_refusals_name_the_field_and_create_nothing(
    api_client, alice, change, field, code
):
    before = User.objects.count()
    response = api_client(None).post("/api/v1/accounts", {**GOOD, **change})
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("Validation failed: ")
    assert body["details"][field][0]["error"] == code
    assert body["details"][field][0]["description"]
    assert User.objects.count() == before


def test_register_wrong_types_and_malformed_json(api_client):
    app = api_client(None)
    wrong = app.post(
        "/api/v1/accounts", {**GOOD, "username": ["a", "b"]}, content_type="application/json"
    )
    assert wrong.status_code == 422
    assert app.post("/api/v1/accounts", {**GOOD, "agreement": "perhaps"}).status_code == 422
    assert app.post("/api/v1/accounts", "{x", content_type="application/json").status_code == 400
    assert not User.objects.exists()


def test_register_needs_an_app_token_with_write(api_client, anon):
    assert anon.post("/api/v1/accounts", GOOD).status_code == 401
    assert api_client(None, scopes="read").post("/api/v1/accounts", GOOD).status_code == 403
    assert not User.objects.exists()


# The signed-in account -------------------------------------------------------------------


def test_verify_credentials_is_a_credential_account(api_client, alice, bob):
    alice.locked = True
    alice.save()
    follow_create(follower=bob, target=alice)
    data = api_client(alice, scopes="read:accounts").get("/api/v1/accounts/verify_credentials")
    assert data.status_code == 200
    body = data.json()
    assert body["id"] == str(alice.pk)
    assert body["username"] == body["acct"] == "alice"
    assert body["locked"] is True
    assert body["source"]["privacy"] == "public"
    assert body["source"]["follow_requests_count"] == 1
    assert body["created_at"].endswith("Z")


def test_update_credentials_changes_the_profile(api_client, alice):
    client = api_client(alice)
    response = client.patch(
        "/api/v1/accounts/update_credentials",
        "display_name=Alice+L&note=Hello+%23shop&locked=true"
        "&fields_attributes[0][name]=Shop&fields_attributes[0][value]=https://shop.example"
        "&fields_attributes[1][name]=Likes&fields_attributes[1][value]=tea"
        "&source[privacy]=unlisted&source[sensitive]=true&source[language]=zh",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "Alice L"
    assert body["locked"] is True
    assert [f["name"] for f in body["fields"]] == ["Shop", "Likes"]
    assert body["source"]["privacy"] == "unlisted"
    assert body["source"]["sensitive"] is True
    assert body["source"]["language"] == "zh"
    alice.refresh_from_db()
    assert alice.note == "Hello #shop"
    assert alice.fields == [
        {"name": "Shop", "value": "https://shop.example"},
        {"name": "Likes", "value": "tea"},
    ]
    assert alice.default_visibility == "unlisted"


def test_update_credentials_takes_json_and_multipart_images(api_client, alice):
    client = api_client(alice)
    as_json = client.patch(
        "/api/v1/accounts/update_credentials",
        {"fields_attributes": [{"name": "城市", "value": "上海"}], "locked": False},
        content_type="application/json",
    )
    assert as_json.status_code == 200
    assert as_json.json()["fields"][0]["value"] == "上海"
    images = client.patch(
        "/api/v1/accounts/update_credentials",
        _multipart({"avatar": png_upload(), "header": png_upload("h.png", (300, 100))}),
        content_type="multipart/form-data; boundary=BoUnDaRy",
    )
    assert images.status_code == 200, images.content
    alice.refresh_from_db()
    assert alice.avatar
    assert alice.header
    assert images.json()["avatar"].endswith(alice.avatar.url)
    # Mastodon.py and others also send these with POST.
    assert client.post("/api/v1/accounts/update_credentials", {"note": "hi"}).status_code == 200


def _multipart(files: dict) -> bytes:
    from django.test.client import encode_multipart

    return encode_multipart("BoUnDaRy", files)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"display_name": "x" * 61}, "display_name"),
        ({"note": "x" * 501}, "note"),
        ({"source": {"privacy": "direct"}}, "source[privacy]"),
        ({"source": {"language": "not a language"}}, "source[language]"),
        (
            {"fields_attributes": [{"name": str(i), "value": "v"} for i in range(5)]},
            "fields_attributes",
        ),
        ({"fields_attributes": [{"name": "n", "value": "v" * 256}]}, "fields_attributes"),
    ],
)
def test_update_credentials_refusals_change_nothing(api_client, alice, body, field):
    response = api_client(alice).patch(
        "/api/v1/accounts/update_credentials", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in response.json()["details"]
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
    assert alice.fields == []
    assert alice.default_visibility == "public"


@pytest.mark.parametrize(
    "body",
    [
        {"display_name": {"a": 1}},
        {"locked": "maybe"},
        {"fields_attributes": "nope"},
        {"fields_attributes": [["a", "b"]]},
        {"source": "public"},
        {"source": {"sensitive": "sometimes"}},
        {"avatar": "not-a-file"},
    ],
)
def test_update_credentials_wrong_types_are_422(api_client, alice, body):
    response = api_client(alice).patch(
        "/api/v1/accounts/update_credentials", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert "error" in response.json()


def test_update_credentials_refuses_a_fake_image_and_malformed_json(api_client, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client(alice)
    fake = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    response = client.post("/api/v1/accounts/update_credentials", {"avatar": fake})
    assert response.status_code == 422
    assert "avatar" in response.json()["details"]
    bad = client.patch("/api/v1/accounts/update_credentials", "{", content_type="application/json")
    assert bad.status_code == 400
    alice.refresh_from_db()
    assert not alice.avatar


# Reading accounts ------------------------------------------------------------------------


def test_get_account_and_lookup(anon, alice):
    got = anon.get(f"/api/v1/accounts/{alice.pk}")
    assert got.status_code == 200
    assert got.json()["username"] == "alice"
    assert "source" not in got.json()
    assert anon.get(f"/api/v1/accounts/{alice.pk}/").status_code == 200
    for acct in ("alice", "@Alice", "alice@testserver"):
        looked = anon.get("/api/v1/accounts/lookup", {"acct": acct})
        assert looked.status_code == 200
        assert looked.json()["id"] == str(alice.pk)
    for acct in ("nobody", "alice@elsewhere.example", ""):
        assert anon.get("/api/v1/accounts/lookup", {"acct": acct}).status_code == 404


@pytest.mark.parametrize("account_id", ["1", "abc", "99999999999999999999999", "-5"])
def test_unknown_account_is_404(anon, alice, account_id):
    response = anon.get(f"/api/v1/accounts/{account_id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


def test_account_statuses_filters_and_pages(api_client, anon, alice, bob):
    first = status_create(account=alice, text="first #tea")
    media = media_create(account=alice, file=png_upload())
    with_media = status_create(account=alice, text="photo", media_ids=[media.pk])
    reply = status_create(
        account=alice, text="@bob hi", in_reply_to_id=status_create(account=bob, text="bob's").pk
    )
    reblog = status_reblog(account=alice, status_id=status_create(account=bob, text="b2").pk)
    private = status_create(account=alice, text="fans only", visibility="private")
    status_pin(account=alice, status_id=first.pk)
    url = f"/api/v1/accounts/{alice.pk}/statuses"

    def ids(client, **params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [int(s["id"]) for s in response.json()]

    assert ids(anon) == [reblog.pk, reply.pk, with_media.pk, first.pk]
    assert ids(anon, exclude_replies="true") == [reblog.pk, with_media.pk, first.pk]
    assert ids(anon, exclude_reblogs="1") == [reply.pk, with_media.pk, first.pk]
    assert ids(anon, only_media="true") == [with_media.pk]
    assert ids(anon, pinned="true") == [first.pk]
    assert ids(anon, tagged="tea") == [first.pk]
    assert private.pk not in ids(api_client(bob))
    follow_create(follower=bob, target=alice)
    assert private.pk in ids(api_client(bob))

    page = anon.get(url, {"limit": 2})
    assert len(page.json()) == 2
    assert 'rel="next"' in page["Link"]
    assert f"max_id={reply.pk}" in page["Link"]
    older = ids(anon, limit=2, max_id=reply.pk)
    assert older == [with_media.pk, first.pk]
    assert ids(anon, min_id=with_media.pk, limit=1) == [reply.pk]
    assert anon.get(url, {"limit": "many"}).status_code == 422


def test_account_statuses_of_someone_blocking_you_is_empty(api_client, alice, bob):
    status_create(account=alice, text="hi")
    block_create(account=alice, target=bob)
    assert api_client(bob).get(f"/api/v1/accounts/{alice.pk}/statuses").json() == []


def test_followers_and_following_page_on_the_edge(anon, alice, bob, carol):
    follow_create(follower=bob, target=alice)
    follow_create(follower=carol, target=alice)
    follow_create(follower=alice, target=carol)
    followers = anon.get(f"/api/v1/accounts/{alice.pk}/followers")
    assert [a["username"] for a in followers.json()] == ["carol", "bob"]
    page = anon.get(f"/api/v1/accounts/{alice.pk}/followers", {"limit": 1})
    assert [a["username"] for a in page.json()] == ["carol"]
    edge = Follow.objects.get(follower=carol, target=alice).pk
    assert f"max_id={edge}" in page["Link"]
    rest = anon.get(f"/api/v1/accounts/{alice.pk}/followers", {"limit": 1, "max_id": edge})
    assert [a["username"] for a in rest.json()] == ["bob"]
    following = anon.get(f"/api/v1/accounts/{alice.pk}/following")
    assert [a["username"] for a in following.json()] == ["carol"]
    assert anon.get("/api/v1/accounts/123/followers").status_code == 404


def test_search_accounts(api_client, alice, bob, carol):
    follow_create(follower=alice, target=carol)
    client = api_client(alice, scopes="read:accounts")
    found = client.get("/api/v1/accounts/search", {"q": "car"})
    assert [a["username"] for a in found.json()] == ["carol"]
    assert client.get("/api/v1/accounts/search", {"q": ""}).json() == []
    # Full text, every word a prefix however short: "c" finds carol, not bob or alice.
    following_only = client.get("/api/v1/accounts/search", {"q": "c", "following": "true"})
    assert [a["username"] for a in following_only.json()] == ["carol"]
    assert client.get("/api/v1/accounts/search", {"q": "lic"}).json() == []  # not inside words
    assert client.get("/api/v1/accounts/search", {"q": "o", "limit": "x"}).status_code == 422


def test_relationships(api_client, alice, bob, carol):
    follow_create(follower=alice, target=bob)
    mute_create(account=alice, target=carol)
    client = api_client(alice, scopes="read:follows")
    response = client.get(
        "/api/v1/accounts/relationships", {"id[]": [str(bob.pk), str(carol.pk), "nope", "1"]}
    )
    assert response.status_code == 200
    rels = response.json()
    assert [r["id"] for r in rels] == [str(bob.pk), str(carol.pk)]
    assert rels[0]["following"] is True
    assert rels[0]["showing_reblogs"] is True
    assert rels[1]["muting"] is True
    single = client.get("/api/v1/accounts/relationships", {"id": str(bob.pk)})
    assert single.json()[0]["following"] is True


def test_featured_tags_lists_and_familiar_followers_answer_empty(api_client, anon, alice, bob):
    assert anon.get(f"/api/v1/accounts/{alice.pk}/featured_tags").json() == []
    client = api_client(bob)
    assert client.get(f"/api/v1/accounts/{alice.pk}/lists").json() == []
    familiar = client.get("/api/v1/accounts/familiar_followers", {"id[]": [str(alice.pk)]})
    assert familiar.json() == [{"id": str(alice.pk), "accounts": []}]


# Follows, blocks, mutes ----------------------------------------------------------------


def test_follow_unfollow(api_client, alice, bob):
    client = api_client(bob)
    followed = client.post(
        f"/api/v1/accounts/{alice.pk}/follow", {"reblogs": "false", "notify": "true"}
    )
    assert followed.status_code == 200
    rel = followed.json()
    assert rel["following"] is True
    assert rel["showing_reblogs"] is False
    assert rel["notifying"] is True
    again = client.post(f"/api/v1/accounts/{alice.pk}/follow")
    assert again.status_code == 200
    assert again.json()["following"] is True
    assert Follow.objects.filter(follower=bob, target=alice).count() == 1
    alice.refresh_from_db()
    assert alice.followers_count == 1
    unfollowed = client.post(f"/api/v1/accounts/{alice.pk}/unfollow")
    assert unfollowed.json()["following"] is False
    assert not Follow.objects.exists()


def test_following_a_locked_account_asks_and_the_owner_decides(api_client, alice, bob, carol):
    alice.locked = True
    alice.save()
    asked = api_client(bob).post(f"/api/v1/accounts/{alice.pk}/follow")
    assert asked.json()["requested"] is True
    assert asked.json()["following"] is False
    api_client(carol).post(f"/api/v1/accounts/{alice.pk}/follow")
    owner = api_client(alice)
    pending = owner.get("/api/v1/follow_requests")
    assert [a["username"] for a in pending.json()] == [
        "carol",
        "bob",
    ]  # newest first, as Link pages on with max_id
    approved = owner.post(f"/api/v1/follow_requests/{bob.pk}/authorize")
    assert approved.status_code == 200
    assert approved.json()["followed_by"] is True
    rejected = owner.post(f"/api/v1/follow_requests/{carol.pk}/reject")
    assert rejected.json()["requested_by"] is False
    assert Follow.objects.filter(follower=bob, target=alice).exists()
    assert not FollowRequest.objects.exists()
    missing = owner.post(f"/api/v1/follow_requests/{carol.pk}/authorize")
    assert missing.status_code == 404
    assert owner.post("/api/v1/follow_requests/123/reject").status_code == 404


def test_follow_refusals(api_client, alice, bob):
    client = api_client(bob)
    myself = client.post(f"/api/v1/accounts/{bob.pk}/follow")
    assert myself.status_code == 422
    assert "yourself" in myself.json()["error"]
    block_create(account=alice, target=bob)
    blocked = client.post(f"/api/v1/accounts/{alice.pk}/follow")
    assert blocked.status_code == 403
    assert client.post("/api/v1/accounts/42/follow").status_code == 404
    assert client.post(f"/api/v1/accounts/{alice.pk}/follow", {"reblogs": "x"}).status_code == 422
    assert client.get(f"/api/v1/accounts/{alice.pk}/follow").status_code == 405
    assert not Follow.objects.exists()


def test_block_mute_and_their_lists(api_client, alice, bob, carol):
    follow_create(follower=bob, target=alice)
    client = api_client(alice)
    blocked = client.post(f"/api/v1/accounts/{bob.pk}/block")
    assert blocked.json()["blocking"] is True
    assert blocked.json()["followed_by"] is False
    muted = client.post(
        f"/api/v1/accounts/{carol.pk}/mute", {"notifications": "false", "duration": "60"}
    )
    assert muted.json()["muting"] is True
    assert muted.json()["muting_notifications"] is False
    assert [a["username"] for a in client.get("/api/v1/blocks").json()] == ["bob"]
    assert [a["username"] for a in client.get("/api/v1/mutes").json()] == ["carol"]
    page = client.get("/api/v1/blocks", {"limit": 1})
    assert f"max_id={Block.objects.get().pk}" in page["Link"]
    assert client.post(f"/api/v1/accounts/{bob.pk}/unblock").json()["blocking"] is False
    assert client.post(f"/api/v1/accounts/{carol.pk}/unmute").json()["muting"] is False
    assert not Block.objects.exists()
    assert not Mute.objects.exists()
    assert client.get("/api/v1/blocks").json() == []
    assert client.post(f"/api/v1/accounts/{alice.pk}/block").status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("post", "follow", "write:follows"),
        ("post", "unfollow", "write:follows"),
        ("post", "block", "write:blocks"),
        ("post", "unblock", "write:blocks"),
        ("post", "mute", "write:mutes"),
        ("post", "unmute", "write:mutes"),
    ],
)
def test_graph_writes_need_their_scope(api_client, anon, alice, bob, method, path, scope):
    url = f"/api/v1/accounts/{alice.pk}/{path}"
    assert getattr(anon, method)(url).status_code == 401
    assert getattr(api_client(bob, scopes="read write:statuses"), method)(url).status_code == 403
    assert getattr(api_client(bob, scopes=scope), method)(url).status_code == 200
    assert getattr(api_client(bob, scopes="follow"), method)(url).status_code == 200


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/api/v1/follow_requests", "read:follows"),
        ("/api/v1/mutes", "read:mutes"),
        ("/api/v1/blocks", "read:blocks"),
        ("/api/v1/accounts/relationships", "read:follows"),
        ("/api/v1/accounts/search?q=a", "read:accounts"),
    ],
)
def test_graph_reads_need_their_scope(api_client, anon, alice, path, scope):
    assert anon.get(path).status_code == 401
    assert api_client(alice, scopes="write").get(path).status_code == 403
    assert api_client(alice, scopes=scope).get(path).status_code == 200
