"""Editing statuses through the Mastodon API (PUT /api/v1/statuses/:id), the history and the
source, as Mastodon 4 does."""

import pytest

from storefeed.notifications.models import Notification
from storefeed.posts.models import MediaAttachment, Poll, PollVote, Status, StatusEdit

pytestmark = pytest.mark.django_db


def _post(api, **data):
    res = api.post("/api/v1/statuses", {"status": "first #old", **data})
    assert res.status_code == 200, res.content
    return res.json()


def test_edit_rerenders_records_history_and_source(api_for, alice, bob):
    api = api_for(alice)
    posted = _post(api)
    assert posted["edited_at"] is None
    res = api.put(
        f"/api/v1/statuses/{posted['id']}",
        {"status": "second #new @bob https://example.com", "spoiler_text": "cw", "language": "en"},
    )
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["edited_at"] is not None and body["edited_at"].endswith("Z")
    assert body["created_at"] == posted["created_at"]
    assert 'href="/@bob" class="mention"' in body["content"]
    assert "https://example.com" in body["content"]
    assert [t["name"] for t in body["tags"]] == ["new"]
    assert [m["username"] for m in body["mentions"]] == ["bob"]
    assert body["spoiler_text"] == "cw" and body["sensitive"] is True
    status = Status.objects.get(pk=posted["id"])
    assert [t.name for t in status.tags.all()] == ["new"]
    # bob was newly mentioned: he hears of it.
    assert Notification.objects.filter(recipient=bob, type="mention").count() == 1

    history = api.get(f"/api/v1/statuses/{posted['id']}/history").json()
    assert history[0]["content"] == posted["content"]
    assert len(history) == 2 and history[1]["content"] == body["content"]
    assert history[0]["created_at"] == posted["created_at"]
    assert history[1]["spoiler_text"] == "cw" and history[1]["account"]["id"] == str(alice.pk)
    assert set(history[0]) == {
        "content",
        "spoiler_text",
        "sensitive",
        "created_at",
        "account",
        "poll",
        "media_attachments",
        "emojis",
    }
    api.put(f"/api/v1/statuses/{posted['id']}", {"status": "third"})
    assert len(api.get(f"/api/v1/statuses/{posted['id']}/history").json()) == 3
    assert StatusEdit.objects.filter(status_id=posted["id"]).count() == 3
    source = api.get(f"/api/v1/statuses/{posted['id']}/source").json()
    assert source == {"id": posted["id"], "text": "third", "spoiler_text": ""}
    # Others who may see the post may read its history too.
    assert len(api_for(bob).get(f"/api/v1/statuses/{posted['id']}/history").json()) == 3
    shown = api_for(bob).get(f"/api/v1/statuses/{posted['id']}").json()
    assert shown["edited_at"] == api.get(f"/api/v1/statuses/{posted['id']}").json()["edited_at"]


def test_history_of_a_post_never_edited_is_itself(api_for, alice):
    api = api_for(alice)
    posted = _post(api)
    history = api.get(f"/api/v1/statuses/{posted['id']}/history").json()
    assert len(history) == 1 and history[0]["content"] == posted["content"]
    assert not StatusEdit.objects.exists()


def test_an_edit_that_changes_nothing_records_nothing(api_for, alice):
    api = api_for(alice)
    posted = _post(api)
    res = api.put(f"/api/v1/statuses/{posted['id']}", {"status": "first #old"})
    assert res.status_code == 200 and res.json()["edited_at"] is None
    assert not StatusEdit.objects.exists()


def test_edit_media_and_descriptions(api_for, alice, make_image):
    api = api_for(alice)
    media = [
        api.form("/api/v2/media", {"file": make_image(f"{i}.jpg"), "description": f"d{i}"}).json()
        for i in range(3)
    ]
    posted = _post(api, media_ids=[media[0]["id"], media[1]["id"]])
    res = api.put(
        f"/api/v1/statuses/{posted['id']}",
        {
            "status": "with other images",
            "media_ids": [media[2]["id"], media[0]["id"]],
            "media_attributes": [{"id": media[0]["id"], "description": "new", "focus": "0.5,-1"}],
        },
    )
    assert res.status_code == 200, res.content
    body = res.json()
    assert [m["id"] for m in body["media_attachments"]] == [media[2]["id"], media[0]["id"]]
    assert body["media_attachments"][1]["description"] == "new"
    assert body["media_attachments"][1]["meta"]["focus"] == {"x": 0.5, "y": -1.0}
    assert MediaAttachment.objects.get(pk=media[1]["id"]).status_id is None
    history = api.get(f"/api/v1/statuses/{posted['id']}/history").json()
    assert [m["description"] for m in history[0]["media_attachments"]] == ["d0", "d1"]
    assert [m["description"] for m in history[1]["media_attachments"]] == ["d2", "new"]
    # No media_ids: the images go (Mastodon's PUT replaces the post).
    gone = api.put(f"/api/v1/statuses/{posted['id']}", {"status": "no images"}).json()
    assert gone["media_attachments"] == []


def test_changing_poll_options_resets_votes_and_same_options_keep_them(api_for, alice, bob):
    api = api_for(alice)
    posted = _post(api, poll={"options": ["a", "b"], "expires_in": 3600})
    poll_id = posted["poll"]["id"]
    api_for(bob).post(f"/api/v1/polls/{poll_id}/votes", {"choices": [1]})
    kept = api.put(
        f"/api/v1/statuses/{posted['id']}",
        {"status": "same poll", "poll": {"options": ["a", "b"], "expires_in": 7200}},
    ).json()
    assert kept["poll"]["votes_count"] == 1 and kept["poll"]["id"] == poll_id
    changed = api.put(
        f"/api/v1/statuses/{posted['id']}",
        {"status": "new poll", "poll": {"options": ["a", "c", "d"], "expires_in": 3600}},
    ).json()
    assert [o["title"] for o in changed["poll"]["options"]] == ["a", "c", "d"]
    assert changed["poll"]["votes_count"] == 0 and not PollVote.objects.exists()
    history = api.get(f"/api/v1/statuses/{posted['id']}/history").json()
    assert [h["poll"]["options"] for h in history][-1] == [
        {"title": "a"},
        {"title": "c"},
        {"title": "d"},
    ]
    no_poll = api.put(f"/api/v1/statuses/{posted['id']}", {"status": "no poll"}).json()
    assert no_poll["poll"] is None and not Poll.objects.exists()


def test_rebloggers_get_an_update_notification_filterable(api_for, alice, bob, carol):
    api = api_for(alice)
    posted = _post(api)
    api_for(bob).post(f"/api/v1/statuses/{posted['id']}/reblog")
    api.put(f"/api/v1/statuses/{posted['id']}", {"status": "edited"})
    bob_api = api_for(bob)
    notes = bob_api.get("/api/v1/notifications").json()
    assert [(n["type"], n["status"]["id"]) for n in notes] == [("update", posted["id"])]
    assert notes[0]["status"]["edited_at"] is not None
    assert bob_api.get("/api/v1/notifications", {"exclude_types[]": ["update"]}).json() == []
    assert len(bob_api.get("/api/v1/notifications", {"types[]": ["update"]}).json()) == 1
    # A second edit brings it back to the top, still one notification.
    api.put(f"/api/v1/statuses/{posted['id']}", {"status": "edited again"})
    assert Notification.objects.filter(recipient=bob, type="update").count() == 1
    assert not Notification.objects.filter(recipient=carol).exists()
    assert not Notification.objects.filter(recipient=alice, type="update").exists()


def _snapshot(status_id):
    status = Status.objects.get(pk=status_id)
    return (
        status.text,
        status.content,
        status.spoiler_text,
        status.edited_at,
        sorted(status.media.values_list("pk", flat=True)),
        list(Poll.objects.filter(status=status).values_list("options", flat=True)),
        StatusEdit.objects.count(),
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"status": ""}, "Write something"),
        ({"status": "x" * 2001}, "at most 2,000 characters"),
        ({"status": "ok", "poll": {"options": ["one"], "expires_in": 3600}}, "between 2 and 4"),
        (
            {"status": "ok", "poll": {"options": ["1", "2", "3", "4", "5"], "expires_in": 3600}},
            "between 2 and 4",
        ),
        ({"status": "hi @nobody_here"}, "no account called"),
        ({"status": "ok", "media_attributes": [{"id": "1", "description": "x"}]}, "not on this"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(api_for, alice, data, error):
    api = api_for(alice)
    posted = _post(api)
    before = _snapshot(posted["id"])
    res = api.put(f"/api/v1/statuses/{posted['id']}", data)
    assert res.status_code == 422, res.content
    assert res.json()["error"].startswith("Validation failed") and error in res.json()["error"]
    assert _snapshot(posted["id"]) == before


def test_media_refusals_change_nothing(api_for, alice, bob, make_image):
    api = api_for(alice)
    mine = [
        api.form("/api/v2/media", {"file": make_image(f"{i}.jpg")}).json()["id"] for i in range(10)
    ]
    theirs = api_for(bob).form("/api/v2/media", {"file": make_image("b.jpg")}).json()["id"]
    posted = _post(api, media_ids=mine[:1])
    other_post = _post(api, status="other", media_ids=mine[1:2])
    before = _snapshot(posted["id"])
    for media_ids in (mine, [theirs], [other_post["media_attachments"][0]["id"]]):
        res = api.put(f"/api/v1/statuses/{posted['id']}", {"status": "x", "media_ids": media_ids})
        assert res.status_code == 422, res.content
        assert res.json()["error"].startswith("Validation failed")
    both = api.put(
        f"/api/v1/statuses/{posted['id']}",
        {"status": "x", "media_ids": mine[:1], "poll": {"options": ["a", "b"]}},
    )
    assert both.status_code == 422
    assert _snapshot(posted["id"]) == before
    assert MediaAttachment.objects.get(pk=theirs).status_id is None


def test_others_posts_deleted_posts_and_reblogs_cannot_be_edited(api_for, alice, bob):
    api = api_for(alice)
    posted = _post(api)
    bob_api = api_for(bob)
    res = bob_api.put(f"/api/v1/statuses/{posted['id']}", {"status": "mine now"})
    assert res.status_code == 404 and res.json() == {"error": "Record not found"}
    reblog = bob_api.post(f"/api/v1/statuses/{posted['id']}/reblog").json()
    res = bob_api.put(f"/api/v1/statuses/{reblog['id']}", {"status": "x"})
    assert res.status_code == 422, res.content
    api.delete(f"/api/v1/statuses/{posted['id']}")
    assert api.put(f"/api/v1/statuses/{posted['id']}", {"status": "x"}).status_code == 404
    assert not StatusEdit.objects.exists()
    assert api_for(alice, scope="read").put(
        f"/api/v1/statuses/{reblog['id']}", {"status": "x"}
    ).status_code in (403, 404)
    assert bob_api.get(f"/api/v1/statuses/{posted['id']}/history").status_code == 404


def test_edit_needs_the_write_statuses_scope(api_for, alice):
    posted = _post(api_for(alice))
    res = api_for(alice, scope="read").put(f"/api/v1/statuses/{posted['id']}", {"status": "x"})
    assert res.status_code == 403
    assert Status.objects.get(pk=posted["id"]).text == "first #old"
