"""Quote posts as Mastodon 4.5: policies, the Quote and QuoteApproval entities, the quotes of
a post, revoking, changing the policy; deleting with delete_media=false."""

import pytest

from storefeed.notifications.models import Notification
from storefeed.posts import services as posts
from storefeed.posts.models import MediaAttachment, Status
from storefeed.social import services as social

pytestmark = pytest.mark.django_db

QUOTE_REFUSED = "The post you are trying to quote does not appear to exist."


def test_quote_and_approval_shapes(api_for, alice, bob):
    original = posts.status_create(account=alice, text="matcha")
    r = api_for(bob).post(
        "/api/v1/statuses", {"status": "so good", "quoted_status_id": str(original.pk)}
    )
    assert r.status_code == 200, r.content
    quote = r.json()["quote"]
    assert quote["state"] == "accepted"
    assert quote["quoted_status"]["id"] == str(original.pk)
    # Inside the quoted post, a quote would be shallow; this one quotes nothing.
    assert quote["quoted_status"]["quote"] is None
    assert r.json()["quote_approval"] == {
        "automatic": ["public"],
        "manual": [],
        "current_user": "automatic",
    }
    shown = api_for(alice).get(f"/api/v1/statuses/{original.pk}").json()
    assert shown["quote_approval"]["current_user"] == "automatic"
    assert shown["reblogs_count"] == 1
    anonymous = api_for(alice).client.__class__().get(f"/api/v1/statuses/{original.pk}").json()
    assert anonymous["quote_approval"]["current_user"] == "denied"
    note = Notification.objects.get(recipient=alice)
    assert note.type == "quote"
    assert api_for(alice).get("/api/v1/notifications").json()[0]["type"] == "quote"


def test_policy_when_posting_and_default(api_for, alice, bob):
    api = api_for(alice)
    r = api.post("/api/v1/statuses", {"status": "mine", "quote_approval_policy": "followers"})
    assert r.json()["quote_approval"]["automatic"] == ["followers"]
    followers_only = Status.objects.get(pk=r.json()["id"])
    # Not a follower: refused as Mastodon does (404, its wording), nothing made.
    refused = api_for(bob).post(
        "/api/v1/statuses", {"status": "q", "quoted_status_id": str(followers_only.pk)}
    )
    assert refused.status_code == 404
    assert refused.json() == {"error": QUOTE_REFUSED}
    assert not Status.objects.filter(account=bob).exists()
    assert (
        api_for(bob)
        .get(f"/api/v1/statuses/{followers_only.pk}")
        .json()["quote_approval"]["current_user"]
        == "denied"
    )
    social.follow_create(follower=bob, target=alice)
    ok = api_for(bob).post(
        "/api/v1/statuses", {"status": "q", "quoted_status_id": str(followers_only.pk)}
    )
    assert ok.status_code == 200
    # The author's default, from update_credentials.
    r = api.client.patch(
        "/api/v1/accounts/update_credentials",
        '{"source": {"quote_policy": "nobody"}}',
        content_type="application/json",
    )
    assert r.json()["source"]["quote_policy"] == "nobody"
    assert api.get("/api/v1/preferences").json()["posting:default:quote_policy"] == "nobody"
    closed = api.post("/api/v1/statuses", {"status": "closed"}).json()
    assert closed["quote_approval"] == {"automatic": [], "manual": [], "current_user": "automatic"}
    refused = api_for(bob).post(
        "/api/v1/statuses", {"status": "q", "quoted_status_id": closed["id"]}
    )
    assert refused.status_code == 404
    # The author may quote their own post whatever its policy.
    assert (
        api.post("/api/v1/statuses", {"status": "me", "quoted_status_id": closed["id"]}).status_code
        == 200
    )


def test_private_posts_are_quoted_by_nobody(api_for, alice):
    r = api_for(alice).post(
        "/api/v1/statuses",
        {"status": "fans", "visibility": "private", "quote_approval_policy": "public"},
    )
    assert r.json()["quote_approval"]["automatic"] == []


@pytest.mark.parametrize(
    ("value", "where"),
    [("everyone", "/api/v1/statuses"), ("", "/api/v1/accounts/update_credentials")],
)
def test_bad_policies_are_refused(api_for, alice, value, where):
    api = api_for(alice)
    if where == "/api/v1/statuses":
        r = api.post(where, {"status": "x", "quote_approval_policy": value})
        assert r.status_code == 422
        assert "public, followers or nobody" in r.json()["error"]
        assert not Status.objects.exists()
    else:
        r = api.client.patch(
            where, '{"source": {"quote_policy": "friends"}}', content_type="application/json"
        )
        assert r.status_code == 422
        alice.refresh_from_db()
        assert alice.default_quote_policy == "public"


def test_quotes_list_revoke_and_interaction_policy(api_for, alice, bob, carol):
    original = posts.status_create(account=alice, text="matcha")
    q1 = posts.status_create(account=bob, text="one", quote_of_id=original.pk)
    q2 = posts.status_create(account=carol, text="two", quote_of_id=original.pk)
    api = api_for(alice)
    listed = api.get(f"/api/v1/statuses/{original.pk}/quotes").json()
    assert [s["id"] for s in listed] == [str(q2.pk), str(q1.pk)]
    # Only the author lists them.
    assert api_for(bob).get(f"/api/v1/statuses/{original.pk}/quotes").status_code == 403
    r = api.post(f"/api/v1/statuses/{original.pk}/quotes/{q1.pk}/revoke")
    assert r.status_code == 200
    assert r.json()["id"] == str(q1.pk)
    assert r.json()["quote"] == {"state": "revoked", "quoted_status": None}
    assert [s["id"] for s in api.get(f"/api/v1/statuses/{original.pk}/quotes").json()] == [
        str(q2.pk)
    ]
    original.refresh_from_db()
    assert original.reblogs_count == 1
    # Revoking again, or a post that does not quote it, or someone else's post: 404.
    assert api.post(f"/api/v1/statuses/{original.pk}/quotes/{q1.pk}/revoke").status_code == 404
    assert (
        api_for(bob).post(f"/api/v1/statuses/{original.pk}/quotes/{q2.pk}/revoke").status_code
        == 404
    )
    r = api.put(
        f"/api/v1/statuses/{original.pk}/interaction_policy", {"quote_approval_policy": "nobody"}
    )
    assert r.status_code == 200
    assert r.json()["quote_approval"]["automatic"] == []
    refused = api_for(bob).post(
        "/api/v1/statuses", {"status": "again", "quoted_status_id": str(original.pk)}
    )
    assert refused.status_code == 404
    bad = api.put(
        f"/api/v1/statuses/{original.pk}/interaction_policy", {"quote_approval_policy": "all"}
    )
    assert bad.status_code == 422
    assert (
        api_for(bob)
        .put(
            f"/api/v1/statuses/{original.pk}/interaction_policy",
            {"quote_approval_policy": "public"},
        )
        .status_code
        == 404
    )
    original.refresh_from_db()
    assert original.quote_policy == "nobody"


def test_deleting_the_quoted_post_leaves_a_deleted_quote(api_for, alice, bob):
    original = posts.status_create(account=alice, text="matcha")
    quote = posts.status_create(account=bob, text="one", quote_of_id=original.pk)
    api_for(alice).delete(f"/api/v1/statuses/{original.pk}")
    shown = api_for(bob).get(f"/api/v1/statuses/{quote.pk}").json()
    assert shown["quote"] == {"state": "deleted", "quoted_status": None}


def test_delete_keeps_media_for_a_redraft_unless_asked(api_for, alice, make_image):
    api = api_for(alice)
    media = api.form("/api/v2/media", {"file": make_image()}).json()
    post = api.post("/api/v1/statuses", {"status": "pic", "media_ids": [media["id"]]}).json()
    assert api.delete(f"/api/v1/statuses/{post['id']}").status_code == 200
    assert MediaAttachment.objects.get(pk=media["id"]).status_id is None
    again = api.post("/api/v1/statuses", {"status": "redraft", "media_ids": [media["id"]]})
    assert again.status_code == 200
    assert again.json()["media_attachments"][0]["id"] == media["id"]
    assert api.delete(f"/api/v1/statuses/{again.json()['id']}?delete_media=true").status_code == 200
    assert not MediaAttachment.objects.filter(pk=media["id"]).exists()
