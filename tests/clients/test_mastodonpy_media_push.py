"""Mastodon.py against `storefeed serve`: a video uploaded with media_post (transcoded by the
server's worker while the client waits), and Web Push with the library's own push helpers
(key generation, push_subscription_set/update/delete, push_subscription_decrypt_push) and a
push service on loopback."""

from collections.abc import Iterator

import pytest
import requests
from mastodon import MastodonAPIError

from tests.clients.conftest import settle
from tests.push_service import PushService, start_push_service


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service, server = start_push_service()
    yield service
    server.shutdown()
    server.server_close()


def test_a_video_through_media_post(masto_for, alice, bob, make_video, tmp_path):
    alice_api = masto_for(alice)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(make_video("mp4", seconds=1))
    # synchronous=True: Mastodon.py polls GET /api/v1/media/:id until the url is there.
    media = alice_api.media_post(clip, description="A test card", synchronous=True)
    assert media.type == "video"
    assert media.url.endswith(".mp4")
    assert media.preview_url.endswith(".jpg")
    assert media.meta.original.frame_rate == "25/1"
    assert media.meta.original.duration == pytest.approx(1.0, abs=0.1)
    assert media.meta.original.width == 160
    assert media.description == "A test card"
    fetched = requests.get(media.url, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content[4:8] == b"ftyp"

    posted = alice_api.status_post("Watch this", media_ids=[media])
    [attached] = posted.media_attachments
    assert attached.type == "video"
    settle()
    seen = masto_for(bob).status(posted.id)
    assert seen.media_attachments[0].url == media.url

    gif = tmp_path / "loop.gif"
    gif.write_bytes(make_video("gif"))
    looped = alice_api.media_post(gif, synchronous=True)
    assert looped.type == "gifv"
    assert looped.url.endswith(".mp4")

    with pytest.raises(MastodonAPIError) as refused:
        alice_api.media_post(b"not a video", mime_type="video/mp4", file_name="fake.mp4")
    assert refused.value.args[1] == 422
    assert "is not a video we can read" in refused.value.args[-1]


def test_web_push_with_mastodonpys_helpers(masto_for, alice, bob, push_service):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    private, public = alice_api.push_subscription_generate_keys()
    subscription = alice_api.push_subscription_set(
        f"{push_service.url}/push/alice",
        public,
        follow_events=True,
        mention_events=True,
        favourite_events=False,
    )
    assert subscription.endpoint == f"{push_service.url}/push/alice"
    assert subscription.alerts.follow is True
    assert subscription.alerts.favourite is False
    assert subscription.policy == "all"
    assert len(subscription.server_key) > 80
    assert alice_api.push_subscription().id == subscription.id

    bob_api.account_follow(alice.pk)
    [push] = push_service.wait_for(1)
    payload = alice_api.push_subscription_decrypt_push(
        push.body, private, push.headers["encryption"], push.headers["crypto-key"]
    )
    assert payload.notification_type == "follow"
    assert payload.title == "Bob is now following you"
    assert payload.access_token == alice_api.access_token
    assert payload.preferred_locale == "en"
    notification = alice_api.notifications()[0]
    assert str(payload.notification_id) == str(notification.id)
    # The VAPID public key the push came signed with is the subscription's server_key.
    assert f"p256ecdsa={subscription.server_key}" in push.headers["crypto-key"]

    updated = alice_api.push_subscription_update(favourite_events=True, policy="follower")
    assert updated.alerts.favourite is True
    assert updated.alerts.follow is True
    assert updated.policy == "follower"

    post = alice_api.status_post("Tea tonight?")
    settle()
    bob_api.status_favourite(post)
    second = push_service.wait_for(2)[1]
    liked = alice_api.push_subscription_decrypt_push(
        second.body, private, second.headers["encryption"], second.headers["crypto-key"]
    )
    assert liked.notification_type == "favourite"
    assert liked.body == "Tea tonight?"

    alice_api.push_subscription_delete()
    with pytest.raises(MastodonAPIError) as gone:
        alice_api.push_subscription()
    assert gone.value.args[1] == 404
