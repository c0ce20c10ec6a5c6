"""Follow options and list settings through the Mastodon API, as Mastodon applies them:
`notify` (notifications of type "status"), `reblogs`, a second follow changing the options
it names, and lists' `replies_policy` and `exclusive`."""

import pytest

from storefeed.social.models import Follow, FollowRequest

# Every test runs with each home timeline store.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_timeline_store")]


def follow(api, account, **options):
    response = api.post(f"/api/v1/accounts/{account.pk}/follow", options)
    assert response.status_code == 200, response.content
    return response.json()


def post(api, text, **extra):
    response = api.post("/api/v1/statuses", {"status": text, **extra})
    assert response.status_code == 200, response.content
    return response.json()["id"]


def home(api, **params):
    return [s["id"] for s in api.get("/api/v1/timelines/home", params).json()]


# notify ----------------------------------------------------------------------------------


def test_notify_brings_status_notifications_filtered_like_the_others(api_for, alice, bob):
    a, b = api_for(alice), api_for(bob)
    assert follow(b, alice, notify=True)["notifying"] is True
    post(b, "hello @alice")  # a mention for alice: another type, to filter against
    status_id = post(a, "new today")
    notes = b.get("/api/v1/notifications").json()
    assert [(n["type"], n["account"]["id"], n["status"]["id"]) for n in notes] == [
        ("status", str(alice.pk), status_id)
    ]
    assert [n["type"] for n in a.get("/api/v1/notifications").json()] == ["mention", "follow"]
    only = b.get("/api/v1/notifications", {"types[]": ["status"]}).json()
    assert [n["type"] for n in only] == ["status"]
    assert b.get("/api/v1/notifications", {"types[]": ["mention"]}).json() == []
    assert b.get("/api/v1/notifications", {"exclude_types[]": ["status"]}).json() == []
    assert b.get("/api/v1/notifications/unread_count").json() == {"count": 1}


def test_no_status_notification_without_notify_or_for_reposts_and_replies(
    api_for, alice, bob, carol
):
    a, b, c = api_for(alice), api_for(bob), api_for(carol)
    follow(b, alice, notify=True)
    follow(c, alice)
    carols = post(c, "carol's")
    a.post(f"/api/v1/statuses/{carols}/reblog")
    post(a, "hi carol", in_reply_to_id=carols)
    assert b.get("/api/v1/notifications", {"types[]": ["status"]}).json() == []
    mine = post(a, "original")
    # carol follows without notify: only what alice did to her post.
    assert [n["type"] for n in c.get("/api/v1/notifications").json()] == ["mention", "reblog"]
    statuses = b.get("/api/v1/notifications", {"types[]": ["status"]}).json()
    assert [n["status"]["id"] for n in statuses] == [mine]


def test_notify_on_someone_not_followed_follows_them(api_for, alice, bob):
    rel = follow(api_for(bob), alice, notify=True)
    assert (rel["following"], rel["notifying"], rel["showing_reblogs"]) == (True, True, True)
    assert Follow.objects.filter(follower=bob, target=alice, notify=True).exists()


# Following again -------------------------------------------------------------------------


def test_following_again_changes_only_the_options_given(api_for, alice, bob):
    b = api_for(bob)
    rel = follow(b, alice)
    assert (rel["showing_reblogs"], rel["notifying"]) == (True, False)
    rel = follow(b, alice, reblogs=False)
    assert (rel["following"], rel["showing_reblogs"], rel["notifying"]) == (True, False, False)
    rel = follow(b, alice, notify=True)
    assert (rel["showing_reblogs"], rel["notifying"]) == (False, True)
    rel = follow(b, alice)
    assert (rel["showing_reblogs"], rel["notifying"]) == (False, True)
    # Form bodies too, as Mastodon clients send them.
    response = b.form(f"/api/v1/accounts/{alice.pk}/follow", {"reblogs": "true"})
    assert (response.json()["showing_reblogs"], response.json()["notifying"]) == (True, True)
    assert Follow.objects.filter(follower=bob, target=alice).count() == 1
    alice.refresh_from_db()
    assert alice.followers_count == 1
    relationships = b.get("/api/v1/accounts/relationships", {"id[]": [str(alice.pk)]}).json()
    assert (relationships[0]["showing_reblogs"], relationships[0]["notifying"]) == (True, True)


def test_following_again_changes_a_pending_request(api_for, alice, bob):
    alice.locked = True
    alice.save()
    b = api_for(bob)
    rel = follow(b, alice)
    assert (rel["requested"], rel["showing_reblogs"], rel["notifying"]) == (True, True, False)
    rel = follow(b, alice, reblogs=False, notify=True)
    assert (rel["requested"], rel["following"]) == (True, False)
    assert (rel["showing_reblogs"], rel["notifying"]) == (False, True)
    request = FollowRequest.objects.get()
    assert (request.show_reblogs, request.notify) == (False, True)
    api_for(alice).post(f"/api/v1/follow_requests/{bob.pk}/authorize")
    edge = Follow.objects.get(follower=bob, target=alice)
    assert (edge.show_reblogs, edge.notify) == (False, True)


@pytest.mark.parametrize("options", [{"notify": "maybe"}, {"reblogs": "x"}, {"notify": [1]}])
def test_a_bad_option_on_an_existing_follow_is_refused_and_changes_nothing(
    api_for, alice, bob, options
):
    b = api_for(bob)
    follow(b, alice, reblogs=False, notify=True)
    response = b.post(f"/api/v1/accounts/{alice.pk}/follow", options)
    assert response.status_code == 422
    assert "error" in response.json()
    edge = Follow.objects.get()
    assert (edge.show_reblogs, edge.notify) == (False, True)


# reblogs ---------------------------------------------------------------------------------


def test_reblogs_false_keeps_reposts_out_of_home(api_for, alice, bob, carol):
    a, b, c = api_for(alice), api_for(bob), api_for(carol)
    follow(a, bob)
    reposted = [post(c, f"carol {i}") for i in range(2)]
    reblog_ids = [b.post(f"/api/v1/statuses/{s}/reblog").json()["id"] for s in reposted]
    own = post(b, "bob's own")
    assert home(a) == [own, *reblog_ids[::-1]]
    follow(a, bob, reblogs=False)
    assert home(a) == [own]
    later = post(c, "carol later")
    b.post(f"/api/v1/statuses/{later}/reblog")
    assert home(a) == [own]
    assert home(a, limit=1) == [own]
    follow(a, bob, reblogs=True)
    assert home(a) == [own, *reblog_ids[::-1]]


# Lists -----------------------------------------------------------------------------------


def list_with(api, title, members, **settings):
    item = api.post("/api/v1/lists", {"title": title, **settings}).json()
    added = api.post(
        f"/api/v1/lists/{item['id']}/accounts", {"account_ids": [str(m.pk) for m in members]}
    )
    assert added.status_code == 200, added.content
    return item


def test_replies_policy_in_the_list_timeline(api_for, alice, bob, carol):
    a, b, c = api_for(alice), api_for(bob), api_for(carol)
    follow(a, bob)
    follow(a, carol)
    item = list_with(a, "Bob", [bob], replies_policy="list")
    assert item["replies_policy"] == "list"
    carols = post(c, "carol's")
    own = post(b, "bob's own")
    to_himself = post(b, "more", in_reply_to_id=own)
    to_carol = post(b, "hi carol", in_reply_to_id=carols)

    def listed():
        return [s["id"] for s in a.get(f"/api/v1/timelines/list/{item['id']}").json()]

    assert listed() == [to_himself, own]
    assert a.put(f"/api/v1/lists/{item['id']}", {"replies_policy": "followed"}).status_code == 200
    assert listed() == [to_carol, to_himself, own]
    a.put(f"/api/v1/lists/{item['id']}", {"replies_policy": "none"})
    assert listed() == [to_himself, own]
    refused = a.put(f"/api/v1/lists/{item['id']}", {"replies_policy": "everyone"})
    assert refused.status_code == 422
    assert a.get(f"/api/v1/lists/{item['id']}").json()["replies_policy"] == "none"


def test_exclusive_list_members_leave_home_for_the_list(api_for, alice, bob, carol):
    a = api_for(alice)
    follow(a, bob)
    follow(a, carol)
    item = list_with(a, "Bob", [bob], exclusive=True)
    assert item["exclusive"] is True
    bobs = post(api_for(bob), "bob's")
    carols = post(api_for(carol), "carol's")
    assert home(a) == [carols]
    assert [s["id"] for s in a.get(f"/api/v1/timelines/list/{item['id']}").json()] == [bobs]
    a.put(f"/api/v1/lists/{item['id']}", {"exclusive": False})
    assert home(a) == [carols, bobs]
