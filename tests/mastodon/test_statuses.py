"""Statuses, media, polls and scheduled posts through the Mastodon API."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from storefeed.posts.models import MediaAttachment, Poll, ScheduledStatus, Status
from storefeed.posts.services import scheduled_statuses_publish_due

pytestmark = pytest.mark.django_db


def test_post_with_images_and_read_it_back(api_for, alice, make_image):
    api = api_for(alice)
    media = [
        api.form("/api/v2/media", {"file": make_image(f"{i}.jpg"), "description": "pic"}).json()
        for i in range(2)
    ]
    assert media[0]["type"] == "image" and media[0]["meta"]["original"]["width"] == 64
    res = api.form(
        "/api/v1/statuses",
        {
            "status": "Hello #美妆 @alice",
            "media_ids[]": [m["id"] for m in media],
            "visibility": "unlisted",
        },
    )
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["visibility"] == "unlisted"
    assert [m["id"] for m in body["media_attachments"]] == [m["id"] for m in media]
    assert body["tags"] == [{"name": "美妆", "url": "http://testserver/tags/美妆"}]
    assert body["url"] == f"http://testserver/@alice/{body['id']}"
    assert body["created_at"].endswith("Z") and len(body["created_at"]) == 24
    again = api.get(f"/api/v1/statuses/{body['id']}/").json()
    assert again["id"] == body["id"]


def test_idempotency_key_makes_one_status(api_for, alice):
    api = api_for(alice)
    first = api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="k1").json()
    second = api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="k1").json()
    assert first["id"] == second["id"]
    assert Status.objects.count() == 1


def test_poll_and_vote(api_for, alice, bob):
    res = api_for(alice).post(
        "/api/v1/statuses",
        {"status": "which?", "poll": {"options": ["a", "b", "c"], "expires_in": 3600}},
    )
    poll_id = res.json()["poll"]["id"]
    bob_api = api_for(bob)
    voted = bob_api.post(f"/api/v1/polls/{poll_id}/votes", {"choices": [2]}).json()
    assert voted["voted"] is True and voted["own_votes"] == [2]
    assert [o["votes_count"] for o in voted["options"]] == [0, 0, 1]
    again = bob_api.post(f"/api/v1/polls/{poll_id}/votes", {"choices": [1]})
    assert again.status_code == 422
    bad = bob_api.post(f"/api/v1/polls/{poll_id}/votes", {"choices": [7]})
    assert bad.status_code == 422 and "error" in bad.json()


def test_a_post_without_visibility_or_language_takes_the_authors_defaults(api_for, alice):
    alice.default_visibility = "private"
    alice.default_sensitive = True
    alice.default_language = "zh"
    alice.save(update_fields=["default_visibility", "default_sensitive", "default_language"])
    api = api_for(alice)
    plain = api.post("/api/v1/statuses", {"status": "defaults"}).json()
    assert (plain["visibility"], plain["sensitive"], plain["language"]) == ("private", True, "zh")
    named = api.form(
        "/api/v1/statuses",
        {"status": "named", "visibility": "public", "sensitive": "false", "language": "en"},
    ).json()
    assert (named["visibility"], named["sensitive"], named["language"]) == ("public", False, "en")
    later = timezone.now() + dt.timedelta(hours=1)
    scheduled = api.post("/api/v1/statuses", {"status": "later", "scheduled_at": later.isoformat()})
    assert scheduled.json()["params"]["visibility"] == "private"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"status": "x", "poll": {"options": ["only"], "expires_in": 3600}}, 422),
        (
            {"status": "x", "poll": {"options": [str(i) for i in range(100)], "expires_in": 3600}},
            422,
        ),
        ({"status": "x" * 2001}, 422),
        ({"status": "x", "visibility": "galaxy"}, 422),
        ({"status": "x", "in_reply_to_id": "123"}, 404),
        ({"status": "x", "media_ids": [str(i) for i in range(10)]}, 422),
        ({"status": "x", "sensitive": "maybe"}, 422),
        ({"status": ["not", "a", "string"]}, 422),
        ({"status": "x", "scheduled_at": "2001-01-01T00:00:00Z"}, 422),
        ({"status": "x", "scheduled_at": "not a date"}, 422),
    ],
)
def test_bad_statuses_are_refused(api_for, alice, body, code):
    res = api_for(alice).post("/api/v1/statuses", body)
    assert res.status_code == code, res.content
    assert "error" in res.json()
    assert not Status.objects.exists() and not ScheduledStatus.objects.exists()


def test_malformed_json_is_400(api_for, alice):
    api = api_for(alice)
    res = api.client.post("/api/v1/statuses", "{nope", content_type="application/json")
    assert res.status_code == 400 and "error" in res.json()


def test_refusals_say_validation_failed_once(api_for, alice, make_image):
    api = api_for(alice)
    bad_poll = api.post(
        "/api/v1/statuses", {"status": "x", "poll": {"options": ["a", "b"], "expires_in": "soon"}}
    )
    assert bad_poll.json() == {"error": "Validation failed: poll expires_in must be a number"}
    bad_time = api.post("/api/v1/statuses", {"status": "x", "scheduled_at": "not a date"})
    assert bad_time.json()["error"] == (
        "Validation failed: Enter a date and time like 2027-02-03T12:30:00Z."
    )
    assert "scheduled_at" in bad_time.json()["details"]
    assert api.form("/api/v2/media", {}).json() == {
        "error": "Validation failed: File can't be blank"
    }
    media = api.form("/api/v2/media", {"file": make_image()}).json()
    bad_focus = api.put(f"/api/v1/media/{media['id']}", {"focus": "left,top"})
    assert bad_focus.status_code == 422
    assert bad_focus.json() == {
        "error": "Validation failed: focus must be two numbers like 0.5,-0.2"
    }
    posted = api.post("/api/v1/statuses", {"status": "to edit"}).json()
    no_id = api.put(
        f"/api/v1/statuses/{posted['id']}",
        {"status": "edited", "media_attributes": [{"description": "which one?"}]},
    )
    assert no_id.json() == {"error": "Validation failed: media_attributes need an id"}
    assert Status.objects.get().text == "to edit"
    assert not ScheduledStatus.objects.exists()


def test_someone_elses_media_is_refused(api_for, alice, bob, make_image):
    theirs = api_for(bob).form("/api/v1/media", {"file": make_image()}).json()
    res = api_for(alice).post("/api/v1/statuses", {"status": "x", "media_ids": [theirs["id"]]})
    assert res.status_code == 422
    assert MediaAttachment.objects.get(pk=theirs["id"]).status is None
    assert api_for(alice).get(f"/api/v1/media/{theirs['id']}").status_code == 404


def test_actions_are_idempotent_and_counted(api_for, alice, bob):
    status_id = api_for(alice).post("/api/v1/statuses", {"status": "like me"}).json()["id"]
    api = api_for(bob)
    for _ in range(2):
        liked = api.post(f"/api/v1/statuses/{status_id}/favourite").json()
        assert liked["favourited"] is True and liked["favourites_count"] == 1
    reblog = api.post(f"/api/v1/statuses/{status_id}/reblog").json()
    assert reblog["reblog"]["id"] == status_id and reblog["reblog"]["reblogged"] is True
    assert api.post(f"/api/v1/statuses/{status_id}/reblog").json()["id"] == reblog["id"]
    assert api.post(f"/api/v1/statuses/{status_id}/bookmark").json()["bookmarked"] is True
    ids = [a["id"] for a in api.get(f"/api/v1/statuses/{status_id}/favourited_by").json()]
    assert ids == [str(bob.pk)]
    assert [s["id"] for s in api.get("/api/v1/bookmarks").json()] == [status_id]
    assert [s["id"] for s in api.get("/api/v1/favourites").json()] == [status_id]
    un = api.post(f"/api/v1/statuses/{status_id}/unreblog").json()
    assert un["reblogged"] is False and un["reblogs_count"] == 0


def test_reblog_visibility_as_asked_or_the_reposters_default(api_for, alice, bob):
    status_id = api_for(alice).post("/api/v1/statuses", {"status": "share me"}).json()["id"]
    bob.default_visibility = "private"
    bob.save(update_fields=["default_visibility"])
    api = api_for(bob)
    asked = api.form(f"/api/v1/statuses/{status_id}/reblog", {"visibility": "unlisted"}).json()
    assert (asked["visibility"], asked["reblog"]["id"]) == ("unlisted", status_id)
    api.post(f"/api/v1/statuses/{status_id}/unreblog")
    assert api.post(f"/api/v1/statuses/{status_id}/reblog").json()["visibility"] == "private"


def test_reply_context_and_delete(api_for, alice, bob):
    a, b = api_for(alice), api_for(bob)
    root = a.post("/api/v1/statuses", {"status": "root"}).json()
    reply = b.post("/api/v1/statuses", {"status": "reply", "in_reply_to_id": root["id"]}).json()
    assert reply["in_reply_to_id"] == root["id"]
    ctx = a.get(f"/api/v1/statuses/{reply['id']}/context").json()
    assert [s["id"] for s in ctx["ancestors"]] == [root["id"]]
    assert b.delete(f"/api/v1/statuses/{root['id']}").status_code == 404
    deleted = a.delete(f"/api/v1/statuses/{root['id']}").json()
    assert deleted["text"] == "root"
    assert a.get(f"/api/v1/statuses/{root['id']}").status_code == 404
    res = b.post("/api/v1/statuses", {"status": "late", "in_reply_to_id": root["id"]})
    assert res.status_code == 404


def test_private_post_is_404_for_non_followers(api_for, alice, bob):
    private = (
        api_for(alice).post("/api/v1/statuses", {"status": "fans", "visibility": "private"}).json()
    )
    assert api_for(bob).get(f"/api/v1/statuses/{private['id']}").status_code == 404
    from django.test import Client

    assert Client().get(f"/api/v1/statuses/{private['id']}").status_code == 404


def test_scope_and_token_refusals(api_for, alice):
    reader = api_for(alice, scope="read")
    res = reader.post("/api/v1/statuses", {"status": "nope"})
    assert res.status_code == 403
    from django.test import Client

    assert Client().post("/api/v1/statuses", {"status": "x"}).status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer nonsense")
    assert bad.get("/api/v1/timelines/home").status_code == 401
    assert not Status.objects.exists()


def test_scheduled_status_is_published_by_the_worker(api_for, alice):
    api = api_for(alice)
    when = timezone.now() + dt.timedelta(hours=1)
    scheduled = api.post(
        "/api/v1/statuses", {"status": "later", "scheduled_at": when.isoformat()}
    ).json()
    assert scheduled["params"]["text"] == "later"
    assert [s["id"] for s in api.get("/api/v1/scheduled_statuses").json()] == [scheduled["id"]]
    assert scheduled_statuses_publish_due() == 0
    with time_machine.travel(when + dt.timedelta(minutes=1)):
        assert scheduled_statuses_publish_due() == 1
        assert scheduled_statuses_publish_due() == 0
    assert Status.objects.get().text == "later"
    assert not ScheduledStatus.objects.exists()


def test_a_scheduled_status_shows_its_media_attachments(api_for, alice, make_image):
    api = api_for(alice)
    media = api.form("/api/v2/media", {"file": make_image(), "description": "later"}).json()
    when = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    scheduled = api.post(
        "/api/v1/statuses", {"status": "x", "media_ids": [media["id"]], "scheduled_at": when}
    ).json()
    assert [m["id"] for m in scheduled["media_attachments"]] == [media["id"]]
    assert scheduled["media_attachments"][0]["description"] == "later"
    assert scheduled["params"]["media_ids"] == [media["id"]]
    (listed,) = api.get("/api/v1/scheduled_statuses").json()
    assert listed["media_attachments"] == scheduled["media_attachments"]
    one = api.get(f"/api/v1/scheduled_statuses/{scheduled['id']}").json()
    assert one["media_attachments"] == scheduled["media_attachments"]


def test_timelines_and_paging(api_for, alice, bob):
    a, b = api_for(alice), api_for(bob)
    a.post(f"/api/v1/accounts/{bob.pk}/follow")
    from storefeed.social.services import follow_create

    if not alice.following_edges.exists():
        follow_create(follower=alice, target=bob)
    ids = [b.post("/api/v1/statuses", {"status": f"n{i} #tea"}).json()["id"] for i in range(5)]
    page = a.get("/api/v1/timelines/home", {"limit": 2})
    assert [s["id"] for s in page.json()] == ids[::-1][:2]
    link = page["Link"]
    assert 'rel="next"' in link and f"max_id={ids[3]}" in link
    assert [s["id"] for s in a.get("/api/v1/timelines/public").json()][:1] == [ids[-1]]
    assert len(a.get("/api/v1/timelines/tag/tea").json()) == 5
    from django.test import Client

    assert len(Client().get("/api/v1/timelines/public").json()) == 5
    assert Client().get("/api/v1/timelines/home").status_code == 401


def test_lists(api_for, alice, bob, carol):
    a = api_for(alice)
    from storefeed.social.services import follow_create

    follow_create(follower=alice, target=bob)
    lst = a.post("/api/v1/lists", {"title": "Friends"}).json()
    assert (
        a.post(f"/api/v1/lists/{lst['id']}/accounts", {"account_ids": [str(carol.pk)]}).status_code
        == 422
    )
    assert (
        a.post(f"/api/v1/lists/{lst['id']}/accounts", {"account_ids": [str(bob.pk)]}).status_code
        == 200
    )
    post = api_for(bob).post("/api/v1/statuses", {"status": "in list"}).json()
    assert [s["id"] for s in a.get(f"/api/v1/timelines/list/{lst['id']}").json()] == [post["id"]]
    assert api_for(carol).get(f"/api/v1/lists/{lst['id']}").status_code == 404
    assert api_for(carol).get(f"/api/v1/timelines/list/{lst['id']}").status_code == 404
    assert a.post("/api/v1/lists", {"title": ""}).status_code == 422


def test_notifications(api_for, alice, bob):
    status_id = api_for(alice).post("/api/v1/statuses", {"status": "hi"}).json()["id"]
    api_for(bob).post(f"/api/v1/statuses/{status_id}/favourite")
    api_for(bob).post("/api/v1/statuses", {"status": "@alice yo"})
    a = api_for(alice)
    notes = a.get("/api/v1/notifications").json()
    assert [n["type"] for n in notes] == ["mention", "favourite"]
    assert [
        n["type"] for n in a.get("/api/v1/notifications", {"types[]": ["favourite"]}).json()
    ] == ["favourite"]
    assert [
        n["type"] for n in a.get("/api/v1/notifications", {"exclude_types[]": ["favourite"]}).json()
    ] == ["mention"]
    assert a.get(f"/api/v1/notifications/{notes[0]['id']}").json()["id"] == notes[0]["id"]
    assert api_for(bob).get(f"/api/v1/notifications/{notes[0]['id']}").status_code == 404
    assert a.post(f"/api/v1/notifications/{notes[0]['id']}/dismiss").status_code == 200
    assert len(a.get("/api/v1/notifications").json()) == 1
    a.post("/api/v1/notifications/clear")
    assert a.get("/api/v1/notifications").json() == []


def test_tag_timeline_only_media(api_for, alice, make_image):
    api = api_for(alice)
    media = api.form("/api/v2/media", {"file": make_image()}).json()
    with_photo = api.post("/api/v1/statuses", {"status": "#tea", "media_ids": [media["id"]]})
    api.post("/api/v1/statuses", {"status": "#tea too"})
    assert len(api.get("/api/v1/timelines/tag/tea").json()) == 2
    only = api.get("/api/v1/timelines/tag/tea", {"only_media": "true"}).json()
    assert [s["id"] for s in only] == [with_photo.json()["id"]]


def test_search_and_tags(api_for, alice):
    a = api_for(alice)
    a.post("/api/v1/statuses", {"status": "matcha latte #tea"})
    res = a.get("/api/v2/search", {"q": "matcha"}).json()
    assert len(res["statuses"]) == 1
    assert [t["name"] for t in a.get("/api/v2/search", {"q": "#te"}).json()["hashtags"]] == ["tea"]
    assert a.post("/api/v1/tags/tea/follow").json()["following"] is True
    assert [t["name"] for t in a.get("/api/v1/followed_tags").json()] == ["tea"]
    assert a.post("/api/v1/tags/!!!/follow").status_code == 422
    assert a.post("/api/v1/featured_tags", {"name": "tea"}).status_code == 200
    assert Poll.objects.count() == 0


def test_account_featured_tags_and_lists(api_for, alice, bob):
    from storefeed.social.services import follow_create

    a = api_for(alice)
    a.post("/api/v1/featured_tags", {"name": "tea"})
    assert [
        t["name"] for t in api_for(bob).get(f"/api/v1/accounts/{alice.pk}/featured_tags").json()
    ] == ["tea"]
    follow_create(follower=alice, target=bob)
    lst = a.post("/api/v1/lists", {"title": "Tea people"}).json()
    a.post(f"/api/v1/lists/{lst['id']}/accounts", {"account_ids": [str(bob.pk)]})
    assert [x["id"] for x in a.get(f"/api/v1/accounts/{bob.pk}/lists").json()] == [lst["id"]]


def test_featured_tag_counts_its_posts_and_gives_the_last_ones_day(api_for, alice, bob):
    a = api_for(alice)
    assert a.post("/api/v1/featured_tags", {"name": "tea"}).json()["last_status_at"] is None
    a.post("/api/v1/statuses", {"status": "#tea one"})
    api_for(bob).post("/api/v1/statuses", {"status": "#tea by someone else"})
    two = a.post("/api/v1/statuses", {"status": "#tea two"}).json()
    later = dt.datetime(2031, 5, 6, 23, 30, tzinfo=dt.UTC)
    Status.objects.filter(pk=two["id"]).update(created_at=later)
    (featured,) = a.get("/api/v1/featured_tags").json()
    assert (featured["statuses_count"], featured["last_status_at"]) == ("2", "2031-05-06")
