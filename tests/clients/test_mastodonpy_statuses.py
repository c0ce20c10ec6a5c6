"""Mastodon.py against `storefeed serve`: statuses and media beyond the everyday flow. Posting
options, the Idempotency-Key, source and delete, threads, pins, scheduled posts (listed, moved,
cancelled, and published by the background worker), editing with its history, and uploads
through /api/v2/media and /api/v1/media with their sizes, blurhash, description and focus."""

import datetime as dt
import io

import pytest
import requests
from django.utils import timezone
from mastodon import MastodonAPIError, MastodonNotFoundError
from PIL import Image

from storefeed.posts.models import MediaAttachment, Pin, ScheduledStatus, Status
from tests.clients.conftest import png_bytes, settle
from tests.clients.wire import status_code


def test_post_options_idempotency_source_and_delete(alice, bob, masto_for, carol):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    post = alice_api.status_post(
        "The plot of the new shade",
        spoiler_text="Spoilers",
        sensitive=True,
        visibility="unlisted",
        language="zh",
    )
    assert (post.spoiler_text, post.sensitive, post.visibility, post.language) == (
        "Spoilers",
        True,
        "unlisted",
        "zh",
    )
    assert post.url == f"{alice_api.api_base_url}/@alice/{post.id}"
    assert requests.get(post.url, timeout=30).status_code == 200  # the web page is served there
    # A content warning marks the post sensitive even if the client did not.
    assert alice_api.status_post("Hidden", spoiler_text="CW").sensitive is True

    # A retried post with the same Idempotency-Key is the same post.
    first = alice_api.status_post("Once only", idempotency_key="retry-1")
    again = alice_api.status_post("Once only", idempotency_key="retry-1")
    other = alice_api.status_post("Once only", idempotency_key="retry-2")
    assert again.id == first.id != other.id
    # Keys are per account: Bob's "retry-1" is his own post.
    assert bob_api.status_post("Mine", idempotency_key="retry-1").id != first.id
    assert Status.objects.filter(text="Once only").count() == 2

    source = alice_api.status_source(post.id)
    assert (source.text, source.spoiler_text) == ("The plot of the new shade", "Spoilers")
    with pytest.raises(MastodonNotFoundError):
        bob_api.status_source(post.id)
    assert [s.id for s in bob_api.statuses([post.id, first.id, "1"])] == [post.id, first.id]

    # A direct post reaches the one it mentions, and nobody else.
    direct = alice_api.status_post("@bob a secret", visibility="direct")
    assert bob_api.status(direct.id).visibility == "direct"
    with pytest.raises(MastodonNotFoundError):
        masto_for(carol).status(direct.id)

    deleted = alice_api.status_delete(post.id)
    assert (deleted.id, deleted.text, deleted.spoiler_text) == (
        post.id,
        "The plot of the new shade",
        "Spoilers",
    )
    assert not Status.objects.filter(pk=int(post.id)).exists()


def test_thread_context_and_pins(masto_for, alice, bob):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    root = alice_api.status_post("Root")
    middle = bob_api.status_post("@alice middle", in_reply_to_id=root.id)
    leaf = alice_api.status_post("@bob leaf", in_reply_to_id=middle.id)
    aside = alice_api.status_post("Aside", in_reply_to_id=root.id)
    context = bob_api.status_context(middle.id)
    assert [s.id for s in context.ancestors] == [root.id]
    assert [s.id for s in context.descendants] == [leaf.id]
    whole = alice_api.status_context(root.id)
    assert whole.ancestors == []
    assert {s.id for s in whole.descendants} == {middle.id, leaf.id, aside.id}
    assert alice_api.status(root.id).replies_count == 2

    pinned = alice_api.status_pin(root.id)
    assert pinned.pinned is True
    assert alice_api.status(root.id).pinned is True
    assert alice_api.status_pin(root.id).pinned is True  # again: harmless
    extra = [alice_api.status_post(f"Pin me {n}") for n in range(5)]
    for post in extra[:4]:
        alice_api.status_pin(post.id)
    with pytest.raises(MastodonAPIError) as sixth:
        alice_api.status_pin(extra[4].id)
    assert status_code(sixth) == 422
    assert Pin.objects.count() == 5
    repost = alice_api.status_reblog(middle.id, visibility="unlisted")
    assert (repost.visibility, repost.reblog.id) == ("unlisted", middle.id)
    with pytest.raises(MastodonAPIError) as a_reblog:
        alice_api.status_pin(repost.id)
    assert status_code(a_reblog) == 422
    assert alice_api.status_unpin(root.id).pinned is False
    pins = bob_api.account_statuses(alice_api.me().id, pinned=True)
    assert [s.id for s in pins] == [p.id for p in reversed(extra[:4])]
    assert alice_api.status_unpin(root.id).pinned is False  # again: harmless


def test_scheduled_statuses_are_listed_moved_cancelled_and_published(
    masto_for, alice, bob, png_file
):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    from django_tasks_db.models import DBTaskResult

    soon = timezone.now() + dt.timedelta(minutes=10)
    media = alice_api.media_post(png_file(), description="Launch photo")
    launch = alice_api.status_post(
        "Launch day #lipstick",
        media_ids=[media],
        visibility="unlisted",
        spoiler_text="News",
        scheduled_at=soon,
    )
    assert abs(launch.scheduled_at - soon) < dt.timedelta(seconds=1)
    assert launch.params.text == "Launch day #lipstick"
    assert launch.params.visibility == "unlisted"
    assert launch.params.media_ids == [media.id]
    # (Mastodon.py leaves these as plain dicts.)
    assert [(m["id"], m["description"]) for m in launch.media_attachments] == [
        (str(media.id), "Launch photo")
    ]
    poll = alice_api.status_post(
        "Which one next?",
        poll=alice_api.make_poll(["Ruby", "Coral"], expires_in=3600),
        scheduled_at=soon + dt.timedelta(hours=1),
    )
    assert poll.params.poll.options == ["Ruby", "Coral"]
    cancelled = alice_api.status_post("Never mind", scheduled_at=soon)
    assert not Status.objects.exists()  # nothing is published yet

    assert [s.id for s in alice_api.scheduled_statuses()] == [cancelled.id, poll.id, launch.id]
    assert alice_api.scheduled_status(launch.id).params.spoiler_text == "News"
    later = soon + dt.timedelta(days=1)
    moved = alice_api.scheduled_status_update(launch.id, later)
    assert abs(moved.scheduled_at - later) < dt.timedelta(seconds=1)
    alice_api.scheduled_status_delete(cancelled.id)
    with pytest.raises(MastodonNotFoundError):
        alice_api.scheduled_status(cancelled.id)
    # Someone else's scheduled post is not found, whatever one tries.
    for call in (
        lambda: bob_api.scheduled_status(launch.id),
        lambda: bob_api.scheduled_status_update(launch.id, later),
        lambda: bob_api.scheduled_status_delete(launch.id),
    ):
        with pytest.raises(MastodonNotFoundError):
            call()
    assert bob_api.scheduled_statuses() == []
    # Too soon or in the past: refused, and nothing moves.
    with pytest.raises(MastodonAPIError) as past:
        alice_api.scheduled_status_update(launch.id, timezone.now() - dt.timedelta(hours=1))
    assert status_code(past) == 422
    with pytest.raises(MastodonAPIError) as too_soon:
        alice_api.status_post("Now-ish", scheduled_at=timezone.now() + dt.timedelta(minutes=2))
    assert status_code(too_soon) == 422
    stored = ScheduledStatus.objects.get(pk=int(launch.id))
    assert abs(stored.scheduled_at - later) < dt.timedelta(seconds=1)
    assert ScheduledStatus.objects.count() == 2

    # Its time comes: move the post and its queued tasks into the past, and let the worker run.
    past_time = timezone.now() - dt.timedelta(seconds=1)
    ScheduledStatus.objects.filter(pk=int(launch.id)).update(scheduled_at=past_time)
    queued = DBTaskResult.objects.filter(task_path="storefeed.posts.tasks.publish_scheduled")
    assert queued.count() == 4  # two posts, one move, one cancelled: each enqueued once
    queued.update(run_after=past_time)
    settle()
    (published,) = alice_api.account_statuses(alice_api.me().id)
    assert published.content.startswith("<p>Launch day")
    assert (published.visibility, published.spoiler_text) == ("unlisted", "News")
    assert [m.id for m in published.media_attachments] == [media.id]
    assert [s.id for s in alice_api.scheduled_statuses()] == [poll.id]
    assert not ScheduledStatus.objects.filter(pk=int(launch.id)).exists()
    assert Status.objects.count() == 1


def _image(url: str) -> Image.Image:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(response.content))


def test_media_through_v2_and_v1_with_sizes_blurhash_description_and_focus(
    masto_for, alice, bob, client_app, tmp_path
):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    photo = tmp_path / "wide.png"
    photo.write_bytes(png_bytes((30, 160, 90), size=(1200, 900)))
    uploaded = alice_api.media_post(photo, description="A wide shot", focus=(0.25, -0.5))
    assert uploaded.type == "image"
    assert uploaded.url and uploaded.preview_url  # processed at once, even through v2
    original, small = uploaded.meta.original, uploaded.meta.small
    assert (original.width, original.height, original.size) == (1200, 900, "1200x900")
    assert original.aspect == pytest.approx(4 / 3, abs=0.001)
    assert (small.width, small.height) == (480, 360)
    assert _image(uploaded.url).size == (1200, 900)
    assert _image(uploaded.preview_url).size == (480, 360)
    assert (uploaded.meta.focus.x, uploaded.meta.focus.y) == (0.25, -0.5)
    assert isinstance(uploaded.blurhash, str) and len(uploaded.blurhash) >= 6
    assert uploaded.description == "A wide shot"

    assert alice_api.media(uploaded.id).blurhash == uploaded.blurhash
    updated = alice_api.media_update(uploaded.id, description="A wider shot", focus=(-1, 1))
    assert (updated.description, updated.meta.focus.x, updated.meta.focus.y) == (
        "A wider shot",
        -1.0,
        1.0,
    )
    with pytest.raises(MastodonNotFoundError):
        bob_api.media(uploaded.id)
    with pytest.raises(MastodonAPIError) as bad_focus:
        alice_api.media_update(uploaded.id, focus=("left", "top"))
    assert status_code(bad_focus) == 422
    with pytest.raises(MastodonAPIError) as not_an_image:
        alice_api.media_post(b"plain text", mime_type="image/png", file_name="fake.png")
    assert status_code(not_an_image) == 422

    # A client that believes the server older than 3.1.4 uploads through /api/v1/media.
    paths: list[str] = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: paths.append(r.request.path_url))
    old = client_app.client(
        access_token=alice_api.access_token, mastodon_version="3.0.0", session=session
    )
    try:
        v1 = old.media_post(png_bytes(), mime_type="image/png", description="Through v1")
    finally:
        session.close()
    assert paths == ["/api/v1/media"]
    assert (v1.description, v1.meta.original.width, v1.meta.small.width) == ("Through v1", 96, 96)

    posted = alice_api.status_post("Two shots", media_ids=[uploaded, v1])
    assert [m.description for m in posted.media_attachments] == ["A wider shot", "Through v1"]
    stored = MediaAttachment.objects.get(pk=int(uploaded.id))
    assert (stored.description, stored.focus_x, stored.focus_y) == ("A wider shot", -1.0, 1.0)
    assert MediaAttachment.objects.count() == 2
    # Deleting the post gives back its attachments with the source (to redraft it).
    gone = alice_api.status_delete(posted.id)
    assert (gone.text, [m.id for m in gone.media_attachments]) == (
        "Two shots",
        [uploaded.id, v1.id],
    )


def test_editing_a_post_keeps_its_history_and_tells_those_who_reposted_it(
    alice, bob, masto_for, png_file
):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    post = alice_api.status_post("Ruby red is back #lipstick")
    assert post.edited_at is None
    bob_api.status_reblog(post.id)

    photo = alice_api.media_post(str(png_file()), description="The shade")
    edited = alice_api.status_update(
        post.id, "Ruby red and coral are back #lipstick #coral", media_ids=[photo]
    )
    assert edited.id == post.id
    assert edited.edited_at is not None
    assert [t.name for t in edited.tags] == ["lipstick", "coral"]
    assert [m.id for m in edited.media_attachments] == [photo.id]
    assert bob_api.status(post.id).edited_at == edited.edited_at
    assert alice_api.status_source(post.id).text == "Ruby red and coral are back #lipstick #coral"

    history = bob_api.status_history(post.id)
    assert [len(version.media_attachments) for version in history] == [0, 1]
    assert "Ruby red is back" in history[0].content
    assert "coral" in history[1].content

    settle()  # the "update" notification comes from the worker
    updates = bob_api.notifications(types=["update"])
    assert [(n.type, n.status.id) for n in updates] == [("update", post.id)]

    # Someone else's post cannot be edited; nothing changes.
    with pytest.raises(MastodonNotFoundError):
        bob_api.status_update(post.id, "Bob was here")
    with pytest.raises(MastodonAPIError) as empty:
        alice_api.status_update(post.id, "")
    assert status_code(empty) == 422
    assert Status.objects.get(pk=int(post.id)).text == (
        "Ruby red and coral are back #lipstick #coral"
    )
