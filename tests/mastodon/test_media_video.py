"""Video and GIFV uploads through /api/v2/media: checked at once, transcoded by the worker
(202 and url null until then, 206 from GET /api/v1/media/:id), then H.264 MP4 with a poster
frame and Mastodon's meta; bad files refused with nothing left behind."""

import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from storefeed.posts.models import MediaAttachment, MediaState, Status

NOT_READY = "Cannot attach files that have not finished processing. Try again in a moment!"


def upload(api, data: bytes, name: str, content_type: str, path: str = "/api/v2/media"):
    return api.form(path, {"file": SimpleUploadedFile(name, data, content_type=content_type)})


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def streams(path: str) -> dict:
    done = subprocess.run(
        [
            settings.FFPROBE,
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,codec_name,pix_fmt,width,height",
            "-of",
            "json",
            path,
        ],
        capture_output=True,
        check=True,
    )
    return {s["codec_type"]: s for s in json.loads(done.stdout)["streams"]}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    call_command("worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_video_is_processed_by_the_worker(api_for, alice, make_video, database_queue):
    api = api_for(alice)
    answer = upload(api, make_video("mp4", seconds=1), "clip.mp4", "video/mp4")
    assert answer.status_code == 202, answer.content
    entity = answer.json()
    assert entity["type"] == "video"
    assert entity["url"] is None
    assert entity["preview_url"] is None
    media_id = entity["id"]

    # While it processes: 206 from GET, and a post cannot carry it yet.
    assert api.get(f"/api/v1/media/{media_id}").status_code == 206
    refused = api.post("/api/v1/statuses", {"status": "Watch", "media_ids": [media_id]})
    assert refused.status_code == 422
    assert refused.json()["error"] == NOT_READY
    assert not Status.objects.exists()

    run_worker()

    ready = api.get(f"/api/v1/media/{media_id}")
    assert ready.status_code == 200
    media = ready.json()
    assert media["type"] == "video"
    assert media["url"].endswith(".mp4")
    assert media["preview_url"].endswith(".jpg")
    assert media["blurhash"]
    meta = media["meta"]
    assert meta["original"]["width"] == 160
    assert meta["original"]["height"] == 120
    assert meta["original"]["frame_rate"] == "25/1"
    assert meta["original"]["duration"] == pytest.approx(1.0, abs=0.1)
    assert meta["original"]["bitrate"] > 0
    assert meta["small"]["width"] == 160
    assert meta["length"].startswith("0:00:01")
    assert meta["fps"] == 25
    assert meta["focus"] == {"x": 0.0, "y": 0.0}

    row = MediaAttachment.objects.get(pk=media_id)
    assert row.state == MediaState.READY
    assert not row.source  # the upload as sent is gone once transcoded
    found = streams(row.file.path)
    assert found["video"]["codec_name"] == "h264"
    assert found["video"]["pix_fmt"] == "yuv420p"
    assert found["audio"]["codec_name"] == "aac"
    data = Path(row.file.path).read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart: plays while it downloads
    assert [p.name for p in stored_files() if "source" in p.parts] == []

    posted = api.post("/api/v1/statuses", {"status": "Watch", "media_ids": [media_id]})
    assert posted.status_code == 200, posted.content
    [attached] = posted.json()["media_attachments"]
    assert attached["type"] == "video"
    assert attached["url"] == media["url"]


@pytest.mark.parametrize(
    ("kind", "audio", "expected"),
    [("webm", False, "gifv"), ("mov", True, "video"), ("gif", False, "gifv")],
)
def test_webm_mov_and_animated_gif(api_for, alice, make_video, kind, audio, expected):
    """The test settings run tasks inline, so the answer is already the processed media."""
    api = api_for(alice)
    answer = upload(
        api,
        make_video(kind, audio=audio),
        f"clip.{kind}",
        f"video/{kind}".replace("video/gif", "image/gif"),
    )
    assert answer.status_code == 200, answer.content
    media = answer.json()
    assert media["type"] == expected
    assert media["url"].endswith(".mp4")
    row = MediaAttachment.objects.get()
    found = streams(row.file.path)
    assert found["video"]["codec_name"] == "h264"
    assert ("audio" in found) is (expected == "video")


def test_a_large_video_is_scaled_to_1920_px(api_for, alice, make_video):
    api = api_for(alice)
    answer = upload(
        api, make_video("mp4", seconds=0.2, audio=False, size="2560x1440"), "big.mp4", "video/mp4"
    )
    assert answer.status_code == 200, answer.content
    original = answer.json()["meta"]["original"]
    assert (original["width"], original["height"]) == (1920, 1080)


def test_a_static_gif_stays_an_image(api_for, alice):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 0, 0)).save(buffer, "GIF")
    answer = upload(api_for(alice), buffer.getvalue(), "still.gif", "image/gif")
    assert answer.status_code == 200
    assert answer.json()["type"] == "image"


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("MEDIA_MAX_VIDEO_SECONDS", 0.5, "videos can be at most 0 seconds"),
        ("MEDIA_MAX_VIDEO_BYTES", 1000, "videos can be at most 0.0 MB"),
    ],
)
def test_too_long_or_too_large_is_refused_and_nothing_is_kept(
    api_for, alice, make_video, settings, setting, value, message
):
    clip = make_video("mp4", seconds=1)
    setattr(settings, setting, value)
    before = stored_files()
    answer = upload(api_for(alice), clip, "clip.mp4", "video/mp4")
    assert answer.status_code == 422
    assert message in answer.json()["error"]
    assert not MediaAttachment.objects.exists()
    assert stored_files() == before


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"this is not a video at all", "clip.mp4", "video/mp4"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200, "broken.mp4", "application/octet-stream"),
        # An HLS playlist dressed as a video: never read as a playlist (nothing is fetched).
        (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://10.0.0.1/a.ts\n",
            "sneaky.mp4",
            "video/mp4",
        ),
    ],
)
def test_not_a_video_is_refused(api_for, alice, make_video, data, name, content_type):
    before = stored_files()
    answer = upload(api_for(alice), data, name, content_type)
    assert answer.status_code == 422
    assert "is not a video we can read" in answer.json()["error"]
    assert not MediaAttachment.objects.exists()
    assert stored_files() == before


def test_a_video_goes_alone(api_for, alice, make_video, make_image):
    api = api_for(alice)
    video_id = upload(api, make_video("mp4"), "clip.mp4", "video/mp4").json()["id"]
    image_id = api.form("/api/v2/media", {"file": make_image()}).json()["id"]
    answer = api.post("/api/v1/statuses", {"status": "Both", "media_ids": [image_id, video_id]})
    assert answer.status_code == 422
    assert answer.json()["error"] == "Cannot attach a video to a post that already contains images"
    assert not Status.objects.exists()


def test_a_failed_transcode_is_reported(api_for, alice, make_video, monkeypatch):
    from storefeed.posts import video

    def fail(*args, **kwargs):
        raise ValueError("the encoder gave up")

    monkeypatch.setattr(video, "transcode", fail)
    api = api_for(alice)
    answer = upload(api, make_video("mp4"), "clip.mp4", "video/mp4")
    media_id = answer.json()["id"]
    assert MediaAttachment.objects.get().state == MediaState.FAILED
    assert not MediaAttachment.objects.get().source
    got = api.get(f"/api/v1/media/{media_id}")
    assert got.status_code == 422
    assert got.json()["error"] == "Error processing thumbnail for uploaded media"
    refused = api.post("/api/v1/statuses", {"status": "x", "media_ids": [media_id]})
    assert refused.status_code == 422
    assert not Status.objects.exists()


def test_processing_twice_changes_nothing(api_for, alice, make_video):
    from storefeed.posts.video import media_video_process

    api = api_for(alice)
    media_id = int(upload(api, make_video("mp4"), "clip.mp4", "video/mp4").json()["id"])
    row = MediaAttachment.objects.get()
    assert media_video_process(media_id=media_id) == MediaState.READY
    again = MediaAttachment.objects.get()
    assert (again.file.name, again.thumbnail.name) == (row.file.name, row.thumbnail.name)


def test_without_ffmpeg_a_video_is_refused_clearly(api_for, alice, make_video, settings):
    clip = make_video("mp4")
    settings.FFPROBE = "/nonexistent/ffprobe"
    answer = upload(api_for(alice), clip, "clip.mp4", "video/mp4")
    assert answer.status_code == 422
    assert "Videos cannot be processed on this server right now." in answer.json()["error"]
    assert not MediaAttachment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_video_whose_task_was_lost_is_queued_again(api_for, alice, make_video, database_queue):
    import datetime as dt

    import time_machine
    from django_tasks_db.models import DBTaskResult

    from storefeed.posts.tasks import requeue_stuck_videos

    api = api_for(alice)
    media_id = upload(api, make_video("mp4"), "clip.mp4", "video/mp4").json()["id"]
    DBTaskResult.objects.all().delete()  # the worker that took it was killed
    requeue_stuck_videos.enqueue()
    run_worker()
    assert MediaAttachment.objects.get().state == MediaState.PROCESSING  # not stuck yet
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)):
        requeue_stuck_videos.enqueue()
        run_worker()
    assert MediaAttachment.objects.get().state == MediaState.READY
    assert api.get(f"/api/v1/media/{media_id}").status_code == 200
