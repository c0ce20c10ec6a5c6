"""Grouped notifications (/api/v2/notifications), the notification policy and requests."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from storefeed.notifications.models import Notification, NotificationRequest
from storefeed.posts import services as posts
from storefeed.social import services as social
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def fans(db):
    return [make_user(f"fan{n}") for n in range(10)]


def _like_all(post, users):
    for user in users:
        posts.status_favourite(account=user, status_id=post.pk)


def test_likes_of_one_post_come_as_one_group(api_for, alice, bob, fans):
    post = posts.status_create(account=alice, text="matcha")
    _like_all(post, fans)
    social.follow_create(follower=bob, target=alice)
    r = api_for(alice).get("/api/v2/notifications")
    assert r.status_code == 200
    body = r.json()
    groups = body["notification_groups"]
    assert [g["type"] for g in groups] == ["follow", "favourite"]
    likes = groups[1]
    assert likes["notifications_count"] == 10
    assert likes["status_id"] == str(post.pk)
    # The newest eight accounts, newest first.
    assert likes["sample_account_ids"] == [str(u.pk) for u in reversed(fans)][:8]
    assert likes["group_key"].startswith("favourite-")
    newest = Notification.objects.filter(type="favourite").order_by("-id").first()
    oldest = Notification.objects.filter(type="favourite").order_by("id").first()
    assert likes["most_recent_notification_id"] == str(newest.pk)
    assert (likes["page_max_id"], likes["page_min_id"]) == (str(newest.pk), str(oldest.pk))
    assert likes["latest_page_notification_at"].endswith("Z")
    assert {a["id"] for a in body["accounts"]} >= {str(u.pk) for u in fans[2:]} | {str(bob.pk)}
    assert [s["id"] for s in body["statuses"]] == [str(post.pk)]
    # v1 still lists them one by one, each carrying its group's key.
    v1 = api_for(alice).get("/api/v1/notifications").json()
    assert len(v1) == 11
    assert {n["group_key"] for n in v1 if n["type"] == "favourite"} == {likes["group_key"]}


def test_types_not_grouped_by_the_client_come_one_by_one(api_for, alice, fans):
    post = posts.status_create(account=alice, text="matcha")
    _like_all(post, fans[:3])
    body = api_for(alice).get("/api/v2/notifications", {"grouped_types[]": ["follow"]}).json()
    groups = body["notification_groups"]
    assert len(groups) == 3
    assert all(g["group_key"].startswith("ungrouped-") for g in groups)
    assert all(g["notifications_count"] == 1 for g in groups)


def test_likes_on_other_days_make_other_groups(api_for, alice, fans):
    post = posts.status_create(account=alice, text="matcha")
    with time_machine.travel(timezone.now() - dt.timedelta(days=3)):
        _like_all(post, fans[:2])
    _like_all(post, fans[2:4])
    groups = api_for(alice).get("/api/v2/notifications").json()["notification_groups"]
    assert [g["notifications_count"] for g in groups] == [2, 2]
    assert groups[0]["group_key"] != groups[1]["group_key"]


def test_paging_by_limit_and_link(api_for, alice, fans):
    for fan in fans[:5]:
        social.follow_create(follower=fan, target=alice)
        posts.status_create(account=fan, text="hi @alice")
    api = api_for(alice)
    r = api.get("/api/v2/notifications", {"limit": 3, "grouped_types[]": ["favourite"]})
    first = r.json()["notification_groups"]
    assert len(first) == 3
    assert 'rel="next"' in r["Link"]
    rest = api.get(
        "/api/v2/notifications",
        {"limit": 40, "max_id": first[-1]["page_min_id"], "grouped_types[]": ["favourite"]},
    ).json()["notification_groups"]
    assert len(first) + len(rest) == 10
    assert not {g["group_key"] for g in first} & {g["group_key"] for g in rest}


def test_filters_and_partial_accounts(api_for, alice, bob, fans):
    post = posts.status_create(account=alice, text="matcha")
    _like_all(post, fans[:3])
    social.follow_create(follower=bob, target=alice)
    api = api_for(alice)
    only = api.get("/api/v2/notifications", {"types[]": ["follow"]}).json()
    assert [g["type"] for g in only["notification_groups"]] == ["follow"]
    without = api.get("/api/v2/notifications", {"exclude_types[]": ["follow"]}).json()
    assert [g["type"] for g in without["notification_groups"]] == ["favourite"]
    by = api.get("/api/v2/notifications", {"account_id": bob.pk}).json()
    assert [g["type"] for g in by["notification_groups"]] == ["follow"]
    partial = api.get(
        "/api/v2/notifications", {"expand_accounts": "partial_avatars", "types[]": ["favourite"]}
    ).json()
    assert [a["id"] for a in partial["accounts"]] == [str(fans[2].pk)]
    assert {a["id"] for a in partial["partial_accounts"]} == {str(fans[0].pk), str(fans[1].pk)}
    assert set(partial["partial_accounts"][0]) == {
        "id", "acct", "url", "avatar", "avatar_static", "locked", "bot",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"types[]": ["likes"]}, "types includes unknown types: likes"),
        ({"grouped_types[]": ["nope"]}, "grouped_types includes unknown types: nope"),
        ({"expand_accounts": "some"}, "expand_accounts must be full or partial_avatars"),
        ({"limit": "many"}, "limit must be a number"),
    ],
)
def test_bad_parameters_are_refused(api_for, alice, params, message):
    r = api_for(alice).get("/api/v2/notifications", params)
    assert r.status_code == 422
    assert message in r.json()["error"]


def test_one_group_its_accounts_and_dismissing_it(api_for, alice, bob, fans):
    post = posts.status_create(account=alice, text="matcha")
    _like_all(post, fans[:3])
    social.follow_create(follower=bob, target=alice)
    api = api_for(alice)
    groups = api.get("/api/v2/notifications").json()["notification_groups"]
    likes = next(g for g in groups if g["type"] == "favourite")
    one = api.get(f"/api/v2/notifications/{likes['group_key']}").json()
    assert one["notification_groups"][0]["notifications_count"] == 3
    accounts = api.get(f"/api/v2/notifications/{likes['group_key']}/accounts").json()
    assert [a["id"] for a in accounts] == [str(u.pk) for u in reversed(fans[:3])]
    follow = next(g for g in groups if g["type"] == "follow")
    assert api.get(f"/api/v2/notifications/{follow['group_key']}").status_code == 200
    assert api.post(f"/api/v2/notifications/{likes['group_key']}/dismiss").json() == {}
    assert not Notification.objects.filter(recipient=alice, type="favourite").exists()
    assert Notification.objects.filter(recipient=alice, type="follow").exists()
    # Gone, someone else's, or made up: 404, and nothing changes.
    assert api.post(f"/api/v2/notifications/{likes['group_key']}/dismiss").status_code == 404
    other = api_for(bob)
    assert other.get(f"/api/v2/notifications/{follow['group_key']}").status_code == 404
    assert other.post(f"/api/v2/notifications/{follow['group_key']}/dismiss").status_code == 404
    assert api.get("/api/v2/notifications/ungrouped-x1").status_code == 404
    assert Notification.objects.filter(recipient=alice, type="follow").exists()


def test_unread_count_counts_groups(api_for, alice, bob, fans):
    post = posts.status_create(account=alice, text="matcha")
    _like_all(post, fans)
    social.follow_create(follower=bob, target=alice)
    api = api_for(alice)
    assert api.get("/api/v2/notifications/unread_count").json() == {"count": 2}
    assert api.get("/api/v2/notifications/unread_count", {"limit": 1}).json() == {"count": 1}
    ungrouped = api.get("/api/v2/notifications/unread_count", {"grouped_types[]": ["follow"]})
    assert ungrouped.json() == {"count": 11}


# Policy and requests ----------------------------------------------------------------------


def test_policy_defaults_and_update(api_for, alice):
    api = api_for(alice)
    assert api.get("/api/v2/notifications/policy").json() == {
        "for_not_following": "accept",
        "for_not_followers": "accept",
        "for_new_accounts": "accept",
        "for_private_mentions": "filter",
        "for_limited_accounts": "filter",
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }
    r = api.client.patch(
        "/api/v2/notifications/policy",
        '{"for_not_following": "filter", "for_new_accounts": "drop"}',
        content_type="application/json",
    )
    assert r.status_code == 200
    assert (r.json()["for_not_following"], r.json()["for_new_accounts"]) == ("filter", "drop")


def test_bad_policy_changes_nothing(api_for, alice):
    api = api_for(alice)
    r = api.client.patch(
        "/api/v2/notifications/policy",
        '{"for_not_following": "filter", "for_new_accounts": "ignore"}',
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "for_new_accounts must be accept, filter or drop" in r.json()["error"]
    assert api.get("/api/v2/notifications/policy").json()["for_not_following"] == "accept"


def _set_policy(api, **choices):
    import json

    r = api.client.patch(
        "/api/v2/notifications/policy", json.dumps(choices), content_type="application/json"
    )
    assert r.status_code == 200


def test_filtered_mentions_wait_in_a_request_until_accepted(api_for, alice, bob, carol):
    api = api_for(alice)
    _set_policy(api, for_not_following="filter")
    social.follow_create(follower=alice, target=carol)
    posts.status_create(account=bob, text="@alice hello")
    again = posts.status_create(account=bob, text="@alice hello again")
    posts.status_create(account=carol, text="@alice from a friend")
    listed = api.get("/api/v1/notifications").json()
    assert [n["account"]["id"] for n in listed] == [str(carol.pk)]
    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    policy = api.get("/api/v2/notifications/policy").json()
    assert policy["summary"] == {"pending_requests_count": 1, "pending_notifications_count": 2}
    requests = api.get("/api/v1/notifications/requests").json()
    assert len(requests) == 1
    assert requests[0]["account"]["id"] == str(bob.pk)
    assert requests[0]["notifications_count"] == "2"
    assert requests[0]["last_status"]["id"] == str(again.pk)
    # The filtered ones come with include_filtered.
    grouped = api.get("/api/v2/notifications", {"include_filtered": "true"}).json()
    assert len(grouped["notification_groups"]) == 3
    rid = requests[0]["id"]
    assert api.get(f"/api/v1/notifications/requests/{rid}").json()["id"] == rid
    assert api.post(f"/api/v1/notifications/requests/{rid}/accept").json() == {}
    assert len(api.get("/api/v1/notifications").json()) == 3
    assert api.get("/api/v1/notifications/requests").json() == []
    # From now on bob's mentions reach alice.
    posts.status_create(account=bob, text="@alice accepted")
    assert len(api.get("/api/v1/notifications").json()) == 4
    assert api.get("/api/v1/notifications/requests/merged").json() == {"merged": True}


def test_dismissed_request_drops_its_notifications(api_for, alice, bob):
    api = api_for(alice)
    _set_policy(api, for_not_followers="filter")
    posts.status_create(account=bob, text="@alice hello")
    [request] = api.get("/api/v1/notifications/requests").json()
    assert api.post("/api/v1/notifications/requests/dismiss", {"id": [request["id"]]}).json() == {}
    assert not Notification.objects.filter(recipient=alice).exists()
    assert not NotificationRequest.objects.exists()
    # Someone else's request, or none: 404.
    posts.status_create(account=alice, text="@bob hi")
    assert api.post(f"/api/v1/notifications/requests/{request['id']}/accept").status_code == 404
    assert api.post("/api/v1/notifications/requests/accept").status_code == 422


def test_drop_makes_no_notification(api_for, alice, bob):
    _set_policy(api_for(alice), for_not_following="drop")
    posts.status_create(account=bob, text="@alice hello")
    assert not Notification.objects.filter(recipient=alice).exists()
    assert not NotificationRequest.objects.exists()


def test_private_mentions_from_strangers_are_filtered_by_default(api_for, alice, bob):
    posts.status_create(account=bob, text="@alice psst", visibility="direct")
    assert api_for(alice).get("/api/v1/notifications").json() == []
    assert NotificationRequest.objects.get(recipient=alice).notifications_count == 1
    # A reply to alice's own direct post is not unsolicited.
    mine = posts.status_create(account=alice, text="@bob question", visibility="direct")
    posts.status_create(
        account=bob, text="@alice answer", visibility="direct", in_reply_to_id=mine.pk
    )
    assert len(api_for(alice).get("/api/v1/notifications").json()) == 1


def test_new_accounts_policy(api_for, alice, bob):
    _set_policy(api_for(alice), for_new_accounts="filter")
    posts.status_create(account=bob, text="@alice new here")
    assert Notification.objects.get(recipient=alice).filtered
    old = make_user("old")
    old.date_joined = timezone.now() - dt.timedelta(days=60)
    old.save(update_fields=["date_joined"])
    posts.status_create(account=old, text="@alice old friend")
    assert not Notification.objects.get(recipient=alice, actor=old).filtered
