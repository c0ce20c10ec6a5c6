"""Web Push: /api/v1/push/subscription and the delivery of notifications to a push service
the test runs on loopback, decrypted here with the subscriber's private key."""

import hashlib
import time
from collections.abc import Iterator

import pytest
from oauth2_provider.models import AccessToken

from storefeed.api.models import PushServerKey, PushSubscription
from storefeed.posts import services as post_services
from storefeed.social import services as social_services
from tests.push_service import PushService, Subscriber, start_push_service, vapid_claims

ALERTS = {
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
    "quote",
    "quoted_update",
}


@pytest.fixture
def push_service(settings) -> Iterator[PushService]:
    settings.PUSH_ALLOW_PRIVATE = True  # the push service runs on loopback
    service, server = start_push_service()
    yield service
    server.shutdown()
    server.server_close()


def subscribe(client, subscriber: Subscriber, endpoint: str, **data):
    return client.post(
        "/api/v1/push/subscription",
        {
            "subscription": {
                "endpoint": endpoint,
                "keys": {"p256dh": subscriber.p256dh, "auth": subscriber.auth_b64},
                **({"standard": True} if data.pop("standard", False) else {}),
            },
            "data": data,
        },
        content_type="application/json",
    )


def test_subscribe_read_update_and_delete(api_client, alice, push_service):
    client = api_client(alice)
    subscriber = Subscriber.new()
    made = subscribe(
        client,
        subscriber,
        f"{push_service.url}/push/1",
        alerts={"mention": True, "follow": "true", "favourite": False},
        policy="followed",
    )
    assert made.status_code == 200, made.content
    entity = made.json()
    assert entity["endpoint"] == f"{push_service.url}/push/1"
    assert entity["policy"] == "followed"
    assert entity["standard"] is False
    assert set(entity["alerts"]) == ALERTS
    assert {k for k, v in entity["alerts"].items() if v} == {"mention", "follow"}
    # The VAPID public key: generated once, kept, the same on every read.
    key = PushServerKey.objects.get()
    assert entity["server_key"] == key.public_key
    assert client.get("/api/v1/push/subscription").json() == entity

    changed = client.put(
        "/api/v1/push/subscription",
        {"data": {"alerts": {"favourite": True, "mention": False}, "policy": "all"}},
        content_type="application/json",
    )
    assert changed.status_code == 200
    alerts = changed.json()["alerts"]
    assert {k for k, v in alerts.items() if v} == {"follow", "favourite"}
    assert changed.json()["policy"] == "all"
    assert changed.json()["server_key"] == key.public_key

    assert client.delete("/api/v1/push/subscription").json() == {}
    assert client.get("/api/v1/push/subscription").status_code == 404
    assert client.delete("/api/v1/push/subscription").status_code == 200  # nothing to delete
    assert not PushSubscription.objects.exists()


def test_one_subscription_per_token_and_gone_with_the_token(api_client, alice, push_service):
    phone, laptop = api_client(alice), api_client(alice)
    subscribe(phone, Subscriber.new(), f"{push_service.url}/a", alerts={"follow": True})
    subscribe(phone, Subscriber.new(), f"{push_service.url}/b", alerts={"follow": True})
    subscribe(laptop, Subscriber.new(), f"{push_service.url}/c", alerts={"follow": True})
    assert sorted(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        f"{push_service.url}/b",
        f"{push_service.url}/c",
    ]
    assert phone.get("/api/v1/push/subscription").json()["endpoint"].endswith("/b")
    # Revoked (tokens are stored as checksums): the subscription goes too.
    AccessToken.objects.filter(
        token_checksum=hashlib.sha256(phone.token.encode()).hexdigest()
    ).delete()
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        f"{push_service.url}/c"
    ]


@pytest.fixture
def fake_dns(monkeypatch):
    """push.example.com is a public address; inside.example.com points inside."""
    import socket

    real = socket.getaddrinfo
    answers = {"push.example.com": "93.184.215.14", "inside.example.com": "10.0.0.7"}

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "https://inside.example.com/x"}, "subscription[endpoint]"),
        ({"endpoint": "http://push.example.com/x"}, "subscription[endpoint]"),
        ({"endpoint": "https://10.1.2.3/x"}, "subscription[endpoint]"),
        ({"endpoint": "https://127.0.0.1/x"}, "subscription[endpoint]"),
        ({"endpoint": "https://[::1]/x"}, "subscription[endpoint]"),
        ({"endpoint": "https://169.254.169.254/latest"}, "subscription[endpoint]"),
        ({"endpoint": "ftp://push.example.com/x"}, "subscription[endpoint]"),
        ({"endpoint": "https://user:pw@push.example.com/x"}, "subscription[endpoint]"),
        ({"endpoint": ""}, "subscription[endpoint]"),
        ({"p256dh": "bm90IGEga2V5"}, "subscription[keys][p256dh]"),
        ({"p256dh": ""}, "subscription[keys][p256dh]"),
        ({"auth": "c2hvcnQ"}, "subscription[keys][auth]"),
        ({"policy": "friends"}, "data[policy]"),
    ],
)
def test_bad_subscriptions_are_refused_and_nothing_is_kept(
    api_client, alice, settings, fake_dns, change, field
):
    settings.PUSH_ALLOW_PRIVATE = False
    subscriber = Subscriber.new()
    body = {
        "subscription": {
            "endpoint": change.get("endpoint", "https://push.example.com/x"),
            "keys": {
                "p256dh": change.get("p256dh", subscriber.p256dh),
                "auth": change.get("auth", subscriber.auth_b64),
            },
        },
        "data": {"policy": change.get("policy", "all")},
    }
    answer = api_client(alice).post(
        "/api/v1/push/subscription", body, content_type="application/json"
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]
    assert field in str(answer.json()) or "can't be blank" in answer.json()["error"]
    assert not PushSubscription.objects.exists()


def test_a_public_https_endpoint_is_accepted(api_client, alice, settings, fake_dns):
    settings.PUSH_ALLOW_PRIVATE = False
    subscriber = Subscriber.new()
    answer = subscribe(api_client(alice), subscriber, "https://push.example.com/x")
    assert answer.status_code == 200, answer.content
    # Keys in standard base64 (as Mastodon.py sends them) are read too, and kept as base64url.
    import base64

    from tests.push_service import unb64url

    padded = base64.b64encode(unb64url(subscriber.p256dh)).decode()
    again = api_client(alice).post(
        "/api/v1/push/subscription",
        {
            "subscription": {
                "endpoint": "https://push.example.com/y",
                "keys": {"p256dh": padded, "auth": base64.b64encode(subscriber.auth).decode()},
            }
        },
        content_type="application/json",
    )
    assert again.status_code == 200, again.content
    assert PushSubscription.objects.get(endpoint__endswith="/y").p256dh == subscriber.p256dh


def test_push_needs_the_push_scope_and_a_subscription(api_client, alice):
    assert api_client(alice, scopes="read write").get("/api/v1/push/subscription").status_code == (
        403
    )
    client = api_client(alice)
    assert client.get("/api/v1/push/subscription").status_code == 404
    answer = client.put(
        "/api/v1/push/subscription",
        {"data": {"alerts": {"follow": True}}},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert answer.json() == {"error": "Record not found"}


@pytest.mark.parametrize("standard", [True, False], ids=["aes128gcm", "aesgcm"])
def test_a_notification_is_pushed_encrypted_and_signed(
    api_client, alice, bob, push_service, standard, django_capture_on_commit_callbacks
):
    client = api_client(alice)
    subscriber = Subscriber.new()
    entity = subscribe(
        client,
        subscriber,
        f"{push_service.url}/push/alice",
        standard=standard,
        alerts={"follow": True, "mention": True},
    ).json()

    with django_capture_on_commit_callbacks(execute=True):
        social_services.follow_create(follower=bob, target=alice)
    [push] = push_service.received
    assert push.path == "/push/alice"
    assert push.headers["content-encoding"] == ("aes128gcm" if standard else "aesgcm")
    assert int(push.headers["ttl"]) > 0
    payload = subscriber.decrypt(push)
    notification = alice.notifications.get()
    assert payload == {
        "access_token": client.token,
        "preferred_locale": "en",
        "notification_id": str(notification.pk),
        "notification_type": "follow",
        "icon": "http://testserver/static/web/img/avatar.png",
        "title": "Bob is now following you",
        "body": "",
    }
    claims = vapid_claims(push, entity["server_key"])
    assert claims["aud"] == push_service.url
    assert claims["exp"] > time.time()
    assert claims["sub"].startswith(("mailto:", "https://"))

    # A reply is a mention to clients; its text is the body.
    post = post_services.status_create(account=alice, text="Tea tonight?")
    with django_capture_on_commit_callbacks(execute=True):
        post_services.status_create(
            account=bob, text="@alice yes, at seven", in_reply_to_id=post.pk
        )
    reply = subscriber.decrypt(push_service.received[-1])
    assert reply["notification_type"] == "mention"
    assert reply["title"] == "Bob mentioned you"
    assert reply["body"] == "@alice yes, at seven"
    assert len(push_service.received) == 2


def test_alerts_and_policy_decide_what_is_pushed(
    api_client, alice, bob, carol, push_service, django_capture_on_commit_callbacks
):
    client = api_client(alice)
    subscribe(
        client,
        Subscriber.new(),
        f"{push_service.url}/p",
        alerts={"favourite": True},
        policy="followed",
    )
    post = post_services.status_create(account=alice, text="Green tea")
    social_services.follow_create(follower=alice, target=bob)
    with django_capture_on_commit_callbacks(execute=True):
        post_services.status_favourite(account=carol, status_id=post.pk)  # not followed
        social_services.follow_create(follower=carol, target=alice)  # follow: alert off
    assert push_service.received == []
    with django_capture_on_commit_callbacks(execute=True):
        post_services.status_favourite(account=bob, status_id=post.pk)  # followed: pushed
    assert len(push_service.received) == 1

    client.put(
        "/api/v1/push/subscription", {"data": {"policy": "none"}}, content_type="application/json"
    )
    post_services.status_unfavourite(account=bob, status_id=post.pk)
    with django_capture_on_commit_callbacks(execute=True):
        post_services.status_favourite(account=bob, status_id=post.pk)
    assert len(push_service.received) == 1


def test_a_delivery_run_twice_pushes_once(
    api_client, alice, bob, push_service, django_capture_on_commit_callbacks
):
    from storefeed.api.push import push_deliver

    subscribe(api_client(alice), Subscriber.new(), f"{push_service.url}/p", alerts={"follow": True})
    with django_capture_on_commit_callbacks(execute=True):
        social_services.follow_create(follower=bob, target=alice)
    assert len(push_service.received) == 1
    assert push_deliver(notification_ids=[alice.notifications.get().pk]) == 0
    assert len(push_service.received) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(
    api_client, alice, bob, push_service, status, django_capture_on_commit_callbacks
):
    subscribe(api_client(alice), Subscriber.new(), f"{push_service.url}/p", alerts={"follow": True})
    push_service.status = status
    with django_capture_on_commit_callbacks(execute=True):
        social_services.follow_create(follower=bob, target=alice)
    assert len(push_service.received) == 1
    assert not PushSubscription.objects.exists()


def test_a_push_service_error_keeps_the_subscription(
    api_client, alice, bob, push_service, django_capture_on_commit_callbacks
):
    subscribe(api_client(alice), Subscriber.new(), f"{push_service.url}/p", alerts={"follow": True})
    push_service.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        social_services.follow_create(follower=bob, target=alice)
    assert len(push_service.received) == 1
    assert PushSubscription.objects.count() == 1


def test_delivery_checks_the_address_again(
    api_client, alice, bob, push_service, settings, django_capture_on_commit_callbacks
):
    """An endpoint accepted once is checked again on every connection: a name that now
    points inside (or a setting turned off) gets nothing."""
    subscribe(api_client(alice), Subscriber.new(), f"{push_service.url}/p", alerts={"follow": True})
    settings.PUSH_ALLOW_PRIVATE = False
    with django_capture_on_commit_callbacks(execute=True):
        social_services.follow_create(follower=bob, target=alice)
    assert push_service.received == []
    assert PushSubscription.objects.count() == 1


def test_the_vapid_key_comes_from_the_settings_when_given(api_client, alice, settings):
    from storefeed.api.push import generate_server_key

    key = generate_server_key()
    settings.PUSH_VAPID_PRIVATE_KEY, settings.PUSH_VAPID_PUBLIC_KEY = (
        key.private_key,
        key.public_key,
    )
    settings.PUSH_ALLOW_PRIVATE = True
    entity = subscribe(api_client(alice), Subscriber.new(), "http://127.0.0.1:9/p").json()
    assert entity["server_key"] == key.public_key
    assert not PushServerKey.objects.exists()


def test_the_push_is_in_the_subscribers_language(
    api_client, alice, bob, push_service, django_capture_on_commit_callbacks
):
    alice.locale = "zh-hans"
    alice.save(update_fields=["locale"])
    subscriber = Subscriber.new()
    subscribe(api_client(alice), subscriber, f"{push_service.url}/p", alerts={"follow": True})
    with django_capture_on_commit_callbacks(execute=True):
        social_services.follow_create(follower=bob, target=alice)
    payload = subscriber.decrypt(push_service.received[0])
    assert payload["preferred_locale"] == "zh-hans"
    assert payload["title"] == "Bob 关注了你"
