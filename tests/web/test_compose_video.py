"""Videos in the web composer and in posts: `<video controls poster>` for a video, autoplay,
muted and looped for a gifv, a notice while the worker transcodes; bad files refused with a
message in the reader's language and nothing kept."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from storefeed.posts.models import MediaAttachment, Status
from tests.web.conftest import image_upload


def compose(client, **data):
    data.setdefault("visibility", "public")
    return client.post("/compose", data)


def video_tag(page: str) -> str:
    found = re.search(r"<video [^>]*>", page)
    assert found, "no <video> on the page"
    return found.group(0)


@pytest.mark.django_db
def test_a_video_post_plays_with_controls_and_a_poster(alice, alice_client, make_video):
    clip = SimpleUploadedFile("clip.mp4", make_video("mp4"), content_type="video/mp4")
    response = compose(alice_client, text="Unboxing", images=[clip], descriptions=["A box"])
    assert response.status_code == 302, response.content[:500]
    status = Status.objects.get()
    page = alice_client.get(f"/@alice/{status.pk}").content.decode()
    tag = video_tag(page)
    media = status.media.get()
    assert f'src="{media.file.url}"' in tag
    assert f'poster="{media.thumbnail.url}"' in tag
    assert " controls" in tag
    assert "autoplay" not in tag
    assert 'aria-label="A box"' in tag


@pytest.mark.django_db
def test_a_gif_plays_like_a_gif(alice, alice_client, make_video):
    gif = SimpleUploadedFile("loop.gif", make_video("gif"), content_type="image/gif")
    assert compose(alice_client, text="Loop", images=[gif]).status_code == 302
    tag = video_tag(alice_client.get("/").content.decode())
    assert all(word in tag for word in (" autoplay", " muted", " loop", " playsinline"))
    assert " controls" not in tag


@pytest.mark.django_db(transaction=True)
def test_a_post_shows_its_video_once_the_worker_has_it(alice, client_for, make_video, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_for(alice)
    clip = SimpleUploadedFile("clip.webm", make_video("webm"), content_type="video/webm")
    assert compose(client, text="Soon", images=[clip]).status_code == 302
    status = Status.objects.get()
    page = client.get(f"/@alice/{status.pk}").content.decode()
    assert 'data-testid="media-processing"' in page
    assert "<video" not in page
    call_command("worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)
    page = client.get(f"/@alice/{status.pk}").content.decode()
    assert 'data-testid="media-processing"' not in page
    assert video_tag(page)


@pytest.mark.django_db
def test_a_video_with_images_is_refused(alice, alice_client, make_video):
    clip = SimpleUploadedFile("clip.mp4", make_video("mp4"), content_type="video/mp4")
    response = compose(alice_client, text="Mixed", images=[image_upload("a.jpg"), clip])
    assert response.status_code == 400
    assert "Cannot attach a video to a post that already contains images" in (
        response.content.decode()
    )
    assert not Status.objects.exists()


@pytest.mark.django_db
def test_a_bad_video_is_refused_in_chinese_too(alice, alice_client, make_video, settings):
    fake = SimpleUploadedFile("clip.mp4", b"not a video", content_type="video/mp4")
    response = compose(alice_client, text="Bad", images=[fake])
    assert response.status_code == 400
    assert "is not a video we can read" in response.content.decode()
    settings.MEDIA_MAX_VIDEO_BYTES = 1000
    big = SimpleUploadedFile("big.mp4", make_video("mp4"), content_type="video/mp4")
    response = alice_client.post(
        "/compose",
        {"text": "Big", "images": [big], "visibility": "public"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "视频" in response.content.decode()
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()
