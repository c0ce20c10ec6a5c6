"""Direct-message conversations through the Mastodon API."""

import pytest

from storefeed.conversations.models import AccountConversation

pytestmark = pytest.mark.django_db


def _post(api, text, **extra):
    res = api.post("/api/v1/statuses", {"status": text, "visibility": "direct", **extra})
    assert res.status_code == 200, res.content
    return res.json()


def test_a_thread_of_direct_posts_is_one_conversation(api_for, alice, bob, carol):
    me, bobs = api_for(alice), api_for(bob)
    first = _post(me, "@bob @carol secret plan")
    [mine] = me.get("/api/v1/conversations").json()
    assert mine["unread"] is False  # one's own post
    assert sorted(a["username"] for a in mine["accounts"]) == ["bob", "carol"]
    assert mine["last_status"]["id"] == first["id"]
    [theirs] = bobs.get("/api/v1/conversations").json()
    assert theirs["unread"] is True
    assert sorted(a["username"] for a in theirs["accounts"]) == ["alice", "carol"]

    reply = _post(bobs, "@alice ok", in_reply_to_id=first["id"])
    [mine] = me.get("/api/v1/conversations").json()
    assert mine["last_status"]["id"] == reply["id"] and mine["unread"] is True
    res = me.post(f"/api/v1/conversations/{mine['id']}/read")
    assert res.status_code == 200 and res.json()["unread"] is False
    assert me.get("/api/v1/conversations").json()[0]["unread"] is False

    # Another thread is another conversation, newest first; public posts are none.
    other = _post(me, "@carol just us")
    api_for(alice).post("/api/v1/statuses", {"status": "@bob in public"})
    listed = me.get("/api/v1/conversations").json()
    assert [c["last_status"]["id"] for c in listed] == [other["id"], reply["id"]]
    page = me.get("/api/v1/conversations", {"limit": 1})
    assert len(page.json()) == 1 and "max_id" in page["Link"]

    # Removing it from one's list leaves the others' and the posts; a new post brings it back.
    assert me.delete(f"/api/v1/conversations/{mine['id']}").json() == {}
    assert [c["id"] for c in me.get("/api/v1/conversations").json()] == [listed[0]["id"]]
    assert len(bobs.get("/api/v1/conversations").json()) == 1
    _post(bobs, "@alice still there?", in_reply_to_id=reply["id"])
    assert len(me.get("/api/v1/conversations").json()) == 2


def test_deleting_the_newest_post_shows_the_one_before(api_for, alice, bob):
    me, bobs = api_for(alice), api_for(bob)
    first = _post(me, "@bob one")
    second = _post(bobs, "@alice two", in_reply_to_id=first["id"])
    assert me.get("/api/v1/conversations").json()[0]["last_status"]["id"] == second["id"]
    assert bobs.delete(f"/api/v1/statuses/{second['id']}").status_code == 200
    assert me.get("/api/v1/conversations").json()[0]["last_status"]["id"] == first["id"]
    assert me.delete(f"/api/v1/statuses/{first['id']}").status_code == 200
    assert me.get("/api/v1/conversations").json() == []
    assert not AccountConversation.objects.exists()


def test_refusals(api_for, alice, bob):
    _post(api_for(alice), "@bob hi")
    [theirs] = api_for(bob).get("/api/v1/conversations").json()
    me = api_for(alice)
    assert me.post(f"/api/v1/conversations/{theirs['id']}/read").status_code == 404
    assert me.delete(f"/api/v1/conversations/{theirs['id']}").status_code == 404
    assert me.delete("/api/v1/conversations/abc").status_code == 404
    assert (
        api_for(bob, scope="read").delete(f"/api/v1/conversations/{theirs['id']}").status_code
        == 403
    )
    assert AccountConversation.objects.get(pk=theirs["id"]).unread is True
